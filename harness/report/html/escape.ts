import { escapeUntrustedLines } from '../../common/escape.js';

/** HTML text and attribute escaping: everything a report shows comes from tool output. */
export function esc(text: string | number | undefined): string {
  return escapeUntrustedLines(String(text ?? ''))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A relative link inside the report directory: each path segment URL-encoded. */
export function href(path: string): string {
  return esc(
    path
      .split('/')
      .map((segment) => encodeURIComponent(segment))
      .join('/'),
  );
}
