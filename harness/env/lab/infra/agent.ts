/**
 * The command agent of a lab container (`images/common/lab-agent.py`): one `docker exec -i`
 * per container for the life of the process, through which every later command runs. A
 * `docker exec` costs the engine about 50 ms of CPU (the engine, containerd and runc set up
 * and tear down an exec session); a command through the agent costs a fork in the container.
 * A lab run makes hundreds of commands (pods, servers, nftables, captures, probe clients,
 * vtysh reads), and on a 2-core machine those sessions were what kept the cores busy.
 *
 * Commands run exactly as `docker exec` runs them (same user, capabilities, environment and
 * namespaces: the agent is itself started by `docker exec`); exit codes, stdout and stderr come
 * back whole. A container whose image has no agent, or where it does not start, is driven by
 * `docker exec` as before. `EC_LAB_EXEC=docker` turns the agent off (to compare, or to debug).
 */
import { PassThrough } from 'node:stream';
import type { ContainerRuntimeClient } from 'testcontainers';

type Dockerode = ContainerRuntimeClient['container']['dockerode'];

export const AGENT_PATH = '/usr/local/bin/lab-agent';

export interface AgentRunOptions {
  input?: string | Buffer;
  stdinUntil?: AbortSignal;
}

export interface AgentResult {
  exitCode: number;
  stdoutBytes: Buffer;
  stderr: string;
}

interface Pending {
  resolve: (result: AgentResult) => void;
  reject: (error: Error) => void;
}

interface Answer {
  id: number;
  exit: number;
  stdout: string;
  stderr: string;
}

/** The agent of one container; `undefined` from `agentFor` when there is none. */
export class ContainerAgent {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed: Error | undefined;

  private constructor(
    readonly container: string,
    private readonly stream: NodeJS.ReadWriteStream,
  ) {}

  /** Starts the agent and waits for its first answer (so a missing agent is found at once). */
  static async start(docker: Dockerode, container: string): Promise<ContainerAgent> {
    const exec = await docker.getContainer(container).exec({
      Cmd: ['python3', '-u', AGENT_PATH],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await exec.start({ hijack: true, stdin: true })) as NodeJS.ReadWriteStream;
    const agent = new ContainerAgent(container, stream);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    docker.modem.demuxStream(stream, stdout, stderr);
    let buffered = '';
    stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        agent.answered(line);
      }
    });
    let errors = '';
    stderr.on('data', (chunk: Buffer) => {
      errors = `${errors}${chunk.toString('utf8')}`.slice(-2000);
    });
    const gone = (error?: Error) =>
      agent.fail(
        error ?? new Error(`the command agent of ${container} ended${errors ? `: ${errors.trim()}` : ''}`),
      );
    stream.on('end', () => gone());
    stream.on('close', () => gone());
    stream.on('error', (error: Error) => gone(error));
    // An idle agent must not keep the process alive; a pending command keeps its own timer.
    (stream as unknown as { unref?: () => void }).unref?.();
    const ping = await agent.run(['true'], {}, 10_000);
    if (ping.exitCode !== 0) throw new Error(`the command agent of ${container} does not run commands`);
    return agent;
  }

  get alive(): boolean {
    return this.closed === undefined;
  }

  /** Runs argv; resolves with its exit code and output, rejects when the agent is gone or after `timeoutMs`. */
  run(argv: readonly string[], options: AgentRunOptions, timeoutMs: number): Promise<AgentResult> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    const request: Record<string, unknown> = { id, argv };
    if (options.input !== undefined) request.stdin = Buffer.from(options.input).toString('base64');
    else if (options.stdinUntil) request.holdStdin = true;
    return new Promise<AgentResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer from ${this.container} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      const close = () => this.send({ id, closeStdin: true });
      const settle = () => {
        clearTimeout(timer);
        options.stdinUntil?.removeEventListener('abort', close);
      };
      this.pending.set(id, {
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      this.send(request);
      if (options.stdinUntil?.aborted) close();
      else options.stdinUntil?.addEventListener('abort', close, { once: true });
    });
  }

  /** Ends the agent: it answers what runs and exits. */
  close(): void {
    if (!this.closed) this.stream.end();
  }

  private send(message: Record<string, unknown>): void {
    if (this.closed) return;
    this.stream.write(`${JSON.stringify(message)}\n`);
  }

  private answered(line: string): void {
    if (!line.trim()) return;
    let answer: Answer;
    try {
      answer = JSON.parse(line) as Answer;
    } catch {
      return;
    }
    const waiting = this.pending.get(answer.id);
    if (!waiting) return;
    this.pending.delete(answer.id);
    waiting.resolve({
      exitCode: answer.exit,
      stdoutBytes: Buffer.from(answer.stdout, 'base64'),
      stderr: Buffer.from(answer.stderr, 'base64').toString('utf8'),
    });
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

const agents = new Map<string, Promise<ContainerAgent | undefined>>();

/**
 * The container's agent, started on first use; undefined where there is none (an image without
 * it, a container that is not running, or `EC_LAB_EXEC=docker`): then the caller uses docker exec.
 */
export async function agentFor(docker: Dockerode, container: string): Promise<ContainerAgent | undefined> {
  if (process.env.EC_LAB_EXEC === 'docker') return undefined;
  const known = agents.get(container);
  if (known) {
    const agent = await known;
    if (!agent || agent.alive) return agent;
    agents.delete(container);
  }
  let retry = false;
  const started = ContainerAgent.start(docker, container).catch((error: unknown) => {
    // A container that is not there or not running yet: ask again next time. Anything else
    // (an image without the agent): docker exec for this container from now on.
    const status = (error as { statusCode?: number }).statusCode;
    retry = status === 404 || status === 409;
    return undefined;
  });
  agents.set(container, started);
  const agent = await started;
  if (!agent && retry) agents.delete(container);
  return agent;
}

/** Ends the agents of these containers (e.g. before they are removed). */
export async function closeAgents(containers: readonly string[]): Promise<void> {
  for (const container of containers) {
    const agent = await agents.get(container);
    agents.delete(container);
    agent?.close();
  }
}
