/** A plain object (not an array, not null, not a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Merges config layers: objects merge key by key, arrays and scalars replace, and `undefined`
 * in a later layer leaves the earlier value alone. Inputs are not changed.
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    // defineProperty, not assignment: a `__proto__` key stays a plain key.
    Object.defineProperty(out, key, {
      value: deepMerge(base[key], value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
