/** Helpers for the JSON-valued columns. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined) return fallback;
  return JSON.parse(text) as T;
}

export function orUndefined<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}
