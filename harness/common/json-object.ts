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

/** A plain object of parsed JSON or YAML (a manifest, a field of one). */
export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The object under `key` of `value`, or an empty one when either is not an object. */
export const objectAt = (value: unknown, key: string): JsonObject => {
  const inner = isJsonObject(value) ? value[key] : undefined;
  return isJsonObject(inner) ? inner : {};
};
