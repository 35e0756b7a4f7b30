/**
 * The README reads in five minutes (issue #23): at most about 300 lines, with the deep material in
 * docs/ pages it links. Every relative link of the README and docs/ leads to a file that exists,
 * and every #anchor to a heading of that file (GitHub's slugs), so nothing moved is lost behind a
 * dead link.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PAGES = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1] as string)));
}

describe('the README and docs/', () => {
  it('keep the README short', () => {
    expect(readFileSync('README.md', 'utf8').split('\n').length).toBeLessThanOrEqual(300);
  });

  it('link only to files and headings that exist', () => {
    const dead: string[] = [];
    for (const page of PAGES) {
      const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:/.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const file = path === '' ? page : join(dirname(page), path);
        if (!existsSync(file)) dead.push(`${page}: ${target} (no ${file})`);
        else if (anchor && file.endsWith('.md') && !anchorsOf(file).has(anchor))
          dead.push(`${page}: ${target} (no heading #${anchor} in ${file})`);
      }
    }
    expect(dead).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('Keeping an environment up (`up`, `down`, `status`)')).toBe(
      'keeping-an-environment-up-up-down-status',
    );
    expect(slug('What a spec may create (the scope guard)')).toBe('what-a-spec-may-create-the-scope-guard');
  });

  it('link every docs/ page from the README or another linked page', () => {
    const linked = new Set<string>();
    for (const page of PAGES) {
      const text = readFileSync(page, 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)/g))
        if (target?.endsWith('.md')) linked.add(join(dirname(page), target));
    }
    for (const page of PAGES.filter((p) => p !== 'README.md')) expect(linked, page).toContain(page);
  });
});
