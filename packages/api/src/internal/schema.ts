/**
 * The builders the generated `Schemas` module is written with. The generator describes every object as data (a field
 * kind per JSON name), and `struct` turns that description into a `Schema.Struct`: one call per object, so that a
 * bundler drops every object an app does not reach (each call is marked pure).
 *
 * Hand-written rather than emitting `Schema.Struct({...})` with inferred types: 711 inferred struct types made
 * `tsc` slow; the generated module states each object's type as an interface and casts the schema built here to it.
 *
 * Decoding is lenient where bunq is: unknown fields are ignored (Effect's default), `null` for an optional field
 * decodes as absent, and a "one of" object whose wrapper key is not known, or whose known member does not match its
 * schema, decodes to `OneOf.Unknown` keeping the raw JSON (and, for a known member, why it did not decode).
 */
import { optional } from "@effect-bunq/schema/Common"
import * as SchemaDecodeError from "@effect-bunq/schema/SchemaDecodeError"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type { JsonObject, Unknown } from "../OneOf.js"

/** @internal */
export type Any = Schema.Schema<any, any, never>

/**
 * A field's kind: a JSON primitive, `"decimal"` (a decimal number as a string, never a float), `"secret"` (a string
 * held as `Redacted`, so that it never prints; the patch layer's `secretFields`), a thunk of another
 * object's schema, a one-element array of a kind (a JSON array of it), or a union of kinds (the patch layer's
 * alternatives, where bunq sends another shape than its spec says).
 *
 * @internal
 */
export type Kind =
  | "string"
  | "integer"
  | "boolean"
  | "unknown"
  | "decimal"
  | "secret"
  | (() => Any)
  | readonly [Kind]
  | { readonly union: ReadonlyArray<Kind> }

/** A decimal number as bunq writes amounts: `"12.50"`, `"-0.01"`, `"100"`. */
const decimalPattern = /^-?\d+(\.\d+)?$/

/**
 * An amount's value: a string on both sides, never a float. Decoding keeps whatever text bunq sent (bunq's own
 * examples carry placeholders; `Amount.toBigDecimal` says whether it is a number); encoding checks that it is a
 * decimal, so a request never carries `"12,50"` or `"1e3"`.
 *
 * @internal
 */
export const Decimal: Schema.Schema<string> = Schema.transformOrFail(Schema.String, Schema.String, {
  strict: true,
  decode: ParseResult.succeed,
  encode: (value, _, ast) =>
    decimalPattern.test(value)
      ? ParseResult.succeed(value)
      : ParseResult.fail(new ParseResult.Type(ast, value, "expected a decimal number such as \"12.50\""))
}).annotations({ identifier: "Decimal", description: "a decimal number as a string, e.g. \"12.50\"" })

/** A secret string: `Redacted` once decoded, the plain string only in the JSON sent or received. */
const Secret: Any = Schema.Redacted(Schema.String)

const kindSchema = (kind: Kind): Any => {
  switch (kind) {
    case "string":
      return Schema.String
    case "integer":
      return Schema.Number
    case "boolean":
      return Schema.Boolean
    case "unknown":
      return Schema.Unknown
    case "decimal":
      return Decimal
    case "secret":
      return Secret
    default:
      return typeof kind === "function"
        ? Schema.suspend(kind)
        : "union" in kind
        ? Schema.Union(...kind.union.map(kindSchema))
        : Schema.Array(kindSchema(kind[0]))
  }
}

/**
 * `null` decodes as absent. The optional fields are what `Schema.optionalWith(schema, { nullable: true, exact })`
 * builds: the exact ones are the schema package's `Common.optional`, the others are written here with
 * `optionalToOptional`. `optionalWith` carries the code of all its option combinations (≈ 0.25 KB gzipped in a
 * browser app).
 */
const notNull = /* @__PURE__ */ Option.filter(Predicate.isNotNull)

const build = (
  identifier: string,
  fields: Readonly<Record<string, Kind>>,
  required: ReadonlyArray<string>,
  exact: boolean
): Any => {
  const built: Record<string, Any | Schema.PropertySignature.All> = {}
  for (const [name, kind] of Object.entries(fields)) {
    const schema = kindSchema(kind)
    built[name] = required.includes(name)
      ? schema
      : exact
      ? optional(schema)
      : Schema.optionalToOptional(Schema.NullishOr(schema), Schema.UndefinedOr(Schema.typeSchema(schema)), {
        decode: notNull,
        encode: identity
      })
  }
  return Schema.Struct(built).annotations({ identifier }) as unknown as Any
}

/**
 * An object: every field optional (absent or `null`) except the `required` ones; unknown fields ignored.
 *
 * @internal
 */
export const struct = (
  identifier: string,
  fields: Readonly<Record<string, Kind>>,
  required: ReadonlyArray<string> = []
): Any => build(identifier, fields, required, true)

/**
 * A request body (`PaymentBody`): as `struct`, and an optional field may also be `undefined`, which is sent as absent
 * (its type says `field?: T | undefined`, so `description: maybeText` type-checks without
 * `exactOptionalPropertyTypes`, and must not fail to encode).
 *
 * @internal
 */
export const body = (
  identifier: string,
  fields: Readonly<Record<string, Kind>>,
  required: ReadonlyArray<string> = []
): Any => build(identifier, fields, required, false)

const isObject = (input: unknown): input is JsonObject =>
  typeof input === "object" && input !== null && !Array.isArray(input)

/** A member by wrapper key: own keys only (a key such as `"valueOf"` is not a member). */
const memberOf = (members: Readonly<Record<string, () => Any>>, key: string): (() => Any) | undefined =>
  Object.prototype.hasOwnProperty.call(members, key) ? members[key] : undefined

/**
 * A "one of" object (`{"MonetaryAccountBank": {...}}`): decoded into `{ _tag: "MonetaryAccountBank", value }` by its
 * wrapper key, the first key whose value is not `null`. A key that is not a known member decodes to
 * `{ _tag: "Unknown", typeName, raw }` keeping the raw JSON; so does a known member that does not match its schema,
 * with `issue` saying why (paths and expected types, no values: `SchemaDecodeError`'s message), so that one odd
 * object never fails a whole list page or a callback. Encoding writes the wrapper back (`Unknown` encodes to its raw
 * JSON, so a member that did not decode is sent back exactly as it came).
 *
 * @internal
 */
export const oneOf = (identifier: string, members: Readonly<Record<string, () => Any>>): Any =>
  Schema.transformOrFail(Schema.Unknown, Schema.Any, {
    strict: true,
    decode: (input, options, ast) => {
      if (!isObject(input)) return ParseResult.fail(new ParseResult.Type(ast, input, `expected a ${identifier} object`))
      const key = Object.keys(input).find((name) => input[name] !== null && input[name] !== undefined)
      const member = key === undefined ? undefined : memberOf(members, key)
      if (key === undefined || member === undefined) {
        const unknown: Unknown = { _tag: "Unknown", typeName: key, raw: input }
        return ParseResult.succeed(unknown)
      }
      return ParseResult.decodeUnknown(member())(input[key], options).pipe(
        ParseResult.map((value): unknown => ({ _tag: key, value })),
        ParseResult.orElse((issue) => {
          const unknown: Unknown = {
            _tag: "Unknown",
            typeName: key,
            raw: input,
            issue: SchemaDecodeError.fromParseIssue(key, issue).message
          }
          return ParseResult.succeed(unknown)
        })
      )
    },
    encode: (value, options, ast) => {
      if (!isObject(value) || typeof value["_tag"] !== "string") {
        return ParseResult.fail(new ParseResult.Type(ast, value))
      }
      if (value["_tag"] === "Unknown") return ParseResult.succeed(value["raw"])
      const key = value["_tag"]
      const member = memberOf(members, key)
      if (member === undefined) return ParseResult.fail(new ParseResult.Type(ast, value))
      return ParseResult.mapBoth(ParseResult.encodeUnknown(member())(value["value"], options), {
        onFailure: (issue) => new ParseResult.Pointer(key, value, issue),
        onSuccess: (encoded) => ({ [key]: encoded })
      })
    }
  }).annotations({ identifier })

/**
 * The value of a `Response` item (`{"Payment": {...}}` → `{...}`): the first key's value. `None` for anything that
 * is not a one-key-or-more object.
 *
 * @internal
 */
export const itemValue = (item: unknown): Option.Option<unknown> => {
  if (!isObject(item)) return Option.none()
  const key = Object.keys(item)[0]
  return key === undefined ? Option.none() : Option.some(item[key])
}
