/**
 * The table and field renderers: every cell is made printable (control characters shown as `\xNN`, so a value from
 * bunq or a callback cannot move the cursor, clear the screen or forge a row); colors come only from painted cells.
 */
import { describe, expect, it } from "vitest"
import * as Output from "../src/internal/output.js"

const controls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

describe("Output", () => {
  it("printable escapes C0, C1 and DEL and keeps everything else", () => {
    expect(Output.printable("a\u001b[2Jb\nc\rd\te\u007ff\u009bg\u0085h\u0000")).toBe(
      "a\\x1b[2Jb\\x0ac\\x0dd\\x09e\\x7ff\\x9bg\\x85h\\x00"
    )
    expect(Output.printable("Café € 12,50 — ✓ 😀")).toBe("Café € 12,50 — ✓ 😀")
  })

  it("printable escapes bidirectional controls and Unicode line separators, which would reorder or split a row", () => {
    expect(Output.printable("pay \u202e00.01 RUE\u202c ok")).toBe("pay \\u202e00.01 RUE\\u202c ok")
    expect(Output.printable("a\u2066b\u2069c\u200ed\u200fe\u061cf\u2028g\u2029h")).toBe(
      "a\\u2066b\\u2069c\\u200ed\\u200fe\\u061cf\\u2028g\\u2029h"
    )
    // neighbours of the escaped ranges stay as they are
    expect(Output.printable("\u2027\u202f\u2065\u206a\u200d")).toBe("\u2027\u202f\u2065\u206a\u200d")
  })

  it("a table keeps one line per row and aligns on the escaped text; painted cells keep their color", () => {
    const evil = "x\u001b[31m\nFORGED  ROW\r"
    const text = Output.table(
      ["ID", "DESCRIPTION", "STATUS"],
      [["1", evil, Output.painted(Output.green, "ACTIVE")], ["22", "ok", "\u001b[32mACTIVE\u001b[39m"]],
      true
    )
    const lines = text.split("\n")
    expect(lines).toHaveLength(3)
    expect(lines[1]).toBe("1   x\\x1b[31m\\x0aFORGED  ROW\\x0d  \u001b[32mACTIVE\u001b[39m")
    // A color sequence in a value is shown, not obeyed; the column is as wide as the escaped text.
    expect(lines[2]).toBe(`22  ok${" ".repeat(28)}\\x1b[32mACTIVE\\x1b[39m`)
    expect(lines[0]).toBe(`\u001b[1mID  DESCRIPTION${" ".repeat(19)}STATUS\u001b[22m`)
    // Without color, no escape character at all.
    expect(Output.table(["A"], [[evil], [Output.painted(Output.red, "-1.00 EUR")]], false)).not.toMatch(controls)
  })

  it("fields escape their values too", () => {
    const text = Output.fields(
      [["name", "Bob\u001b]0;pwned\u0007"], ["status", Output.painted(Output.dim, "none")]],
      true
    )
    expect(text).toBe(
      "\u001b[2mname  \u001b[22m  Bob\\x1b]0;pwned\\x07\n\u001b[2mstatus\u001b[22m  \u001b[2mnone\u001b[22m"
    )
  })
})
