/**
 * Amounts: bunq writes money as `{"value":"12.50","currency":"EUR"}`. The generated `Schemas.Amount` keeps `value`
 * as the exact decimal string bunq sent (validated: digits, an optional sign and fraction; never parsed into a
 * float). These helpers convert to and from `effect/BigDecimal` for arithmetic:
 *
 * ```ts
 * import * as Amount from "@effect-bunq/api/Amount"
 * import * as BigDecimal from "effect/BigDecimal"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 *
 * const order = Effect.gen(function*() {
 *   const price = yield* Amount.make(BigDecimal.unsafeFromString("19.9"), "EUR") // { value: "19.90", currency: "EUR" }
 *   const cents = Option.map(Amount.toBigDecimal(price), BigDecimal.multiply(BigDecimal.fromBigInt(100n))) // Some(1990)
 *   return { price, cents }
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as BigDecimal from "effect/BigDecimal"
import * as Data from "effect/Data"
import * as Either from "effect/Either"
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
 * An amount `make` refuses: `TooManyDecimals` when the value has more than two decimals (`0.125`). bunq takes two
 * (its spec: "the amount formatted to two decimal places"); rounding money is a decision for the caller
 * (`BigDecimal.round(value, { scale: 2, mode: … })`), never made behind their back. The message holds no value.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmountError extends Data.TaggedError("AmountError")<{
  readonly reason: "TooManyDecimals"
  /** How many decimals the value has. */
  readonly decimals: number
}> {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `an amount has at most 2 decimals; this one has ${this.decimals} (round it first, e.g. BigDecimal.round)`
  }
}

/**
 * An amount of `value` in `currency`, written the way bunq writes amounts: two decimals, no exponent (`12.5` →
 * `"12.50"`, `1000` → `"1000.00"`, `-0.5` → `"-0.50"`). A value with more than two decimals (after dropping trailing
 * zeros: `1.250` is fine) is an `AmountError`, not rounded. `Either` is an `Effect`, so `yield*` it in `Effect.gen`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (value: BigDecimal.BigDecimal, currency: string): Either.Either<Schemas.Amount, AmountError> => {
  const normalized = BigDecimal.normalize(value)
  if (normalized.scale > 2) {
    return Either.left(new AmountError({ reason: "TooManyDecimals", decimals: normalized.scale }))
  }
  return Either.right({ value: format(normalized.value * 10n ** BigInt(2 - normalized.scale)), currency })
}

/** Cents as bunq's decimal text: `1250n` → `"12.50"`, `-5n` → `"-0.05"`. */
const format = (cents: bigint): string => {
  const digits = (cents < 0n ? -cents : cents).toString().padStart(3, "0")
  return `${cents < 0n ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`
}
