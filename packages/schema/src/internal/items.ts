import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import { missingObjectIssues } from "./issues.js"

/** @internal */
export type Item = Readonly<Record<string, unknown>>

/** @internal */
export const parseOptions = { errors: "all", onExcessProperty: "ignore" } as const

/** @internal */
export const hasType = (item: Item, typeName: string): boolean =>
  typeof item === "object" && item !== null && Object.prototype.hasOwnProperty.call(item, typeName)

/** @internal */
export const typeNameOf = (item: Item): string | undefined => {
  if (typeof item !== "object" || item === null) return undefined
  return Object.keys(item)[0]
}

/** @internal */
export const missingObject = (
  items: ReadonlyArray<Item>,
  typeNames: ReadonlyArray<string>,
  ast: Schema.Schema.AnyNoContext["ast"]
): ParseResult.ParseIssue => {
  const found = items.map(typeNameOf).filter((name): name is string => name !== undefined)
  const issue = new ParseResult.Missing(
    new AST.Type(ast),
    `no ${typeNames.map((name) => JSON.stringify(name)).join(" or ")} object in Response (found: ${
      found.length === 0 ? "none" : found.map((name) => JSON.stringify(name)).join(", ")
    })`
  )
  missingObjectIssues.add(issue)
  return issue
}

/**
 * Decodes `items[index][typeName]`, with the issue path `[index, typeName, ...]`.
 *
 * @internal
 */
export const decodeAt = <A, I>(
  items: ReadonlyArray<Item>,
  index: number,
  typeName: string,
  schema: Schema.Schema<A, I, never>
): Effect.Effect<A, ParseResult.ParseIssue> =>
  Effect.mapError(
    ParseResult.decodeUnknown(schema, parseOptions)(items[index]![typeName]),
    (issue) => new ParseResult.Pointer([index, typeName], items, issue)
  )

/** @internal */
export const pickOne = <A, I>(
  items: ReadonlyArray<Item>,
  typeName: string,
  schema: Schema.Schema<A, I, never>
): Effect.Effect<A, ParseResult.ParseIssue> => {
  const index = items.findIndex((item) => hasType(item, typeName))
  return index < 0
    ? Effect.fail(missingObject(items, [typeName], schema.ast))
    : decodeAt(items, index, typeName, schema)
}

/** @internal */
export const pickAll = <A, I>(
  items: ReadonlyArray<Item>,
  typeName: string,
  schema: Schema.Schema<A, I, never>
): Effect.Effect<Array<A>, ParseResult.ParseIssue> =>
  Effect.forEach(
    items.flatMap((item, index) => hasType(item, typeName) ? [index] : []),
    (index) => decodeAt(items, index, typeName, schema)
  )

/** @internal */
export const encodeItem = <A, I>(
  typeName: string,
  schema: Schema.Schema<A, I, never>,
  value: A
): Effect.Effect<Item, ParseResult.ParseIssue> =>
  Effect.map(ParseResult.encode(schema, parseOptions)(value), (encoded) => ({ [typeName]: encoded }))

/** @internal */
export const itemsSchema: Schema.Schema<ReadonlyArray<Item>> = Schema.Array(
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * A schema from a `Response` items array to a typed value: decodes by type name (any order), encodes positionally.
 *
 * @internal
 */
export const responseSchema = <A, I>(
  identifier: string,
  type: Schema.Schema<A, I, never>,
  options: {
    readonly decode: (items: ReadonlyArray<Item>) => Effect.Effect<A, ParseResult.ParseIssue>
    readonly encode: (value: A) => Effect.Effect<ReadonlyArray<Item>, ParseResult.ParseIssue>
  }
): Schema.Schema<A, ReadonlyArray<Item>> =>
  Schema.transformOrFail(itemsSchema, Schema.typeSchema(type), {
    strict: true,
    decode: (items) => options.decode(items),
    encode: (value) => options.encode(value)
  }).annotations({ identifier })

/** @internal */
export const decodeWith = <A, I>(
  schema: Schema.Schema<A, I, never>,
  input: unknown
): Effect.Effect<A, ParseResult.ParseIssue> => ParseResult.decodeUnknown(schema, parseOptions)(input)

/** @internal */
export const encodeWith = <A, I>(
  schema: Schema.Schema<A, I, never>,
  value: A
): Effect.Effect<I, ParseResult.ParseIssue> => ParseResult.encode(schema, parseOptions)(value)
