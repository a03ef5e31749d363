/**
 * Lenient decoding, for every generated schema: arbitrary JSON never makes a decoder throw (a failure is a value),
 * unknown fields are ignored, `null` reads as absent, and a "one of" object with a wrapper key this version does not
 * know, or a known one that does not match, decodes to `Unknown` with the raw JSON.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck, Redacted, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Schemas from "../src/Schemas.js"

const all = Object.entries(Schemas as unknown as Record<string, Schema.Schema<any, any>>).filter(([, value]) =>
  Schema.isSchema(value)
)

describe("generated decoders", () => {
  it("there is a schema for every object of the spec and every request body", () => {
    assert.isAtLeast(all.length, 711 + 100)
  })

  it("never throw on arbitrary JSON", () => {
    const decoders = all.map(([name, schema]) => [name, Schema.decodeUnknownEither(schema)] as const)
    FastCheck.assert(
      FastCheck.property(FastCheck.jsonValue({ maxDepth: 4 }), FastCheck.nat(decoders.length - 1), (json, index) => {
        const [name, decode] = decoders[index]!
        try {
          decode(json)
        } catch (error) {
          throw new Error(`${name} threw: ${String(error)}`)
        }
      }),
      { numRuns: 5_000 }
    )
    // and every decoder on objects whose fields are arbitrary JSON
    for (const [name, decode] of decoders) {
      FastCheck.assert(
        FastCheck.property(FastCheck.dictionary(FastCheck.string(), FastCheck.jsonValue({ maxDepth: 2 })), (json) => {
          try {
            decode(json)
          } catch (error) {
            throw new Error(`${name} threw: ${String(error)}`)
          }
        }),
        { numRuns: 5 }
      )
    }
  })

  it("unknown fields are ignored and null reads as absent", () => {
    const decoded = Schema.decodeUnknownSync(Schemas.PaymentListing)({
      id: 1,
      description: null,
      a_field_bunq_adds_next_year: { anything: true }
    })
    assert.deepStrictEqual(decoded, { id: 1 })
  })

  it("an unknown wrapper key or a member that does not match decodes to Unknown with the raw JSON", () => {
    const raw = { MonetaryAccountQuantum: { id: 9 } }
    assert.deepStrictEqual(Schema.decodeUnknownSync(Schemas.MonetaryAccountListing)(raw), {
      _tag: "Unknown",
      typeName: "MonetaryAccountQuantum",
      raw
    })
    assert.deepStrictEqual(
      Schema.decodeUnknownSync(Schemas.MonetaryAccountListing)({ MonetaryAccountSavings: { id: 3 } }),
      {
        _tag: "MonetaryAccountSavings",
        value: { id: 3 }
      }
    )
    // null members are skipped: the first non-null key is the type
    assert.deepStrictEqual(
      Schema.decodeUnknownSync(Schemas.EventObject)({ Payment: null, RequestInquiry: { id: 4 } }),
      { _tag: "RequestInquiry", value: { id: 4 } }
    )
    // a known member that does not match decodes to Unknown too, saying why, and encodes back to what came
    const broken = { Payment: { id: "four", description: "s3cr3t-ish" } }
    const decoded = Schema.decodeUnknownSync(Schemas.EventObject)(broken)
    assert.deepStrictEqual(decoded, {
      _tag: "Unknown",
      typeName: "Payment",
      raw: broken,
      issue: "Cannot decode Payment: [\"id\"] expected number | null"
    })
    assert.deepStrictEqual(Schema.encodeSync(Schemas.EventObject)(decoded), broken)
    // not an object at all still fails, as a value
    assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Schemas.EventObject)(["Payment"])))
    // and encoding writes the wrapper back
    assert.deepStrictEqual(Schema.encodeSync(Schemas.EventObject)({ _tag: "Payment", value: { id: 4 } }), {
      Payment: { id: 4 }
    })
    assert.deepStrictEqual(
      Schema.encodeSync(Schemas.MonetaryAccountListing)({ _tag: "Unknown", typeName: "X", raw }),
      raw
    )
  })

  it("amounts stay exact strings; a request amount must be a decimal", () => {
    const amount = Schema.decodeUnknownSync(Schemas.Amount)({ value: "0.10", currency: "EUR" })
    assert.strictEqual(amount.value, "0.10")
    const body = { amount: { value: "12,50", currency: "EUR" } }
    assert.isTrue(Either.isLeft(Schema.encodeEither(Schemas.PaymentBody)(body as any)))
    assert.isTrue(
      Either.isRight(Schema.encodeEither(Schemas.PaymentBody)({ amount: { value: "12.50", currency: "EUR" } } as any))
    )
  })
})

describe("secret fields", () => {
  // every field of the spec whose name says it holds a secret; the patch layer (`secretFields`) must list it, or say
  // why not (an iDEAL/Sofort QR token is printed on the QR code)
  const secretName = /secret|token_value|pin_code$|cvc2$|^token$/
  const notSecret: ReadonlySet<string> = new Set(["TokenQrRequestIdeal.token", "TokenQrRequestSofort.token"])
  const spec = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../spec/openapi.json"), "utf8")) as {
    readonly components: {
      readonly schemas: Record<string, { readonly properties?: Record<string, { readonly type?: string }> }>
    }
  }
  const fields = Object.entries(spec.components.schemas).flatMap(([name, schema]) =>
    Object.entries(schema.properties ?? {}).filter(([field, p]) =>
      p.type === "string" && secretName.test(field) && !notSecret.has(`${name}.${field}`)
    ).map(([field]) => [name, field] as const)
  )

  it("decode as Redacted (never printed) and encode back to the plain string, in answers and request bodies", () => {
    assert.isAtLeast(fields.length, 10)
    const withBodies = fields.flatMap(([name, field]) => [[name, field], [`${name}Body`, field]] as const)
    let checked = 0
    for (const [name, field] of withBodies) {
      const schema = (Schemas as unknown as Record<string, Schema.Schema<any, any>>)[name]
      if (schema === undefined) continue
      const result = Schema.decodeUnknownEither(schema)({ [field]: "s3cr3t-value" })
      // a request body may require other fields (the registration bodies); answer forms never fail
      if (Either.isLeft(result) && name.endsWith("Body")) continue
      const decoded = Either.getOrThrow(result)
      if (!(field in decoded)) continue // a body without the field (read-only)
      assert.isTrue(Redacted.isRedacted(decoded[field]), `${name}.${field} is Redacted`)
      assert.notInclude(JSON.stringify(decoded), "s3cr3t-value", `${name}.${field} does not print`)
      assert.strictEqual(Schema.encodeSync(schema)(decoded)[field], "s3cr3t-value", `${name}.${field} encodes`)
      checked++
    }
    assert.isAtLeast(checked, fields.length)
  })
})
