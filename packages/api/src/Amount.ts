/**
 * Amounts: bunq writes money as `{"value":"12.50","currency":"EUR"}`. The generated `Schemas.Amount` keeps `value`
 * as the exact decimal string bunq sent (validated: digits, an optional sign and fraction; never parsed into a
 * float). These helpers convert to and from `effect/BigDecimal` for arithmetic:
 *
 * ```ts
 * import * as Amount from "@effect-bunq/api/Amount"
 * import * as BigDecimal from "effect/BigDecimal"
 * import * as Option from "effect/Option"
import * as Option from "effect/Option"
 *
 * const price = Amount.make(BigDecimal.unsafeFromString("19.99"), "EUR") // { value: "19.99", currency: "EUR" }
 * const cents = Option.map(Amount.toBigDecimal(price), BigDecimal.multiply(BigDecimal.fromBigInt(100n))) // Some(1999)
 * ```
 *
 * @since 0.1.0
 */
import * as BigDecimal from "effect/BigDecimal"
import * as Option from "effect/Option"
import type * as Schemas from "./Schemas.js"

/**
 * The value of an amount as a `BigDecimal` (exact); `None` when it is absent or not a decimal number (decoding keeps
 * whatever text bunq sent; requests are checked when they are encoded).
 *
 * @since 0.1.0
 * @category conversions
 */
export const toBigDecimal = (amount: Schemas.Amount): Option.Option<BigDecimal.BigDecimal> =>
  amount.value !== undefined && decimalPattern.test(amount.value) ? BigDecimal.fromString(amount.value) : Option.none()

const decimalPattern = /^-?\d+(\.\d+)?$/

/**
 * An amount of `value` in `currency`, written the way bunq writes amounts: two decimals (`"12.50"`), or more when
 * the value has more (`"0.125"` stays exact; bunq rejects it, the amount is not rounded behind your back).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (value: BigDecimal.BigDecimal, currency: string): Schemas.Amount => {
  const normalized = BigDecimal.normalize(value)
  return {
    value: BigDecimal.format(normalized.scale < 2 ? BigDecimal.scale(normalized, 2) : normalized),
    currency
  }
}
