/**
 * Serves a report directory on 127.0.0.1 (a free port): index.html and the artifacts beside it,
 * nothing outside the directory (paths are resolved, symlinks included, and must stay inside).
 */
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../common/errors.js';
import { REPORT_FILES } from './reporters/files.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

function typeOf(path: string): string {
  // Captures and anything unknown download instead of rendering.
  return TYPES[extname(path)] ?? 'application/octet-stream';
}

/** The file a request path names inside `root`, or undefined when it is outside or absent. */
export async function resolveInside(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const wanted = resolve(root, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  const real = await realpath(wanted).catch(() => undefined);
  if (!real) return undefined;
  const inside = relative(root, real);
  if (inside.startsWith('..') || inside.startsWith(sep) || resolve(root, inside) !== real) return undefined;
  const info = await stat(real).catch(() => undefined);
  if (!info) return undefined;
  if (info.isDirectory()) {
    const index = join(real, REPORT_FILES.html);
    return (await stat(index).catch(() => undefined))?.isFile() ? index : undefined;
  }
  return info.isFile() ? real : undefined;
}

export interface ReportServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function serveReport(dir: string, port = 0): Promise<ReportServer> {
  const root = await realpath(dir).catch(() => {
    throw new UsageError(`report open ${dir}: no such directory`);
  });
  let allowedHosts: ReadonlySet<string> = new Set();
  const server = createServer((request, response) => {
    // Only this server's own names: a page elsewhere that rebinds its DNS name to 127.0.0.1
    // sends its own Host, and gets nothing (DNS rebinding).
    if (!allowedHosts.has((request.headers.host ?? '').toLowerCase())) {
      response.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    resolveInside(root, request.url ?? '/').then(
      (file) => {
        if (!file) {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
          return;
        }
        response.writeHead(200, { 'content-type': typeOf(file), 'x-content-type-options': 'nosniff' });
        if (request.method === 'HEAD') response.end();
        else createReadStream(file).pipe(response);
      },
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new UsageError(
              `report open --port ${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : 'not allowed to listen on it'}; expected a free port (or 0 for any)`,
            )
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', resolvePromise);
  });
  const address = server.address() as AddressInfo;
  allowedHosts = new Set([`127.0.0.1:${address.port}`, `localhost:${address.port}`]);
  return {
    url: `http://127.0.0.1:${address.port}/`,
    server,
    // Stops at once: the connections still open (a client holding a response, keep-alive) are
    // closed, not waited for.
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** The newest report directory under `base` (by its index.html's time). */
export async function latestReportDir(base: string): Promise<string | undefined> {
  const entries = await readdir(base, { withFileTypes: true }).catch(() => []);
  let newest: { dir: string; time: number } | undefined;
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = join(base, entry.name);
    const info = await stat(join(dir, REPORT_FILES.html)).catch(() => undefined);
    if (info && (!newest || info.mtimeMs > newest.time)) newest = { dir, time: info.mtimeMs };
  }
  return newest?.dir;
}
