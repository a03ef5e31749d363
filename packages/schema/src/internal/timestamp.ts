import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"

/** The date and the time of day, each as ISO 8601 writes it, and the fraction of a second. */
const PATTERN = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$/

/**
 * The exact text a `DateTime.Utc` was decoded from, so that encoding a decoded timestamp gives back the same text
 * with its microseconds (`DateTime` only keeps milliseconds).
 *
 * @internal
 */
const originalText: WeakMap<DateTime.Utc, string> = new WeakMap()

/**
 * The text read as ISO 8601 in UTC, to the millisecond. `Date` rolls over out-of-range parts (February 30 becomes
 * March 2, 24:00 the next day) or gives an invalid date, so the text is a real date and time exactly when the date
 * written back as ISO 8601 starts with the same date and time.
 *
 * @internal
 */
export const parse = (text: string): Option.Option<DateTime.Utc> => {
  const match = PATTERN.exec(text)
  if (match === null) return Option.none()
  const iso = `${match[1]}T${match[2]}`
  const date = new Date(`${iso}.${(match[3] ?? "").padEnd(3, "0").slice(0, 3)}Z`)
  // `toJSON` is `null` for an invalid date
  if (!date.toJSON()?.startsWith(iso)) return Option.none()
  const result = DateTime.unsafeFromDate(date)
  originalText.set(result, text)
  return Option.some(result)
}

/**
 * bunq's format: ISO 8601 with a space for the `T` and microseconds. Years 0 to 9999 only (ISO 8601 writes the others
 * with a sign and six digits).
 *
 * @internal
 */
export const format = (dateTime: DateTime.Utc): Option.Option<string> => {
  const original = originalText.get(dateTime)
  if (original !== undefined) return Option.some(original)
  const iso = DateTime.formatIso(dateTime)
  return iso.length === 24 ? Option.some(`${iso.slice(0, 10)} ${iso.slice(11, 23)}000`) : Option.none()
}
