/**
 * Serves a report directory on 127.0.0.1 (a free port): index.html and the artifacts beside it,
 * nothing outside the directory (paths are resolved, symlinks included, and must stay inside).
 */
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, readdir, realpath } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
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

/**
 * The file a request path names inside `root`, or undefined when it is outside, absent, or reached
 * through a symbolic link (the real path must be the path asked for). A directory stands for its
 * index.html, judged as if asked for by name: `/` once served the target of a linked index.html
 * (/etc/passwd) while `/index.html` was refused (hostile round 5).
 */
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
  if (!real || real !== wanted) return undefined;
  const inside = relative(root, real);
  if (inside.startsWith('..') || inside.startsWith(sep) || resolve(root, inside) !== real) return undefined;
  const info = await lstat(real).catch(() => undefined);
  if (info?.isDirectory()) return resolveInside(root, `/${join(inside, REPORT_FILES.html)}`);
  return info?.isFile() ? real : undefined;
}

/**
 * Opens a file resolveInside chose, judged again on the open descriptor: a regular file with one
 * name. Not a link put there since (O_NOFOLLOW), not a FIFO (O_NONBLOCK, and fstat), and not a
 * hard link: its other name may be any file of this host the report's author could link (the
 * merged-report case of hostile round 5's F2).
 */
async function openServed(file: string): Promise<FileHandle | undefined> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    () => undefined,
  );
  if (!handle) return undefined;
  const info = await handle.stat().catch(() => undefined);
  if (info?.isFile() && info.nlink === 1) return handle;
  await handle.close();
  return undefined;
}

/**
 * Why `dir` is no report directory to serve (undefined: it is one): its index.html must be there,
 * a regular file (not a link, a FIFO or a directory, which would serve nothing or another file).
 */
export async function notAReport(dir: string): Promise<string | undefined> {
  const info = await lstat(join(dir, REPORT_FILES.html)).catch(() => undefined);
  if (!info) return `no ${REPORT_FILES.html} there`;
  if (info.isFile()) return undefined;
  const kind = info.isSymbolicLink()
    ? 'a symbolic link'
    : info.isDirectory()
      ? 'a directory'
      : info.isFIFO()
        ? 'a FIFO'
        : 'a device or socket';
  return `${REPORT_FILES.html} is not a regular file (${kind})`;
}

export interface ReportServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Answers one GET or HEAD: the file, or 404. */
async function serveFile(root: string, url: string, head: boolean, response: ServerResponse): Promise<void> {
  const file = await resolveInside(root, url);
  const handle = file ? await openServed(file) : undefined;
  if (!file || !handle) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  response.writeHead(200, { 'content-type': typeOf(file), 'x-content-type-options': 'nosniff' });
  if (head) {
    await handle.close();
    response.end();
  } else {
    // pipeline: a client gone early closes the file too.
    await pipeline(handle.createReadStream(), response).catch(() => undefined);
  }
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
    serveFile(root, request.url ?? '/', request.method === 'HEAD', response).catch(() =>
      response.writeHead(500).end(),
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
    const info = await lstat(join(dir, REPORT_FILES.html)).catch(() => undefined);
    if (info?.isFile() && (!newest || info.mtimeMs > newest.time)) newest = { dir, time: info.mtimeMs };
  }
  return newest?.dir;
}
