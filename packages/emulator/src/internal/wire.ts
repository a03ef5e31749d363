/**
 * bunq's wire format as the emulator writes it: JSON pretty or compact, slashes escaped PHP-style (`\/`), and the
 * `null`s and unknown fields dropped when the `extraFields` fidelity is off.
 *
 * @internal
 */

/** @internal */
export const serializeJson = (
  value: unknown,
  options: { readonly pretty: boolean; readonly escapeSlashes: boolean }
): string => {
  const text = options.pretty ? `${JSON.stringify(value, null, 2)}\n` : JSON.stringify(value)
  // Every `/` in JSON text sits inside a string, where `\/` is a valid escape for it.
  return options.escapeSlashes ? text.replace(/\//g, "\\/") : text
}

/** `value` without object keys whose value is `null` (recursively), for clients that want no nulls. @internal */
export const dropNulls = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(dropNulls)
  if (typeof value !== "object" || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) if (item !== null) out[key] = dropNulls(item)
  return out
}
