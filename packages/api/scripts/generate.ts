/**
 * Generates `src/Schemas.ts`, one module per resource family (`src/Payment.ts`, …), `src/index.ts` and
 * `spec/coverage.json` from bunq's OpenAPI document `spec/openapi.json`, applying the patch layer in `patches.ts`.
 *
 *     pnpm generate            # write the files
 *     pnpm generate --check    # exit 1 if the committed files differ from what the spec generates
 *
 * The output is formatted with dprint under the repository's settings (the ones `pnpm lint` checks).
 */
import { createFromBuffer } from "@dprint/formatter"
import { getPath } from "@dprint/typescript"
import * as fs from "node:fs"
import * as path from "node:path"
import * as patches from "./patches.js"

const root = path.resolve(import.meta.dirname, "..")

interface Property {
  readonly type?: string
  readonly $ref?: string
  readonly description?: string
  readonly readOnly?: boolean
  readonly items?: Property
}
interface ObjectSchema {
  readonly type?: string
  readonly description?: string
  readonly properties?: Readonly<Record<string, Property>>
  readonly required?: ReadonlyArray<string>
}
interface Operation {
  readonly operationId: string
  readonly tags: ReadonlyArray<string>
  readonly description?: string
  readonly requestBody?: { readonly content: Record<string, { readonly schema: Property }> }
  readonly responses: Record<string, { readonly content?: Record<string, { readonly schema: Property }> }>
}
interface Spec {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>
  readonly components: { readonly schemas: Readonly<Record<string, ObjectSchema>> }
}

// ---------------------------------------------------------------------------------------------------------------
// helpers

const refName = (ref: string): string => ref.slice(ref.lastIndexOf("/") + 1)
const pascal = (text: string): string =>
  text.split(/[-_]/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("")
const camel = (text: string): string => {
  const p = pascal(text)
  return p.charAt(0).toLowerCase() + p.slice(1)
}
/** A path parameter's name in a program: `userID` → `userId`, `monetary-accountID` → `monetaryAccountId`, `itemId` → `id`. */
const paramName = (placeholder: string): string => {
  if (placeholder === "itemId") return "id"
  return camel(placeholder.endsWith("UUID") ? placeholder.replace(/UUID$/, "-uuid") : placeholder.replace(/ID$/, "-id"))
}
/** Text for a JSDoc comment (no comment terminator inside). */
const doc = (text: string | undefined): string => (text ?? "").replace(/\*\//g, "*\\/").replace(/\s+/g, " ").trim()
const jsdoc = (lines: ReadonlyArray<string>, indent = ""): string => {
  const body = lines.flatMap((line) => (line === "" ? [""] : [line]))
  return `${indent}/**\n${body.map((line) => `${indent} *${line === "" ? "" : ` ${line}`}`).join("\n")}\n${indent} */\n`
}
const since = ["@since 0.1.0"]

// ---------------------------------------------------------------------------------------------------------------
// schemas

const isOneOf = (name: string, schema: ObjectSchema): boolean => {
  const properties = Object.entries(schema.properties ?? {})
  if (properties.length === 0 || patches.notOneOf.includes(name)) return false
  if (properties.some(([key]) => key === "Id" || key === "Uuid")) return false
  return properties.every(([key, p]) => p.$ref !== undefined && /^[A-Z]/.test(key))
}

interface Field {
  readonly name: string
  readonly kind: string
  readonly type: string
  readonly description: string
}

/**
 * A field of an object. `request`: the field of a request body, where a reference to another object points at that
 * object's request form (`PaymentBody`), and the patch layer's `requestFields` replace the spec's type.
 */
const fieldOf = (
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

const propertyKey = (name: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name))

const emitStruct = (
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

const emitOneOf = (name: string, schema: ObjectSchema): string => {
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

// ---------------------------------------------------------------------------------------------------------------
// operations

type Verb = "create" | "get" | "list" | "update" | "remove" | "download" | "upload"

interface Op {
  readonly id: string
  readonly tag: string
  readonly module: string
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  readonly specPath: string
  readonly path: string
  readonly verb: Verb
  readonly scope: ReadonlyArray<string>
  readonly params: ReadonlyArray<{ readonly name: string; readonly type: "number" | "string" }>
  readonly description: string
  readonly body: string | undefined
  readonly response: string
  name: string
}

const verbOf = (id: string, tag: string): Verb => {
  if (patches.isDownload(id, tag)) return "download"
  if (patches.uploads.includes(id)) return "upload"
  if (id.startsWith("CREATE_")) return "create"
  if (id.startsWith("READ_")) return "get"
  if (id.startsWith("List_all_")) return "list"
  if (id.startsWith("UPDATE_")) return "update"
  if (id.startsWith("DELETE_")) return "remove"
  throw new Error(`unknown verb in ${id}`)
}

const scopeOf = (id: string): ReadonlyArray<string> => {
  const index = id.indexOf("_for_")
  return index < 0 ? [] : id.slice(index + 5).split("_")
}

const moduleOf = (tag: string): string => patches.moduleNames[tag] ?? pascal(tag)

const pageFields = [
  "readonly count?: number | undefined",
  "readonly olderId?: number | undefined",
  "readonly newerId?: number | undefined"
]

/** The public modules written by hand (in `src/`, not generated). */
/** What a create or update returns: the patched kind, else the id when the spec's answer is only an id. */
type ResultKind = "id" | "uuid" | "idOrUuid" | { readonly list: string }

const resultOf = (
  patched: "uuid" | "idOrUuid" | { readonly list: string } | undefined,
  onlyId: boolean
): ResultKind | undefined => patched ?? (onlyId ? "id" : undefined)

const handWrittenModules = ["Amount", "Callback", "OneOf", "Operation"]
const handWritten = new Set([...handWrittenModules, "Schemas", "index"])

// ---------------------------------------------------------------------------------------------------------------

export interface Generated {
  readonly files: ReadonlyMap<string, string>
}

export const generate = (): Generated => {
  const spec: Spec = JSON.parse(fs.readFileSync(path.join(root, "spec/openapi.json"), "utf8"))
  const schemas = spec.components.schemas
  const files = new Map<string, string>()
  /** Why a generated file is over 400 lines, by file: said in its header when it is. */
  const largeReasons = new Map<string, string>()

  // operations
  const ops: Array<Op> = []
  const excluded: Array<{ operationId: string; reason: string }> = []
  const excludedBodies: Array<string> = []
  for (const [specPath, methods] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const id = operation.operationId
      if (patches.excluded[id] !== undefined) {
        excluded.push({ operationId: id, reason: patches.excluded[id]! })
        const body = operation.requestBody?.content["application/json"]?.schema.$ref
        if (body !== undefined) excludedBodies.push(refName(body))
        continue
      }
      const tag = operation.tags[0]!
      const stringParams = patches.stringParams[id] ?? []
      const placeholders = [...specPath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)
      const params = placeholders.map((p) => ({
        name: paramName(p),
        type: stringParams.includes(p) ? "string" as const : "number" as const
      }))
      const bodyRef = operation.requestBody?.content["application/json"]?.schema.$ref
      const responseSchema = operation.responses["200"]?.content?.["application/json"]?.schema
      const responseRef = responseSchema?.$ref ?? responseSchema?.items?.$ref
      if (responseRef === undefined) throw new Error(`no response schema for ${id}`)
      ops.push({
        id,
        tag,
        module: moduleOf(tag),
        method: method.toUpperCase() as Op["method"],
        specPath,
        path: specPath.replace(/\{([^}]+)\}/g, (_, p: string) => `{${paramName(p)}}`),
        verb: verbOf(id, tag),
        scope: scopeOf(id),
        params,
        description: doc(operation.description),
        body: bodyRef === undefined ? undefined : refName(bodyRef),
        response: refName(responseRef),
        name: ""
      })
    }
  }

  // program names: the verb, and for a verb that a module has more than once, "For" and the scope beyond the
  // shortest one (`Payment.list`, `Payment.listForMastercardAction`)
  const byModule = new Map<string, Array<Op>>()
  for (const op of ops) byModule.set(op.module, [...(byModule.get(op.module) ?? []), op])
  for (const [module, moduleOps] of byModule) {
    if (handWritten.has(module)) throw new Error(`module name ${module} is taken by a hand-written module`)
    const byVerb = new Map<Verb, Array<Op>>()
    for (const op of moduleOps) byVerb.set(op.verb, [...(byVerb.get(op.verb) ?? []), op])
    for (const [verb, verbOps] of byVerb) {
      const shortest = Math.min(...verbOps.map((op) => op.scope.length))
      const plain = verbOps.filter((op) => op.scope.length === shortest)
      const base = verbOps.length > 1 && plain.length === 1 && verb !== "download" ? plain[0] : undefined
      for (const op of verbOps) {
        if (verbOps.length === 1 || op === base) {
          op.name = verb
          continue
        }
        const common = base === undefined ? (op.scope[0] === "User" ? 1 : 0) : base.scope.length
        op.name = `${verb}For${op.scope.slice(common).join("")}`
      }
    }
    const names = moduleOps.map((op) => op.name)
    const duplicate = names.find((name, index) => names.indexOf(name) !== index)
    if (duplicate !== undefined) throw new Error(`${module}: two programs named ${duplicate}`)
  }

  // request bodies: the writable fields; `required` only when no PUT sends the body
  const bodies = new Map<string, { readonly put: boolean }>()
  for (const op of ops) {
    if (op.body === undefined || op.verb === "upload") continue
    bodies.set(op.body, { put: (bodies.get(op.body)?.put ?? false) || op.method === "PUT" })
  }
  for (const body of excludedBodies) bodies.set(body, { put: bodies.get(body)?.put ?? false })

  // Schemas.ts
  const schemaParts: Array<string> = []
  for (const [name, schema] of Object.entries(schemas)) {
    if (isOneOf(name, schema)) {
      schemaParts.push(emitOneOf(name, schema))
      continue
    }
    // the object with the fields of its answer forms and the patch layer's extra fields
    const properties: Record<string, Property> = {
      ...patches.extraFields[name],
      ...schemas[`${name}Listing`]?.properties,
      ...schemas[`${name}Read`]?.properties,
      ...schema.properties
    }
    const fields = Object.entries(properties).map(([field, p]) => fieldOf(name, field, p))
    schemaParts.push(
      emitStruct(
        name,
        [schema.description !== undefined ? doc(schema.description) : `bunq's \`${name}\` object.`],
        fields,
        []
      )
    )
  }
  // request forms: every object a request body reaches through its writable fields gets one (`PaymentBody`), with
  // the writable fields only; "one of" objects keep their answer form
  const writable = (name: string) =>
    Object.entries<Property>({ ...patches.extraFields[name], ...schemas[name]?.properties })
      .filter(([, p]) => p.readOnly !== true)
      .map(([field, p]) => [field, patches.requestFields[name]?.[field] ?? p] as const)
  const requestForms = new Set<string>()
  const reach = (name: string): void => {
    if (requestForms.has(name) || isOneOf(name, schemas[name]!)) return
    requestForms.add(name)
    for (const [, p] of writable(name)) {
      const target = p.$ref ?? p.items?.$ref
      if (target !== undefined) reach(refName(target))
    }
  }
  for (const name of bodies.keys()) reach(name)
  const formOf = (target: string) => (requestForms.has(target) ? `${target}Body` : target)
  for (const name of [...requestForms].sort()) {
    const schema = schemas[name]!
    const bodyName = `${name}Body`
    if (schemas[bodyName] !== undefined) throw new Error(`${bodyName} is a schema of the spec`)
    const fields = writable(name).map(([field, p]) => fieldOf(name, field, p, { formOf }))
    // a body's required fields, except when a PUT sends it (an update sends what changes)
    const required = bodies.get(name)?.put === true
      ? []
      : (schema.required ?? []).filter((field) => fields.some((f) => f.name === field))
    const description = bodies.has(name)
      ? `The request body of \`${name}\`: the fields a request sends.`
      : `\`${name}\` in a request body: the fields a request sends.`
    schemaParts.push(emitStruct(bodyName, [description], fields, required))
  }
  files.set(
    "src/Schemas.ts",
    header +
      jsdoc([
        "Every object of bunq's API, generated from bunq's OpenAPI document (`spec/openapi.json`): an interface with the",
        "spec's descriptions, and its schema. Responses decode leniently: every field is optional, `null` reads as",
        "absent, unknown fields are ignored; \"one of\" objects are tagged unions (see `OneOf`). Request bodies",
        "(`…Body`) hold the fields a request may send.",
        "",
        ...since
      ]) +
      `import type * as Redacted from "effect/Redacted"\nimport type * as Schema from "effect/Schema"\nimport * as S from "./internal/schema.js"\nimport type * as OneOf from "./OneOf.js"\n\n` +
      schemaParts.join("\n")
  )

  // family modules
  const coverage: Array<Record<string, unknown>> = []
  const modules = [...byModule.keys()].sort()
  for (const module of modules) {
    const moduleOps = byModule.get(module)!
    const parts: Array<string> = []
    let usesStream = false
    let usesPagination = false
    let usesBody = false
    let usesApiContext = false
    let usesBunqClient = false
    for (const op of moduleOps) {
      const sandbox = patches.sandboxUserCreates.includes(op.id)
      const paramFields = op.params.map((p) =>
        `readonly ${p.name}${p.name === "userId" ? "?" : ""}: ${p.type}${p.name === "userId" ? " | undefined" : ""}`
      )
      const responseSchema = schemas[op.response]!
      const wrapped = !isOneOf(op.response, responseSchema)
      const descriptor = `{ name: "${op.module}.${op.name}", method: "${op.method}", path: "${op.path}" }`
      const lines = [
        op.description === "" ? `\`${op.method} ${op.specPath}\`.` : op.description,
        "",
        `\`${op.method} ${op.specPath}\` (bunq's \`${op.id}\`).`
      ]
      const userNote = op.params.some((p) => p.name === "userId")
        ? ["`userId` defaults to the session's user.", ""]
        : []
      const error = "ApiContext.ApiContextError"
      const requirement = "ApiContext.ApiContext"
      const responseKeys = Object.keys(responseSchema.properties ?? {})
      const onlyId = responseKeys.length === 1 && (responseKeys[0] === "Id" || responseKeys[0] === "id")
      const result = resultOf(patches.createResults[op.id], onlyId)
      coverage.push({
        operationId: op.id,
        module: op.module,
        program: op.name,
        kind: sandbox ? "sandboxUser" : op.verb,
        method: op.method,
        path: op.specPath,
        params: op.params,
        ...(op.body === undefined || op.verb === "upload" ? {} : { body: `${op.body}Body` }),
        response: op.response,
        oneOf: !wrapped,
        ...(result === undefined ? {} : { result })
      })
      const emit = (name: string, extraLines: ReadonlyArray<string>, signature: string, value: string) =>
        parts.push(
          jsdoc([...lines, ...(extraLines.length > 0 ? ["", ...extraLines] : []), "", ...since, "@category programs"]) +
            `export const ${name}: ${signature} = /* @__PURE__ */ ${value}\n`
        )
      const paramsType = (extra: ReadonlyArray<string>) => {
        const fields = [...paramFields, ...extra]
        const optional = fields.every((f) => f.includes("?:"))
        return { text: `{ ${fields.join("; ")} }`, optional, empty: fields.length === 0 }
      }
      const paramsArg = (extra: ReadonlyArray<string>) => {
        const p = paramsType(extra)
        return p.empty ? "()" : `(params${p.optional ? "?" : ""}: ${p.text})`
      }
      if (sandbox) {
        usesBunqClient = true
        emit(
          op.name,
          [
            "Sandbox only, no session: bunq answers `{\"ApiKey\":{\"api_key\":\"sandbox_…\"}}` (the spec's `{Id}` is wrong),",
            "returned as `Redacted`."
          ],
          `() => Effect.Effect<Redacted.Redacted<string>, BunqError, BunqClient>`,
          `sandbox.createUser(${descriptor})`
        )
        continue
      }
      usesApiContext = true
      switch (op.verb) {
        case "get": {
          emit(
            op.name,
            userNote,
            `${paramsArg([])} => Effect.Effect<Schemas.${op.response}, ${error}, ${requirement}>`,
            `operation.read(${descriptor}, Schemas.${op.response}, ${wrapped})`
          )
          break
        }
        case "list": {
          usesPagination = true
          usesStream = true
          emit(
            `${op.name}Page`,
            [
              ...userNote,
              "One page: `count` objects (default and at most 200), older than `olderId` or newer than `newerId`; the",
              "page's `olderId` continues the walk."
            ],
            `${
              paramsArg(pageFields)
            } => Effect.Effect<Operation.Page<Schemas.${op.response}>, ${error}, ${requirement}>`,
            `operation.listPage(${descriptor}, Schemas.${op.response}, ${wrapped})`
          )
          emit(
            op.name,
            [
              ...userNote,
              "Every object, newest first, as a lazy `Stream` that fetches the next page (`count` objects, default 200)",
              "only when it is pulled; from `olderId`, or towards newer objects from `newerId`."
            ],
            `${paramsArg(pageFields)} => Stream.Stream<Schemas.${op.response}, ${error}, ${requirement}>`,
            `operation.list(${descriptor}, Schemas.${op.response}, ${wrapped})`
          )
          break
        }
        case "create":
        case "update": {
          const resultType = result === undefined
            ? `Schemas.${op.response}`
            : typeof result === "object"
            ? `ReadonlyArray<Schemas.${result.list}>`
            : result === "id"
            ? "number"
            : result === "idOrUuid"
            ? "number | string"
            : "string"
          const resultArg = result === undefined
            ? `Schemas.${op.response}`
            : typeof result === "object"
            ? `{ list: Schemas.${result.list} }`
            : `"${result}"`
          const bodyField = op.body === undefined ? [] : [`readonly body: Schemas.${op.body}Body`]
          if (op.body !== undefined) usesBody = true
          const returns = result === undefined
            ? "Returns the object bunq answers with."
            : typeof result === "object"
            ? "Returns what bunq answers with: every filter now set, one item each."
            : result === "uuid"
            ? "Returns the UUID bunq answers with (`{\"Uuid\":{\"uuid\":…}}`, or an `Id` holding the UUID)."
            : result === "idOrUuid"
            ? "Returns the id bunq answers with (`{\"Id\":{\"id\":1}}`), or the UUID when an `Id` or `Uuid` holds one."
            : "Returns the id bunq answers with (`{\"Id\":{\"id\":…}}`)."
          emit(
            op.name,
            [...userNote, returns],
            `${paramsArg(bodyField)} => Effect.Effect<${resultType}, ${error}${
              op.body === undefined ? "" : " | SchemaDecodeError"
            }, ${requirement}>`,
            `operation.write(${descriptor}, ${
              op.body === undefined ? "undefined" : `Schemas.${op.body}Body`
            }, ${resultArg})`
          )
          break
        }
        case "remove": {
          emit(
            op.name,
            userNote,
            `${paramsArg([])} => Effect.Effect<void, ${error}, ${requirement}>`,
            `operation.remove(${descriptor})`
          )
          break
        }
        case "upload":
        case "download": {
          // raw bytes: see internal/operation.ts
          const bytes = op.verb === "upload"
          const uploadResult = result === "idOrUuid" ? "idOrUuid" : "uuid"
          const extra = bytes
            ? ["readonly body: Uint8Array", "readonly contentType: string", "readonly description: string"]
            : []
          emit(
            op.name,
            [
              ...userNote,
              bytes
                ? `Sends the file's raw bytes (not JSON) with its \`Content-Type\` and \`X-Bunq-Attachment-Description\`, signed over the bytes; returns ${
                  uploadResult === "uuid"
                    ? "the attachment's UUID."
                    : "the attachment's id (what a payment's `attachment: [{ id }]` takes), or its UUID if bunq answers one."
                }`
                : "Answers the file's raw bytes (not JSON) and their `Content-Type`, verified over the bytes."
            ],
            bytes
              ? `${paramsArg(extra)} => Effect.Effect<${
                uploadResult === "uuid" ? "string" : "number | string"
              }, ${error}, ${requirement}>`
              : `${paramsArg([])} => Effect.Effect<Operation.Content, ${error}, ${requirement}>`,
            bytes ? `operation.upload(${descriptor}, "${uploadResult}")` : `operation.download(${descriptor})`
          )
          break
        }
      }
    }
    const imports = [
      ...(usesApiContext ? [`import type * as ApiContext from "@effect-bunq/device-server/ApiContext"`] : []),
      ...(usesBunqClient
        ? [
          `import type { BunqClient } from "@effect-bunq/http/BunqClient"`,
          `import type { BunqError } from "@effect-bunq/http/BunqError"`
        ]
        : []),

      ...(usesBody ? [`import type { SchemaDecodeError } from "@effect-bunq/schema/SchemaDecodeError"`] : []),
      `import type * as Effect from "effect/Effect"`,
      ...(usesBunqClient ? [`import type * as Redacted from "effect/Redacted"`] : []),
      ...(usesStream ? [`import type * as Stream from "effect/Stream"`] : []),
      ...(usesApiContext ? [`import * as operation from "./internal/operation.js"`] : []),
      ...(usesPagination || moduleOps.some((op) => op.verb === "download")
        ? [`import type * as Operation from "./Operation.js"`]
        : []),
      ...(usesBunqClient ? [`import * as sandbox from "./internal/sandbox.js"`] : []),
      ...(moduleOps.some((op) =>
          op.verb !== "remove" && op.verb !== "upload" && op.verb !== "download" &&
          !patches.sandboxUserCreates.includes(op.id)
        )
        ? [`import * as Schemas from "./Schemas.js"`]
        : [])
    ]
    const tag = moduleOps[0]!.tag
    largeReasons.set(
      `src/${module}.ts`,
      `bunq's \`${tag}\` resource has ${moduleOps.length} operations, one program each. One module per resource keeps ` +
        `bunq's name as the import path (\`@effect-bunq/api/${module}\`); a bundler keeps only the programs an app uses.`
    )
    files.set(
      `src/${module}.ts`,
      header +
        jsdoc([
          `bunq's \`${tag}\` resource: ${moduleOps.length} operation${moduleOps.length === 1 ? "" : "s"} (${
            moduleOps.map((op) => `\`${op.name}\``).join(", ")
          }), generated from bunq's OpenAPI document. Each program needs only \`ApiContext\`.`,
          "",
          ...since
        ]) +
        imports.join("\n") + "\n\n" + parts.join("\n")
    )
  }

  // index.ts
  const indexModules = [...modules, ...handWrittenModules, "Schemas"].sort()
  files.set(
    "src/index.ts",
    header +
      indexModules.map((module) =>
        jsdoc([`See \`@effect-bunq/api/${module}\`.`, "", ...since]) +
        `export * as ${module} from "./${module}.js"\n`
      ).join("\n")
  )

  files.set(
    "spec/coverage.json",
    JSON.stringify({ operations: 480, covered: coverage, excluded }, null, 2) + "\n"
  )

  // format TypeScript with the repository's dprint settings
  const formatter = createFromBuffer(fs.readFileSync(getPath()))
  largeReasons.set(
    "src/Schemas.ts",
    `it holds every object of the spec (${
      Object.keys(schemas).length
    } schemas and their request bodies). They refer to each other, ` +
      "cycles included, so they share one module; each is one `/* @__PURE__ */` call that a bundler drops when an " +
      "app does not reach it."
  )
  largeReasons.set(
    "src/index.ts",
    `it re-exports each of the ${indexModules.length} modules as a namespace, with a doc comment each ` +
      "(an app that cares about its bundle imports by deep path, `@effect-bunq/api/Payment`)."
  )
  const formatted = new Map<string, string>()
  for (const [file, text] of files) {
    if (!file.endsWith(".ts")) {
      formatted.set(file, text)
      continue
    }
    const pretty = formatter.formatText({
      filePath: path.join(root, file),
      fileText: text,
      overrideConfig: dprintConfig
    })
    // the repository's rule: a source file over ~400 lines says why at its top
    const reason = largeReasons.get(file)
    const large = pretty.split("\n").length > 400 && reason !== undefined
    formatted.set(
      file,
      large
        ? pretty.replace(header, header + comment(`Over 400 lines because it is generated and ${lowerFirst(reason)}`))
        : pretty
    )
  }
  return { files: formatted }
}

const header = "// Generated by packages/api/scripts/generate.ts from spec/openapi.json: do not edit by hand.\n"

/** Line comments of at most 120 columns. */
const comment = (text: string): string => {
  const lines: Array<string> = []
  let line = "//"
  for (const word of text.split(" ")) {
    if (line.length + 1 + word.length > 120) {
      lines.push(line)
      line = "//"
    }
    line += ` ${word}`
  }
  return [...lines, line].join("\n") + "\n"
}

const lowerFirst = (text: string): string => /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text

/** The formatting settings `pnpm lint` checks, from the repository's `eslint.config.mjs`. */
const dprintConfig: Record<string, unknown> =
  ((await import(path.join(root, "../../eslint.config.mjs"))) as { dprintConfig: Record<string, unknown> }).dprintConfig

/** Generated files that are no longer generated (a family that disappeared from the spec). */
const stale = (files: ReadonlyMap<string, string>): ReadonlyArray<string> =>
  fs.readdirSync(path.join(root, "src")).filter((name) =>
    name.endsWith(".ts") && !files.has(`src/${name}`) &&
    fs.readFileSync(path.join(root, "src", name), "utf8").startsWith(header)
  ).map((name) => `src/${name}`)

/** The files that differ from what is committed. */
export const differences = (generated: Generated): ReadonlyArray<string> => {
  const changed = [...generated.files].filter(([file, text]) => {
    const target = path.join(root, file)
    return !fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text
  }).map(([file]) => file)
  return [...changed, ...stale(generated.files)]
}

if (process.argv[1] !== undefined && import.meta.filename === path.resolve(process.argv[1])) {
  const generated = generate()
  if (process.argv.includes("--check")) {
    const changed = differences(generated)
    if (changed.length > 0) {
      console.error(`pnpm generate would change ${changed.length} file(s): ${changed.join(", ")}`)
      process.exit(1)
    }
    console.log(`up to date: ${generated.files.size} files`)
  } else {
    for (const file of stale(generated.files)) fs.rmSync(path.join(root, file))
    for (const [file, text] of generated.files) fs.writeFileSync(path.join(root, file), text)
    console.log(`wrote ${generated.files.size} files`)
  }
}
