import { Common, Envelope } from "@effect-bunq/schema"
import { assert, describe, it } from "@effect/vitest"
import { Either, JSONSchema, Option, Schema } from "effect"
import * as optional_ from "../src/internal/optional.js"

/** An AST as JSON, symbol-keyed annotations included (functions, such as the transformations, are left out). */
const show = (ast: unknown): string =>
  JSON.stringify(ast, (_, value) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Reflect.ownKeys(value).map((key) => [String(key), value[key]]))
      : value)

const PageUrl = Schema.String.annotations({ identifier: "PageUrl" })

describe("internal/optional: the signatures Schema.optionalWith builds", () => {
  it("nullableExact", () => {
    const ours = optional_.nullableExact(Schema.NumberFromString)
    const theirs = Schema.optionalWith(Schema.NumberFromString, { nullable: true, exact: true })
    assert.strictEqual(show(ours.ast), show(theirs.ast))
    assert.strictEqual(ours.from, theirs.from)
    assert.strictEqual(show(ours.annotations({ title: "t" }).ast), show(theirs.annotations({ title: "t" }).ast))
  })

  it("nullableOption, with and without onNoneEncoding (no \"Option<…>\" description on the type side)", () => {
    const onNone = () => Option.some(null)
    assert.strictEqual(
      show(optional_.nullableOption(PageUrl, onNone).ast),
      show(Schema.optionalWith(PageUrl, { nullable: true, as: "Option", onNoneEncoding: onNone }).ast)
    )
    assert.strictEqual(
      show(optional_.nullableOption(PageUrl).ast),
      show(Schema.optionalWith(PageUrl, { nullable: true, as: "Option" }).ast)
    )
  })

  it("the JSON Schema of Pagination and Envelope is that of optionalWith's fields", () => {
    const theirs = Schema.Struct({
      future_url: Schema.optionalWith(PageUrl, { nullable: true, as: "Option" }),
      x: Common.optional(Schema.String)
    })
    const ours = Schema.Struct({ future_url: optional_.nullableOption(PageUrl), x: Common.optional(Schema.String) })
    assert.deepStrictEqual(JSONSchema.make(ours), JSONSchema.make(theirs))
    assert.notInclude(JSON.stringify(JSONSchema.make(Envelope.Envelope)), "Option<")
  })

  it("a wrong value in the constructor is reported as before", () => {
    const result = Either.try(() => new Envelope.Envelope({ Response: [], Pagination: 3 as never }))
    assert.isTrue(Either.isLeft(result))
    assert.include(String(Either.isLeft(result) ? result.left : ""), "Expected <declaration schema>, actual 3")
  })
})
