/** The money commands' own checks, in process: amounts (never a float) and counterparty pointers. */
import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseAmount, pointer } from "../src/internal/moneyApi.js"

describe("parseAmount", () => {
  it("takes a positive decimal with at most two decimals and writes it as bunq does", () => {
    for (
      const [input, output] of [["12", "12.00"], ["12.3", "12.30"], ["12.34", "12.34"], ["0.01", "0.01"], [
        "007.5",
        "7.50"
      ]]
    ) {
      expect(Effect.runSync(parseAmount(input))).toBe(output)
    }
  })
  it("refuses anything else with one line naming the value", () => {
    for (const input of ["abc", "1.234", "-1", "0", "0.00", "1e3", "1,50", "", " "]) {
      const result = Effect.runSync(Effect.either(parseAmount(input)))
      expect(Either.isLeft(result), input).toBe(true)
      if (Either.isLeft(result)) expect(result.left.message).toContain(`(got "${input}")`)
    }
  })
})

describe("pointer", () => {
  it("is an EMAIL for an address, an IBAN (spaces out, upper case) otherwise", () => {
    expect(pointer("a@b.nl", undefined)).toEqual({ type: "EMAIL", value: "a@b.nl" })
    expect(pointer("nl91 abna 0417 1643 00", "J. de Boer")).toEqual({
      type: "IBAN",
      value: "NL91ABNA0417164300",
      name: "J. de Boer"
    })
  })
})
