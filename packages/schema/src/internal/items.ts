import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import type * as Schema from "effect/Schema"
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
    `has no ${typeNames.map((name) => JSON.stringify(name)).join(" or ")} object (found: ${
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
