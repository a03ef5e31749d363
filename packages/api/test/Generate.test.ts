/**
 * The committed generated code is what the spec and the patch layer generate: CI fails when someone edits a
 * generated file by hand, or changes the generator, the patches or the spec without running `pnpm generate`.
 */
import { assert, describe, it } from "@effect/vitest"
import { differences, generate } from "../scripts/generate.js"

describe("pnpm generate", () => {
  it("regenerating changes nothing", () => {
    const generated = generate()
    assert.isAbove(generated.files.size, 100)
    assert.deepStrictEqual(differences(generated), [])
  }, 60_000)
})
