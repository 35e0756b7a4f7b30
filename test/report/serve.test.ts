/**
 * `report open DIR`: serves index.html and the artifacts on 127.0.0.1, refuses everything
 * outside DIR (.., encoded .., a symlink out), and stops on Ctrl-C. Through the CLI.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
