/**
 * What the tests know about the generated programs: `spec/coverage.json` (written by the generator) and the spec's
 * objects (to build canned answers), plus `minimal`, the smallest valid value of a body schema.
 */
import { Schema, SchemaAST } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "../..")

export interface Covered {
  readonly operationId: string
  readonly module: string
  readonly program: string
  readonly kind: "get" | "list" | "create" | "update" | "remove" | "upload" | "download" | "sandboxUser"
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  readonly path: string
  readonly params: ReadonlyArray<{ readonly name: string; readonly type: "number" | "string" }>
  /** A list's filters: the program's parameter → bunq's query parameter. */
  readonly query?: Readonly<Record<string, string>>
  readonly body?: string
  readonly response: string
  readonly oneOf: boolean
  readonly result?: "id" | "uuid" | "idOrUuid" | { readonly list: string } | { readonly object: string }
}

export const coverage: {
  readonly operations: number
  readonly covered: ReadonlyArray<Covered>
  readonly excluded: ReadonlyArray<{ readonly operationId: string; readonly reason: string }>
} = JSON.parse(fs.readFileSync(path.join(root, "spec/coverage.json"), "utf8"))

interface Property {
  readonly type?: string
  readonly $ref?: string
}
export const specSchemas: Readonly<
  Record<string, { readonly properties?: Readonly<Record<string, Property>> }>
> = JSON.parse(fs.readFileSync(path.join(root, "spec/openapi.json"), "utf8")).components.schemas

/** A canned object for a spec schema: its first string field and an integer `id` when it has them. */
export const cannedObject = (schema: string): Record<string, unknown> => {
  const properties = Object.entries(specSchemas[schema]?.properties ?? {})
  const text = properties.find(([name, p]) => p.type === "string" && name !== "id")
  const id = properties.find(([name, p]) => name === "id" && p.type === "integer")
  return { ...(id === undefined ? {} : { id: 42 }), ...(text === undefined ? {} : { [text[0]]: "text" }) }
}

/** The first member of a "one of" schema: its wrapper key and its object schema. */
export const firstMember = (schema: string): readonly [string, string] => {
  const [key, property] = Object.entries(specSchemas[schema]!.properties!)[0]!
  return [key, property.$ref!.slice(property.$ref!.lastIndexOf("/") + 1)]
}

/** The smallest value of a schema's type: required fields only. */
export const minimal = (schema: Schema.Schema.Any): unknown => fromAst(Schema.typeSchema(schema).ast)

const fromAst = (ast: SchemaAST.AST): unknown => {
  switch (ast._tag) {
    case "StringKeyword":
      return "text"
    case "NumberKeyword":
      return 1
    case "BooleanKeyword":
      return true
    case "Refinement":
      return "1.00"
    case "Suspend":
      return fromAst(ast.f())
    case "TupleType":
      return []
    case "TypeLiteral":
      return Object.fromEntries(
        ast.propertySignatures.filter((p) => !p.isOptional).map((p) => [p.name, fromAst(p.type)])
      )
    default:
      return {}
  }
}
