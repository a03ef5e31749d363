/**
 * The committed generated code is what the spec and the patch layer generate: CI fails when someone edits a
 * generated file by hand, or changes the generator, the patches or the spec without running `pnpm generate`. And the
 * generator's own guards: a request body never points at an answer-only object.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { differences, generate } from "../scripts/generate.js"
import * as patches from "../scripts/patches.js"
import { requestFormsOf } from "../scripts/schemas.js"
import type { Spec } from "../scripts/spec.js"

const spec: Spec = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../spec/openapi.json"), "utf8"))
const schemas = spec.components.schemas

/** Every request body of the spec's operations (uploads and excluded ones too: the guard must hold for all). */
const bodies = Object.values(spec.paths).flatMap((methods) =>
  Object.values(methods).flatMap((operation) => {
    const ref = operation.requestBody?.content["application/json"]?.schema.$ref
    return ref === undefined ? [] : [ref.slice(ref.lastIndexOf("/") + 1)]
  })
)

const without = (name: string): typeof patches.requestFields =>
  Object.fromEntries(Object.entries(patches.requestFields).filter(([owner]) => owner !== name))

describe("pnpm generate", () => {
  it("regenerating changes nothing", () => {
    const generated = generate()
    assert.isAbove(generated.files.size, 100)
    assert.deepStrictEqual(differences(generated), [])
  }, 60_000)

  it("no request form is a Label… object or empty: co-owners and scheduled payments take a Pointer", () => {
    const { forms, writable } = requestFormsOf(schemas, bodies)
    assert.isAbove(forms.size, 100)
    for (const form of forms) assert.notMatch(form, /^Label[A-Z]/, form)
    const target = (owner: string, field: string) => writable(owner).find(([name]) => name === field)?.[1].$ref
    assert.strictEqual(target("CoOwner", "alias"), "#/components/schemas/Pointer")
    assert.strictEqual(target("SchedulePaymentEntry", "counterparty_alias"), "#/components/schemas/Pointer")
    assert.isTrue(forms.has("Pointer"))
  })

  it("fails when a request field points at a Label… object, naming the field and the fix", () => {
    assert.throws(
      () => requestFormsOf(schemas, bodies, without("CoOwner")),
      "CoOwner.alias (in a request body) is `LabelUser`, what bunq answers with: a request names a party by a Pointer;" +
        " correct it in scripts/patches.ts `requestFields`"
    )
    assert.throws(
      () => requestFormsOf(schemas, bodies, without("SchedulePaymentEntry")),
      /^SchedulePaymentEntry\.counterparty_alias \(in a request body\) is `LabelMonetaryAccount`/
    )
    assert.throws(() => requestFormsOf(schemas, bodies, without("Payment")), /^Payment\.counterparty_alias/)
  })

  it("fails when a request field points at an object with no writable field", () => {
    const synthetic = {
      Order: { properties: { note: { type: "string" }, extra: { $ref: "#/components/schemas/Stamp" } } },
      Stamp: { properties: { created: { type: "string", readOnly: true } } }
    }
    assert.throws(
      () => requestFormsOf(synthetic, ["Order"], {}),
      "Order.extra (in a request body) is `Stamp`, which has no writable field (an empty object takes anything);" +
        " correct it in scripts/patches.ts `requestFields`"
    )
    // an empty body itself is fine: it is what an operation without fields sends (`{}`)
    assert.deepStrictEqual([...requestFormsOf(synthetic, ["Stamp"], {}).forms], ["Stamp"])
  })
})
