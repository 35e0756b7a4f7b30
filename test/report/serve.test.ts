/**
 * `report open DIR`: serves index.html and the artifacts on 127.0.0.1, refuses everything
 * outside DIR (.., encoded .., a symlink out), and stops on Ctrl-C. Through the CLI.
 */
import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveReport } from '../../harness/report/serve.js';
import { CLI, cli } from '../support/cli.js';

/** GET with the path sent as written (no normalisation of `..`, unlike fetch). */
function get(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('report open', () => {
  let dir: string;
  let report: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-serve-'));
    report = join(dir, 'report');
    await mkdir(join(report, 'artifacts', 'ns'), { recursive: true });
    await writeFile(join(report, 'index.html'), '<!doctype html><title>report</title>');
    await writeFile(join(report, 'artifacts', 'ns', 'probe one.pcap'), 'PCAP');
    await writeFile(join(dir, 'secret.txt'), 'outside');
    await symlink(join(dir, 'secret.txt'), join(report, 'link.txt'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the report and its artifacts, nothing outside the directory, and stops on Ctrl-C', async () => {
    const child = execa('node', [CLI, 'report', 'open', report], { reject: false });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (match) resolve(match[1] as string);
      });
      child.then((r) => reject(new Error(`report open ended: ${r.stderr}`)));
    });
    try {
      expect((await get(url, '/')).body).toContain('<title>report</title>');
      expect(await get(url, '/index.html')).toMatchObject({ status: 200 });
      expect(await get(url, '/artifacts/ns/probe%20one.pcap')).toEqual({ status: 200, body: 'PCAP' });
      for (const path of [
        '/../secret.txt',
        '/%2e%2e/secret.txt',
        '/artifacts/%2E%2E/%2E%2E/secret.txt',
        '/link.txt',
        '/nope',
      ]) {
        expect(await get(url, path), path).toEqual({ status: 404, body: 'not found\n' });
      }
    } finally {
      child.kill('SIGINT');
    }
    const result = await child;
    expect(result.exitCode).toBe(0);
  });

  it('says so when the directory holds no report', async () => {
    const result = await cli(['report', 'open', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`report open ${dir}: no index.html there`);
  });
});

describe('report open against hostile clients (issue #22)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-serve-hostile-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>report</title>');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function hostGet(url: string, host: string): Promise<number> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const req = request({ hostname, port, path: '/', headers: { host } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers only its own Host names, and stops within a second of SIGTERM with a client holding a request', async () => {
    const child = execa('node', [CLI, 'report', 'open', dir], { reject: false });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (match) resolve(match[1] as string);
      });
      child.then((r) => reject(new Error(`report open ended: ${r.stderr}`)));
    });
    const { port } = new URL(url);
    expect(await hostGet(url, `127.0.0.1:${port}`)).toBe(200);
    expect(await hostGet(url, `localhost:${port}`)).toBe(200);
    for (const host of [
      `rebound.example.test:${port}`,
      'evil.example.test',
      `127.0.0.1:${Number(port) + 1}`,
    ]) {
      expect(await hostGet(url, host), host).toBe(421);
    }
    // A client that never finishes its request: the server would wait for its headers (60 s).
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    socket.on('error', () => {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    child.kill('SIGTERM');
    const result = await child;
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result.exitCode).toBe(0);
    socket.destroy();
  });

  it('says in one line, exit 2, that the port is in use', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const result = await cli(['report', 'open', dir, '--port', String(port)]);
      expect(result.code).toBe(2);
      const lines = result.stderr.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`--port ${port}: the port is in use`);
      expect(result.stderr).not.toMatch(/--debug|\n\s+at /);
    } finally {
      busy.close();
    }
  });
});

// Hostile round 5 (F6): `/` served the target of a linked index.html (/etc/passwd) while
// `/index.html` was refused; a FIFO or a directory as index.html was served as a report (404 for
// everything); a hard-linked file (the merged-report case of F2) was served.
describe('report open of a hostile report folder (round 5)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ec-serve-r5-'));
    await writeFile(join(dir, 'outside.txt'), 'OUTSIDE-SECRET');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a symbolic link to a file outside', 'a symbolic link'],
    ['a FIFO', 'a FIFO'],
    ['a directory', 'a directory'],
  ])('refuses at start, one line exit 2, a folder whose index.html is %s', async (kind, what) => {
    const report = join(dir, kind.replace(/\W+/g, '-'));
    await mkdir(report, { recursive: true });
    const index = join(report, 'index.html');
    if (what === 'a symbolic link') await symlink(join(dir, 'outside.txt'), index);
    if (what === 'a FIFO') execFileSync('mkfifo', [index]);
    if (what === 'a directory') await mkdir(index);
    const result = await cli(['report', 'open', report], { timeout: 20_000 });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `egress-conformance: report open ${report}: index.html is not a regular file (${what}); expected a report directory`,
    ]);
  });

  it('judges / as /index.html (a link put there after start is refused), and serves no hard-linked file', async () => {
    const report = join(dir, 'swapped');
    await mkdir(join(report, 'artifacts'), { recursive: true });
    await writeFile(join(report, 'index.html'), '<!doctype html><title>report</title>');
    await writeFile(join(report, 'artifacts', 'own.pcap'), 'PCAP');
    await link(join(dir, 'outside.txt'), join(report, 'artifacts', 'linked.pcap'));
    const served = await serveReport(report);
    try {
      expect(await get(served.url, '/')).toMatchObject({ status: 200 });
      expect(await get(served.url, '/artifacts/own.pcap')).toEqual({ status: 200, body: 'PCAP' });
      expect(await get(served.url, '/artifacts/linked.pcap')).toEqual({ status: 404, body: 'not found\n' });
      await rm(join(report, 'index.html'));
      await symlink(join(dir, 'outside.txt'), join(report, 'index.html'));
      for (const path of ['/', '/index.html', '/artifacts/../']) {
        expect(await get(served.url, path), path).toEqual({ status: 404, body: 'not found\n' });
      }
    } finally {
      await served.close();
    }
  });
});
