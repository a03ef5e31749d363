/**
 * `src/Schemas.ts`'s parts: an interface and a schema per object of the spec ("one of" objects as tagged unions),
 * with the patch layer's field kinds (decimals, secrets, alternatives, request fields).
 */
import * as patches from "./patches.js"
import type { ObjectSchema, Property } from "./spec.js"
import { doc, jsdoc, refName, since } from "./spec.js"

export const isOneOf = (name: string, schema: ObjectSchema): boolean => {
  const properties = Object.entries(schema.properties ?? {})
  if (properties.length === 0 || patches.notOneOf.includes(name)) return false
  if (properties.some(([key]) => key === "Id" || key === "Uuid")) return false
  return properties.every(([key, p]) => p.$ref !== undefined && /^[A-Z]/.test(key))
}

export interface Field {
  readonly name: string
  readonly kind: string
  readonly type: string
  readonly description: string
}

/**
 * A field of an object. `request`: the field of a request body, where a reference to another object points at that
 * object's request form (`PaymentBody`), and the patch layer's `requestFields` replace the spec's type.
 */
export const fieldOf = (
  owner: string,
  name: string,
  specProperty: Property,
  request?: { readonly formOf: (target: string) => string }
): Field => {
  const property = request === undefined ? specProperty : patches.requestFields[owner]?.[name] ?? specProperty
  const description = doc(property.description ?? specProperty.description)
  const decimal = patches.decimalFields[owner]?.includes(name) === true
  const secret = patches.secretFields[patches.baseObject(owner)]?.includes(name) === true
  const kindOf = (p: Property): { kind: string; type: string } => {
    if (p.$ref !== undefined) {
      const target = request === undefined ? refName(p.$ref) : request.formOf(refName(p.$ref))
      return { kind: `() => ${target}`, type: target }
    }
    switch (p.type) {
      case "string":
        return decimal
          ? { kind: `"decimal"`, type: "string" }
          : secret
          ? { kind: `"secret"`, type: "Redacted.Redacted<string>" }
          : { kind: `"string"`, type: "string" }
      case "integer":
      case "number":
        return { kind: `"integer"`, type: "number" }
      case "boolean":
        return { kind: `"boolean"`, type: "boolean" }
      case "array": {
        const item = kindOf(p.items ?? {})
        return { kind: `[${item.kind}]`, type: `ReadonlyArray<${item.type}>` }
      }
      default:
        return { kind: `"unknown"`, type: "unknown" }
    }
  }
  const { kind, type } = kindOf(property)
  const alternatives = request !== undefined
    ? []
    : (patches.fieldAlternatives[owner.replace(/(Read|Listing)$/, "")]?.[name] ?? []).map(kindOf)
  if (alternatives.length > 0) {
    const all = [{ kind, type }, ...alternatives]
    return {
      name,
      kind: `{ union: [${all.map((a) => a.kind).join(", ")}] }`,
      type: all.map((a) => a.type).join(" | "),
      description
    }
  }
  return { name, kind, type, description }
}

export const propertyKey = (
  name: string
): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name))

export const emitStruct = (
  name: string,
  description: ReadonlyArray<string>,
  fields: ReadonlyArray<Field>,
  required: ReadonlyArray<string>
): string => {
  const members = fields.map((field) => {
    const optional = required.includes(field.name) ? "" : "?"
    const comment = field.description === "" ? "" : jsdoc([field.description], "  ")
    return `${comment}  readonly ${propertyKey(field.name)}${optional}: ${field.type}`
  })
  const kinds = fields.map((field) => `  ${propertyKey(field.name)}: ${field.kind}`)
  const requiredArg = required.length === 0 ? "" : `, ${JSON.stringify(required)}`
  return jsdoc([...description, "", ...since, "@category models"]) +
    `export interface ${name} {\n${members.join("\n")}\n}\n\n` +
    jsdoc([`The schema of \`${name}\`.`, "", ...since, "@category schemas"]) +
    `export const ${name}: Schema.Schema<${name}, OneOf.JsonObject> = /* @__PURE__ */ S.struct("${name}", {\n${
      kinds.join(",\n")
    }\n}${requiredArg})\n`
}

export const emitOneOf = (name: string, schema: ObjectSchema): string => {
  const members = Object.entries(schema.properties ?? {}).map(([key, p]) => [key, refName(p.$ref!)] as const)
  const type = members.map(([key, target]) => `  | OneOf.Member<"${key}", ${target}>`).join("\n")
  return jsdoc([
    `One of ${members.map(([key]) => `\`${key}\``).join(", ")}, by bunq's wrapper key (\`{"${
      members[0]![0]
    }": {...}}\`); \`OneOf.Unknown\` for a type this version does not know.`,
    "",
    ...since,
    "@category models"
  ]) +
    `export type ${name} =\n${type}\n  | OneOf.Unknown\n\n` +
    jsdoc([`The schema of \`${name}\`.`, "", ...since, "@category schemas"]) +
    `export const ${name}: Schema.Schema<${name}, OneOf.JsonObject> = /* @__PURE__ */ S.oneOf("${name}", {\n${
      members.map(([key, target]) => `  ${key}: () => ${target}`).join(",\n")
    }\n})\n`
}
