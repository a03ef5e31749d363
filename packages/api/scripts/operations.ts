/**
 * The operations: a program's verb, name and module from bunq's `operationId` and tag, and `emitModule`, which writes a
 * family module's programs.
 */
import * as patches from "./patches.js"
import { isOneOf } from "./schemas.js"
import type { ObjectSchema } from "./spec.js"
import { header, jsdoc, pascal, since } from "./spec.js"

export type Verb = "create" | "get" | "list" | "update" | "remove" | "download" | "upload"

export interface Op {
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

export const verbOf = (id: string, tag: string): Verb => {
  if (patches.isDownload(id, tag)) return "download"
  if (patches.uploads.includes(id)) return "upload"
  if (id.startsWith("CREATE_")) return "create"
  if (id.startsWith("READ_")) return "get"
  if (id.startsWith("List_all_")) return "list"
  if (id.startsWith("UPDATE_")) return "update"
  if (id.startsWith("DELETE_")) return "remove"
  throw new Error(`unknown verb in ${id}`)
}

export const scopeOf = (id: string): ReadonlyArray<string> => {
  const index = id.indexOf("_for_")
  return index < 0 ? [] : id.slice(index + 5).split("_")
}

export const moduleOf = (tag: string): string => patches.moduleNames[tag] ?? pascal(tag)

export const pageFields = [
  "readonly count?: number | undefined",
  "readonly olderId?: number | undefined",
  "readonly newerId?: number | undefined"
]

/** What an upload checks before it sends anything (see `uploadParams` in `src/internal/operation.ts`). */
const uploadRules = [
  "`contentType` is a media type, `type/subtype` with optional `; name=value` parameters (bunq takes `image/png`,",
  "`image/jpeg`, `image/gif`, `application/pdf`); `description` is ASCII text (bunq's header carries no encoding, so",
  "no `é`, `€` or emoji), not empty, with no control characters and no leading or trailing whitespace. Anything else",
  "fails with `SchemaDecodeError` (`EncodeFailed`, naming the parameter and the rule, not the value) before the",
  "session is read or anything is signed or sent."
]

/** What a create or update returns: the patched kind, else the id when the spec's answer is only an id. */
export type ResultKind = "id" | "uuid" | "idOrUuid" | { readonly list: string } | { readonly object: string }

export const resultOf = (
  patched: Exclude<ResultKind, "id"> | undefined,
  onlyId: boolean
): ResultKind | undefined => patched ?? (onlyId ? "id" : undefined)

/** The public modules written by hand (in `src/`, not generated). */
export const handWrittenModules = ["Amount", "Callback", "OneOf", "Operation"]
export const handWritten = new Set([...handWrittenModules, "Schemas", "index"])

/**
 * One family module (`src/Payment.ts`): a program per operation, with its doc comment, signature and runtime call;
 * its operations' rows of `spec/coverage.json`; and why the module is as long as it is (said in its header when it is
 * over 400 lines).
 */
export const emitModule = (
  module: string,
  moduleOps: ReadonlyArray<Op>,
  schemas: Readonly<Record<string, ObjectSchema>>
): { readonly text: string; readonly coverage: ReadonlyArray<Record<string, unknown>>; readonly reason: string } => {
  const covered: Array<Record<string, unknown>> = []
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
    const filters = Object.entries(patches.queryParams[op.id] ?? {})
    if (filters.length > 0 && op.verb !== "list") throw new Error(`queryParams: ${op.id} is not a list`)
    for (const [name] of filters) {
      if (op.params.some((p) => p.name === name) || pageFields.some((f) => f.startsWith(`readonly ${name}?`))) {
        throw new Error(`queryParams: ${op.id}.${name} is already a parameter`)
      }
    }
    const query = filters.length === 0
      ? ""
      : `, query: { ${filters.map(([name, q]) => `${name}: ${JSON.stringify(q.query)}`).join(", ")} }`
    const descriptor = `{ name: "${op.module}.${op.name}", method: "${op.method}", path: "${op.path}"${query} }`
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
    covered.push({
      operationId: op.id,
      module: op.module,
      program: op.name,
      kind: sandbox ? "sandboxUser" : op.verb,
      method: op.method,
      path: op.specPath,
      params: op.params,
      ...(filters.length === 0 ? {} : { query: Object.fromEntries(filters.map(([name, q]) => [name, q.query])) }),
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
        const filterFields = filters.map(([name, q]) => `readonly ${name}?: ${q.type} | undefined`)
        const filterLines = filters.length === 0 ? [] : [
          "",
          "Filters, sent on every page (from bunq's description of the operation; a list is sent comma-separated):",
          ...filters.map(([name, q]) => `- \`${name}\`: ${q.description}.`)
        ]
        emit(
          `${op.name}Page`,
          [
            ...userNote,
            "One page: `count` objects (default and at most 200), older than `olderId` or newer than `newerId`; the",
            "page's `olderId` continues the walk.",
            ...filterLines
          ],
          `${
            paramsArg([...pageFields, ...filterFields])
          } => Effect.Effect<Operation.Page<Schemas.${op.response}>, ${error}, ${requirement}>`,
          `operation.listPage(${descriptor}, Schemas.${op.response}, ${wrapped})`
        )
        emit(
          op.name,
          [
            ...userNote,
            "Every object, newest first, as a lazy `Stream` that fetches the next page (`count` objects, default 200)",
            "only when it is pulled; from `olderId`, or towards newer objects from `newerId`.",
            ...filterLines
          ],
          `${
            paramsArg([...pageFields, ...filterFields])
          } => Stream.Stream<Schemas.${op.response}, ${error}, ${requirement}>`,
          `operation.list(${descriptor}, Schemas.${op.response}, ${wrapped})`
        )
        break
      }
      case "create":
      case "update": {
        const resultType = result === undefined
          ? `Schemas.${op.response}`
          : typeof result === "object"
          ? ("list" in result ? `ReadonlyArray<Schemas.${result.list}>` : `Schemas.${result.object}`)
          : result === "id"
          ? "number"
          : result === "idOrUuid"
          ? "number | string"
          : "string"
        const resultArg = result === undefined
          ? `Schemas.${op.response}`
          : typeof result === "object"
          ? ("list" in result ? `{ list: Schemas.${result.list} }` : `Schemas.${result.object}`)
          : `"${result}"`
        const bodyField = op.body === undefined ? [] : [`readonly body: Schemas.${op.body}Body`]
        if (op.body !== undefined) usesBody = true
        const returns = result === undefined
          ? "Returns the object bunq answers with."
          : typeof result === "object"
          ? ("list" in result
            ? "Returns what bunq answers with: every filter now set, one item each."
            : `Returns the object bunq answers with, decoded as \`${result.object}\` (the spec's \`{Id}\` is wrong).`)
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
        if (bytes) usesBody = true
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
              : "Answers the file's raw bytes (not JSON) and their `Content-Type`, verified over the bytes.",
            ...(bytes ? ["", ...uploadRules] : [])
          ],
          bytes
            ? `${paramsArg(extra)} => Effect.Effect<${
              uploadResult === "uuid" ? "string" : "number | string"
            }, ${error} | SchemaDecodeError, ${requirement}>`
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
  const reason =
    `bunq's \`${tag}\` resource has ${moduleOps.length} operations, one program each. One module per resource keeps ` +
    `bunq's name as the import path (\`@effect-bunq/api/${module}\`); a bundler keeps only the programs an app uses.`
  const text = header +
    jsdoc([
      `bunq's \`${tag}\` resource: ${moduleOps.length} operation${moduleOps.length === 1 ? "" : "s"} (${
        moduleOps.map((op) => `\`${op.name}\``).join(", ")
      }), generated from bunq's OpenAPI document. Each program needs only \`ApiContext\`.`,
      "",
      ...since
    ]) +
    imports.join("\n") + "\n\n" + parts.join("\n")
  return { text, coverage: covered, reason }
}
