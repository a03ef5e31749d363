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

/**
 * The objects a request body reaches through its writable fields (the patch layer's `requestFields` replacing the
 * spec's type), each of which gets a request form (`PaymentBody`); "one of" objects keep their answer form. `writable`
 * gives an object's writable fields, patched.
 *
 * Throws when a field of a request form points at a `Label…` object or at an object with no writable field. A
 * `Label…` object is how bunq describes a party in its answers (`LabelMonetaryAccount`, `LabelUser`); a request
 * names one by a `Pointer` (`{"type":"IBAN","value":…,"name":…}`), so the spec has the answer's type where the
 * request's belongs. An object with no writable field makes an empty request form, which the type checker lets
 * anything through and which sends `{}`. Either is a spec mistake for `requestFields` to correct.
 */
export const requestFormsOf = (
  schemas: Readonly<Record<string, ObjectSchema>>,
  bodies: Iterable<string>,
  requestFields: typeof patches.requestFields = patches.requestFields
): {
  readonly forms: ReadonlySet<string>
  readonly writable: (name: string) => ReadonlyArray<readonly [string, Property]>
} => {
  const writable = (name: string) =>
    Object.entries<Property>({ ...patches.extraFields[name], ...schemas[name]?.properties })
      .filter(([, p]) => p.readOnly !== true)
      .map(([field, p]) => [field, requestFields[name]?.[field] ?? p] as const)
  const forms = new Set<string>()
  const reach = (name: string): void => {
    if (forms.has(name) || isOneOf(name, schemas[name]!)) return
    forms.add(name)
    for (const [field, p] of writable(name)) {
      const ref = p.$ref ?? p.items?.$ref
      if (ref === undefined) continue
      const target = refName(ref)
      const where = `${name}.${field} (in a request body) is \`${target}\``
      const fix = "correct it in scripts/patches.ts `requestFields`"
      if (/^Label[A-Z]/.test(target)) {
        throw new Error(`${where}, what bunq answers with: a request names a party by a Pointer; ${fix}`)
      }
      if (!isOneOf(target, schemas[target]!) && writable(target).length === 0) {
        throw new Error(`${where}, which has no writable field (an empty object takes anything); ${fix}`)
      }
      reach(target)
    }
  }
  for (const name of bodies) reach(name)
  return { forms, writable }
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

/**
 * An object's interface and schema. `request`: a request body, whose optional fields also take `undefined` (sent as
 * absent; `S.body`), so that a value typed `T | undefined` can be passed without `exactOptionalPropertyTypes`.
 */
export const emitStruct = (
  name: string,
  description: ReadonlyArray<string>,
  fields: ReadonlyArray<Field>,
  required: ReadonlyArray<string>,
  request = false
): string => {
  const members = fields.map((field) => {
    const optional = required.includes(field.name) ? "" : "?"
    const comment = field.description === "" ? "" : jsdoc([field.description], "  ")
    const type = optional !== "" && request ? `${field.type} | undefined` : field.type
    return `${comment}  readonly ${propertyKey(field.name)}${optional}: ${type}`
  })
  const kinds = fields.map((field) => `  ${propertyKey(field.name)}: ${field.kind}`)
  const requiredArg = required.length === 0 ? "" : `, ${JSON.stringify(required)}`
  return jsdoc([...description, "", ...since, "@category models"]) +
    `export interface ${name} {\n${members.join("\n")}\n}\n\n` +
    jsdoc([`The schema of \`${name}\`.`, "", ...since, "@category schemas"]) +
    `export const ${name}: Schema.Schema<${name}, OneOf.JsonObject> = /* @__PURE__ */ S.${
      request ? "body" : "struct"
    }("${name}", {\n${kinds.join(",\n")}\n}${requiredArg})\n`
}

export const emitOneOf = (name: string, schema: ObjectSchema): string => {
  const members = Object.entries(schema.properties ?? {}).map(([key, p]) => [key, refName(p.$ref!)] as const)
  const type = members.map(([key, target]) => `  | OneOf.Member<"${key}", ${target}>`).join("\n")
  return jsdoc([
    `One of ${members.map(([key]) => `\`${key}\``).join(", ")}, by bunq's wrapper key (\`{"${
      members[0]![0]
    }": {...}}\`); \`OneOf.Unknown\` for a type this version does not know, or a member that does not match.`,
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
