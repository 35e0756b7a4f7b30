/**
 * Access to the Docker engine: testcontainers' runtime client (which wraps dockerode) and a
 * command runner for lab containers with errors that say what failed and why.
 */
import { stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { type ContainerRuntimeClient, getContainerRuntimeClient } from 'testcontainers';
import { UsageError } from '../../../common/errors.js';
import { type AgentResult, agentFor } from './agent.js';

export type Dockerode = ContainerRuntimeClient['container']['dockerode'];
export type DockerContainer = ReturnType<Dockerode['getContainer']>;

let clientPromise: Promise<ContainerRuntimeClient> | undefined;

/**
 * The shared runtime client. The testcontainers reaper (Ryuk) is an image that cannot be pulled
 * here, and the lab removes what it made by label anyway, so the reaper is turned off.
 */
export function dockerClient(): Promise<ContainerRuntimeClient> {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  clientPromise ??= dockerHostProblem(process.env.DOCKER_HOST).then(async (problem) => {
    if (problem) throw new UsageError(problem);
    const client = await getContainerRuntimeClient().catch((error: Error) => {
      // No strategy worked: with DOCKER_HOST set, that is the engine it names not answering.
      if (!process.env.DOCKER_HOST) throw error;
      throw new UsageError(
        `DOCKER_HOST ${process.env.DOCKER_HOST}: no Docker engine answered there (${error.message}); expected a reachable engine, or DOCKER_HOST unset for the local one`,
      );
    });
    const mismatch = engineMismatch(process.env.DOCKER_HOST, client.container.dockerode);
    if (mismatch) throw new UsageError(mismatch);
    return client;
  });
  return clientPromise;
}

/**
 * Refuses a DOCKER_HOST that names no engine (one line, exit 2) before anything uses Docker: the
 * docker CLI the lab's image and preflight steps run would otherwise fail in their own words, and
 * testcontainers would fall back to the local engine.
 */
export async function checkDockerHost(): Promise<void> {
  const problem = await dockerHostProblem(process.env.DOCKER_HOST);
  if (problem) throw new UsageError(problem);
}

/**
 * Why DOCKER_HOST names no engine (undefined: unset, or a socket that exists). testcontainers
 * tries DOCKER_HOST, and when that engine does not answer moves on to /var/run/docker.sock: a
 * run meant for a remote or rootless engine would bring a lab up on the local one, unannounced.
 */
async function dockerHostProblem(dockerHost: string | undefined): Promise<string | undefined> {
  if (!dockerHost) return undefined;
  let url: URL;
  try {
    url = new URL(dockerHost);
  } catch {
    return `DOCKER_HOST ${dockerHost}: not a URL; expected unix:///path/to/docker.sock or tcp://host:port`;
  }
  if (url.protocol !== 'unix:') return undefined;
  const kind = await stat(url.pathname).then(
    (s) => (s.isSocket() ? undefined : 'is not a socket'),
    (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 'no such socket' : error.message),
  );
  return kind === undefined
    ? undefined
    : `DOCKER_HOST ${dockerHost}: ${kind}; expected the Docker engine's socket (unset DOCKER_HOST to use the local engine)`;
}

/** DOCKER_HOST named one engine and testcontainers fell back to another (it did not answer). */
function engineMismatch(dockerHost: string | undefined, docker: Dockerode): string | undefined {
  if (!dockerHost) return undefined;
  const modem = (docker as unknown as { modem?: { socketPath?: unknown; host?: unknown } }).modem ?? {};
  const url = new URL(dockerHost);
  const used = url.protocol === 'unix:' ? modem.socketPath === url.pathname : modem.host === url.hostname;
  return used
    ? undefined
    : `DOCKER_HOST ${dockerHost}: the engine there did not answer; expected a reachable Docker engine (the local one is not used in its place; unset DOCKER_HOST to use it)`;
}

export async function dockerode(): Promise<Dockerode> {
  return (await dockerClient()).container.dockerode;
}

export interface ExecOptions {
  /** Bytes written to the command's stdin (then closed). */
  input?: string | Buffer;
  /**
   * Keeps the command's stdin open until this signal aborts, then closes it: a command that
   * runs until its stdin ends (e.g. background traffic) is stopped by the caller this way.
   */
  stdinUntil?: AbortSignal;
  /** Kills the command after this long (`timeout` inside the container). Default 60 s. */
  timeoutMs?: number;
  /** Do not throw on a non-zero exit code; the caller reads `exitCode`. */
  allowFailure?: boolean;
  /** What the command does, shown in errors instead of its argv (for long scripts). */
  description?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout as bytes, for binary output (a pcap read with `cat`). */
  stdoutBytes: Buffer;
}

/** A command in a lab container failed: names the container, the command, its exit code and stderr. */
export class ExecError extends Error {
  constructor(
    readonly container: string,
    readonly argv: readonly string[],
    readonly exitCode: number,
    readonly stdout: string,
    readonly stderr: string,
    description?: string,
  ) {
    const detail = (stderr.trim() || stdout.trim()).split('\n').slice(-15).join('\n');
    const reason = exitCode === 124 ? 'timed out' : `exit code ${exitCode}`;
    const what = description ?? shellQuote(argv);
    super(`command failed in ${container} (${reason}): ${what}${detail ? `\n${detail}` : ''}`);
    this.name = 'ExecError';
  }
}

/** Quotes argv for display and for `sh -c`, so that errors can be pasted into a shell. */
export function shellQuote(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Runs argv in a running container (by name or id) and waits for it: through the container's
 * command agent (agent.ts), or one `docker exec` where it has none. Bounded: the command runs
 * under coreutils `timeout` inside the container, and the client gives up a little later.
 */
export async function execIn(
  container: string,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const docker = await dockerode();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const cmd = ['timeout', '-k', '2', String(seconds), ...argv];
  const agent = await agentFor(docker, container);
  const raw = agent
    ? await agent
        .run(
          cmd,
          {
            ...(options.input !== undefined ? { input: options.input } : {}),
            ...(options.stdinUntil ? { stdinUntil: options.stdinUntil } : {}),
          },
          (seconds + 5) * 1000,
        )
        .catch((error: Error) => {
          throw new Error(`${error.message}: ${options.description ?? shellQuote(argv)}`);
        })
    : await dockerExec(docker, container, cmd, options, seconds);
  const result: ExecResult = {
    exitCode: raw.exitCode,
    stdout: raw.stdoutBytes.toString('utf8'),
    stderr: raw.stderr,
    stdoutBytes: raw.stdoutBytes,
  };
  if (result.exitCode !== 0 && !options.allowFailure) {
    throw new ExecError(container, argv, result.exitCode, result.stdout, result.stderr, options.description);
  }
  return result;
}

/** One `docker exec` session for one command (where the container has no command agent). */
async function dockerExec(
  docker: Dockerode,
  container: string,
  cmd: string[],
  options: ExecOptions,
  seconds: number,
): Promise<AgentResult> {
  const argv = cmd.slice(4);
  const hasInput = options.input !== undefined || options.stdinUntil !== undefined;
  let exec: Awaited<ReturnType<DockerContainer['exec']>>;
  try {
    exec = await docker.getContainer(container).exec({
      Cmd: cmd,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: hasInput,
    });
  } catch (error) {
    throw new Error(
      `cannot run ${options.description ?? shellQuote(argv)} in ${container}: ${describeDockerError(error)}`,
    );
  }
  const stream = await exec.start({ hijack: true, stdin: hasInput });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => outChunks.push(chunk));
  stderr.on('data', (chunk: Buffer) => errChunks.push(chunk));
  docker.modem.demuxStream(stream, stdout, stderr);
  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        stream.destroy();
        reject(new Error(`no answer from ${container} within ${seconds + 5} s: ${shellQuote(argv)}`));
      },
      (seconds + 5) * 1000,
    );
    stream.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  if (options.input !== undefined) {
    stream.write(options.input);
    stream.end();
  } else if (options.stdinUntil) {
    const close = () => stream.end();
    if (options.stdinUntil.aborted) close();
    else {
      options.stdinUntil.addEventListener('abort', close, { once: true });
      void finished.finally(() => options.stdinUntil?.removeEventListener('abort', close)).catch(() => {});
    }
  }
  await finished;
  const info = await exec.inspect();
  return {
    exitCode: info.ExitCode ?? -1,
    stdoutBytes: Buffer.concat(outChunks),
    stderr: Buffer.concat(errChunks).toString('utf8'),
  };
}

/**
 * Runs a shell script with `sh -ec` in a container. The script is an argument, not stdin, so
 * that the commands it runs cannot read the rest of it. Errors show `description` (default: the
 * script's first line) rather than the whole script.
 */
export function execScript(container: string, script: string, options: ExecOptions = {}) {
  const description = options.description ?? `script: ${script.trim().split('\n')[0] ?? ''} ...`;
  return execIn(container, ['sh', '-ec', script], { ...options, description });
}

/** Docker API errors carry the daemon's message in `json.message` or `reason`. */
export function describeDockerError(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as {
      statusCode?: number;
      json?: { message?: string };
      reason?: string;
      message?: string;
    };
    const message = e.json?.message ?? e.message ?? e.reason ?? String(error);
    return e.statusCode ? `${message} (HTTP ${e.statusCode})` : message;
  }
  return String(error);
}

/** HTTP status of a Docker API error, if it is one. */
export function dockerStatus(error: unknown): number | undefined {
  return error && typeof error === 'object' ? (error as { statusCode?: number }).statusCode : undefined;
}
