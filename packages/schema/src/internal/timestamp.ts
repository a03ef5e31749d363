import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/

/**
 * The exact text a `DateTime.Utc` was decoded from, so that encoding a decoded timestamp gives back the same text
 * with its microseconds (`DateTime` only keeps milliseconds).
 *
 * @internal
 */
const originalText: WeakMap<DateTime.Utc, string> = new WeakMap()

/** @internal */
export const parse = (text: string): Option.Option<DateTime.Utc> => {
  const match = PATTERN.exec(text)
  if (match === null) return Option.none()
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const fraction = match[7] ?? ""
  const millis = fraction === "" ? 0 : Number(fraction.padEnd(3, "0").slice(0, 3))
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, millis)
  if (
    date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day ||
    date.getUTCHours() !== hour || date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second
  ) {
    return Option.none()
  }
  const result = DateTime.unsafeFromDate(date)
  originalText.set(result, text)
  return Option.some(result)
}

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

/** @internal */
export const format = (dateTime: DateTime.Utc): Option.Option<string> => {
  const original = originalText.get(dateTime)
  if (original !== undefined) return Option.some(original)
  const date = DateTime.toDateUtc(dateTime)
  const year = date.getUTCFullYear()
  if (!(year >= 0 && year <= 9999)) return Option.none()
  return Option.some(
    `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ` +
      `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.` +
      `${pad(date.getUTCMilliseconds() * 1000, 6)}`
  )
}
