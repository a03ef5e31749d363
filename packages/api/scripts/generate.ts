/**
 * Generates `src/Schemas.ts`, one module per resource family (`src/Payment.ts`, …), `src/index.ts` and
 * `spec/coverage.json` from bunq's OpenAPI document `spec/openapi.json`, applying the patch layer in `patches.ts`.
 *
 *     pnpm generate            # write the files
 *     pnpm generate --check    # exit 1 if the committed files differ from what the spec generates
 *
 * The output is formatted with dprint under the repository's settings (the ones `pnpm lint` checks). The parts:
 * `spec.ts` (the spec's shape, text helpers), `schemas.ts` (the objects), `operations.ts` (programs and family
 * modules); this module reads the spec, names the programs and writes the files.
 */
import { createFromBuffer } from "@dprint/formatter"
import { getPath } from "@dprint/typescript"
import * as fs from "node:fs"
import * as path from "node:path"
import {
  emitModule,
  handWritten,
  handWrittenModules,
  moduleOf,
  type Op,
  scopeOf,
  type Verb,
  verbOf
} from "./operations.js"
import * as patches from "./patches.js"
import { emitOneOf, emitStruct, fieldOf, isOneOf, requestFormsOf } from "./schemas.js"
import { doc, header, jsdoc, paramName, type Property, refName, since, type Spec } from "./spec.js"

const root = path.resolve(import.meta.dirname, "..")

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

  // a patch keyed by an operation the spec does not have (a typo, or bunq renamed it) would do nothing: refuse it
  for (
    const [patch, ids] of [["createResults", patches.createResults], ["queryParams", patches.queryParams]] as const
  ) {
    const unknown = Object.keys(ids).filter((id) => !ops.some((op) => op.id === id))
    if (unknown.length > 0) throw new Error(`patches.${patch} names operations the spec does not have: ${unknown}`)
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
  const { forms: requestForms, writable } = requestFormsOf(schemas, bodies.keys())
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
    schemaParts.push(emitStruct(bodyName, [description], fields, required, true))
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
    const emitted = emitModule(module, byModule.get(module)!, schemas)
    coverage.push(...emitted.coverage)
    largeReasons.set(`src/${module}.ts`, emitted.reason)
    files.set(`src/${module}.ts`, emitted.text)
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
