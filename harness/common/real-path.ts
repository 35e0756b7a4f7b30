/**
 * Where a path really is, before it exists: the real path (symbolic links resolved) of its nearest
 * existing ancestor, with the rest of the path appended. Output directories are compared and
 * checked this way, because a link (or a link among its ancestors) can make a new-looking path land
 * inside an input, and a path under a file (`/dev/null/x`) only fails once something is written.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** The nearest ancestor of `path` (itself included) that exists, and the part below it. */
export async function nearestExisting(path: string): Promise<{ existing: string; rest: string }> {
  let existing = resolve(path);
  const rest: string[] = [];
  for (;;) {
    if (
      await stat(existing).then(
        () => true,
        // Missing, or under a file (`/dev/null/x`): look further up. Anything else (EACCES): it is there.
        (error: NodeJS.ErrnoException) => error.code !== 'ENOENT' && error.code !== 'ENOTDIR',
      )
    )
      return { existing, rest: rest.reverse().join('/') };
    const parent = dirname(existing);
    if (parent === existing) return { existing, rest: rest.reverse().join('/') };
    rest.push(existing.slice(parent.length).replace(/^\//, ''));
    existing = parent;
  }
}

/** The real path `path` has, or will have once created (see the module comment). */
export async function realPathAhead(path: string): Promise<string> {
  const { existing, rest } = await nearestExisting(path);
  const real = await realpath(existing).catch(() => existing);
  return rest === '' ? real : join(real, rest);
}
