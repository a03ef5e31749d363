/**
 * `Amount.make` writes bunq's two-decimal text for every value it takes (never `"0.1"`, `"1000"` or an exponent),
 * refuses more than two decimals with a typed error, and round-trips through `toBigDecimal` and the request schema.
 */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect, Either, FastCheck, Option, Schema } from "effect"
import * as Amount from "../src/Amount.js"
import * as Schemas from "../src/Schemas.js"

const value = (text: string) => Either.getOrThrow(Amount.make(BigDecimal.unsafeFromString(text), "EUR")).value

describe("Amount.make", () => {
  it("writes two decimals, without an exponent", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["0.10", "0.10"],
      ["0.1", "0.10"],
      ["1000", "1000.00"],
      ["1e3", "1000.00"],
      ["-0.5", "-0.50"],
      ["12.5", "12.50"],
      ["12.50", "12.50"],
      ["1.250", "1.25"],
      ["0", "0.00"],
      ["-0", "0.00"],
      ["0.01", "0.01"],
      ["-0.01", "-0.01"],
      ["1e-2", "0.01"],
      ["123456789012345678901234567890", "123456789012345678901234567890.00"],
      ["-99999999999999999.99", "-99999999999999999.99"]
    ]
    for (const [input, expected] of cases) assert.strictEqual(value(input), expected, input)
    assert.deepStrictEqual(
      Amount.make(BigDecimal.make(1999n, 2), "GBP"),
      Either.right({ value: "19.99", currency: "GBP" })
    )
  })

  it("refuses more than two decimals with AmountError, the value not in the message", () => {
    for (const [input, decimals] of [["0.125", 3], ["1e-16", 16], ["-0.001", 3], ["12.5000001", 7]] as const) {
      const error = Either.getOrThrow(Either.flip(Amount.make(BigDecimal.unsafeFromString(input), "EUR")))
      assert.strictEqual(error._tag, "AmountError", input)
      assert.strictEqual(error.reason, "TooManyDecimals", input)
      assert.strictEqual(error.decimals, decimals, input)
      assert.strictEqual(
        error.message,
        `an amount has at most 2 decimals; this one has ${decimals} (round it first, e.g. BigDecimal.round)`
      )
    }
  })

  it.effect("is an Either, so it yields in Effect.gen", () =>
    Effect.gen(function*() {
      const amount = yield* Amount.make(BigDecimal.unsafeFromString("7"), "EUR")
      assert.deepStrictEqual(amount, { value: "7.00", currency: "EUR" })
      const error = yield* Effect.flip(Amount.make(BigDecimal.unsafeFromString("7.001"), "EUR"))
      assert.strictEqual(error._tag, "AmountError")
    }))

  it("round-trips every whole number of cents: two decimals, toBigDecimal gives it back, the request schema takes it", () => {
    const encode = Schema.encodeEither(Schemas.AmountBody)
    FastCheck.assert(
      FastCheck.property(FastCheck.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (cents) => {
        const amount = Either.getOrThrow(Amount.make(BigDecimal.make(cents, 2), "EUR"))
        assert.match(amount.value!, /^-?(0|[1-9]\d*)\.\d{2}$/)
        assert.strictEqual(
          amount.value,
          `${cents < 0n ? "-" : ""}${(cents < 0n ? -cents : cents) / 100n}.${
            String((cents < 0n ? -cents : cents) % 100n).padStart(2, "0")
          }`
        )
        const back = Option.getOrThrow(Amount.toBigDecimal(amount))
        assert.isTrue(BigDecimal.equals(back, BigDecimal.make(cents, 2)))
        assert.isTrue(Either.isRight(encode(amount)))
      }),
      { numRuns: 2_000 }
    )
  })

  it("any scale: a value with at most two decimals after normalizing is written exactly, others refused", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        FastCheck.integer({ min: -20, max: 20 }),
        (digits, scale) => {
          const input = BigDecimal.make(digits, scale)
          const made = Amount.make(input, "EUR")
          if (BigDecimal.normalize(input).scale > 2) {
            assert.isTrue(Either.isLeft(made))
          } else {
            const back = Option.getOrThrow(Amount.toBigDecimal(Either.getOrThrow(made)))
            assert.isTrue(BigDecimal.equals(back, input))
          }
        }
      ),
      { numRuns: 2_000 }
    )
  })
})
