/**
 * Text that should hold one JSON object, from a file or a process the tool does not trust (a
 * lease another process wrote, a line a shell printed): the object, or undefined for anything
 * else (not JSON, an array, null, a bare value), never an exception.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}
