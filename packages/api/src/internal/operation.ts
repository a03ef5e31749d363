/**
 * The runtime of the generated programs. Each generated program is one call here with a descriptor (name, method,
 * path template) and the schemas it needs; this module fills the path (the `userId` from the session unless given),
 * sends the request through `ApiContext`, and decodes bunq's envelope:
 *
 * - a read answers `{"Response":[{"Payment":{...}}]}`: the first item's value (or, for a "one of" object, the item
 *   itself) is decoded;
 * - a list answers one such item per object, plus `Pagination`: pages go through `@effect-bunq/http/Pagination`;
 * - a create or update answers `{"Id":{"id":1}}` (some `{"Uuid":{"uuid":"…"}}`, older captures an `Id` holding a
 *   UUID string), or the object itself (cards, a Sofort request: the patch layer's `createResults`), whatever the
 *   spec says; an id result takes the object's `id` when bunq answers the object;
 * - a delete answers `{"Response":[]}`.
 *
 * One runtime instead of a body per program keeps the generated modules small and the bundle of an app that uses a
 * few programs small.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import type { BunqResponse, Method } from "@effect-bunq/http/BunqClient"
import { DecodeError } from "@effect-bunq/http/BunqError"
import * as Pagination from "@effect-bunq/http/Pagination"
import * as SchemaDecodeError from "@effect-bunq/schema/SchemaDecodeError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Content, Page, PageOptions } from "../Operation.js"
import type { Any } from "./schema.js"
import { itemValue } from "./schema.js"

/**
 * What a generated program is: its name (`"Payment.list"`, also the span name), method and path template with
 * `{param}` placeholders named like the program's parameters (`/user/{userId}/monetary-account/{monetaryAccountId}/payment`),
 * and a list's filters: the program's parameter name → bunq's query parameter (the patch layer's `queryParams`).
 *
 * @internal
 */
export interface Descriptor {
  readonly name: string
  readonly method: Method
  readonly path: string
  readonly query?: Readonly<Record<string, string>>
}

/** @internal */
export type Params = { readonly [key: string]: unknown } | undefined

/**
 * What a create or update answers: an `Id` with an integer, a UUID (`Uuid`, or an `Id` holding a UUID string),
 * either of them (`idOrUuid`: the integer, or the UUID when one came), every item decoded with a schema
 * (notification filters), or an object decoded with a schema.
 *
 * @internal
 */
export type Result = "id" | "uuid" | "idOrUuid" | { readonly list: Any } | Any

const placeholder = /\{([A-Za-z]+)\}/g

/** The path with its parameters filled in; `userId` from the session unless the caller gave one. */
const resolvePath = (
  descriptor: Descriptor,
  params: Params
): Effect.Effect<string, ApiContext.ApiContextError, ApiContext.ApiContext> => {
  const fill = (userId: unknown) =>
    descriptor.path.replace(
      placeholder,
      (_, key: string) =>
        encodeURIComponent(String(key === "userId" && params?.["userId"] === undefined ? userId : params?.[key]))
    )
  if (!descriptor.path.includes("{userId}") || params?.["userId"] !== undefined) return Effect.succeed(fill(undefined))
  return Effect.flatMap(
    ApiContext.ApiContext,
    (context) => Effect.map(context.session, (session) => fill(session.userId))
  )
}

const decodeError = (
  descriptor: Descriptor,
  path: string,
  response: BunqResponse,
  description: string
): DecodeError =>
  new DecodeError({
    operation: descriptor.name,
    method: descriptor.method,
    path: path.split("?")[0]!,
    requestId: response.requestId,
    ...(response.responseId === undefined ? {} : { responseId: response.responseId }),
    status: response.status,
    description
  })

const parseOptions = { errors: "all", onExcessProperty: "ignore" } as const

/** Decode one `Response` item: its value, or (`wrapped: false`, a "one of" object) the item itself. */
const decodeItem = (schema: Any, wrapped: boolean, target: string) => (item: unknown, index: number) => {
  const input = wrapped ? Option.getOrUndefined(itemValue(item)) : item
  return Effect.mapError(
    ParseResult.decodeUnknown(schema, parseOptions)(input),
    (issue) => SchemaDecodeError.fromParseIssue(target, new ParseResult.Pointer(["Response", index], item, issue))
  )
}

const inResponse = <A>(
  descriptor: Descriptor,
  path: string,
  response: BunqResponse,
  effect: Effect.Effect<A, SchemaDecodeError.SchemaDecodeError>
): Effect.Effect<A, DecodeError> =>
  Effect.mapError(effect, (error) => decodeError(descriptor, path, response, error.message))

/** `GET` one object. @internal */
export const read = (descriptor: Descriptor, schema: Any, wrapped: boolean) =>
  Effect.fn(descriptor.name)(function*(params: Params) {
    const path = yield* resolvePath(descriptor, params)
    const response = yield* ApiContext.request({ operation: descriptor.name, method: descriptor.method, path })
    const first = response.items[0]
    if (first === undefined) {
      return yield* decodeError(descriptor, path, response, `Cannot decode ${descriptor.name}: the Response is empty`)
    }
    return yield* inResponse(descriptor, path, response, decodeItem(schema, wrapped, descriptor.name)(first, 0))
  })

/** The page options among a program's parameters. */
const pageOptions = (params: Params): PageOptions => ({
  count: params?.["count"] as number | undefined,
  olderId: params?.["olderId"] as number | undefined,
  newerId: params?.["newerId"] as number | undefined
})

/** A list's filters among a program's parameters, as query parameters: a list comma-separated, none when empty. */
const filtersOf = (descriptor: Descriptor, params: Params): Record<string, string> => {
  const filters: Record<string, string> = {}
  for (const [name, query] of Object.entries(descriptor.query ?? {})) {
    const value = params?.[name]
    const text = Array.isArray(value) ? value.join(",") : value === undefined ? "" : String(value)
    if (text !== "") filters[query] = text
  }
  return filters
}

/** One page of a list, for `Pagination.page` / `Pagination.stream` (they validate the count and walk the cursors). */
const fetchPage = (descriptor: Descriptor, schema: Any, wrapped: boolean, params: Params) =>
(
  pageParams: Pagination.UrlParams
): Effect.Effect<Page<any>, ApiContext.ApiContextError, ApiContext.ApiContext> =>
  Effect.gen(function*() {
    const path = yield* resolvePath(descriptor, params)
    const urlParams = { ...filtersOf(descriptor, params), ...pageParams }
    const response = yield* ApiContext.request({ operation: descriptor.name, method: "GET", path, urlParams })
    const items = yield* inResponse(
      descriptor,
      path,
      response,
      Effect.forEach(response.items, decodeItem(schema, wrapped, descriptor.name))
    )
    return Pagination.fromResponse(response, items)
  })

/** One page of a list. @internal */
export const listPage = (descriptor: Descriptor, schema: Any, wrapped: boolean) =>
  Effect.fn(descriptor.name)(function*(params: Params) {
    return yield* Pagination.page(fetchPage(descriptor, schema, wrapped, params), pageOptions(params))
  })

/**
 * Every object of a list, page by page, lazily: towards older objects, or towards newer ones when `newerId` is
 * given. @internal
 */
export const list = (descriptor: Descriptor, schema: Any, wrapped: boolean) => (params: Params) =>
  Pagination.stream(fetchPage(descriptor, schema, wrapped, params), pageOptions(params)).pipe(
    Stream.withSpan(descriptor.name)
  )

const decodeResult = (result: Result, target: string) => (items: ReadonlyArray<unknown>) => {
  if (typeof result === "object" && "list" in result) {
    return Effect.forEach(items, decodeItem(result.list, true, target))
  }
  if (typeof result !== "string") {
    const first = items[0]
    return first === undefined
      ? Effect.fail(
        SchemaDecodeError.fromParseIssue(
          target,
          new ParseResult.Type(Schema.Unknown.ast, items, "the Response is empty")
        )
      )
      : decodeItem(result, true, target)(first, 0)
  }
  // a UUID comes as `{"Uuid":{"uuid"}}` or, in older answers, as `{"Id":{"id":"<uuid>"}}`
  const has = (typeName: string) =>
    items.findIndex((item) => typeof item === "object" && item !== null && typeName in item)
  const uuidAt = result === "id" ? -1 : has("Uuid")
  if (uuidAt >= 0) return Effect.map(decodeItem(UuidString, true, target)(items[uuidAt], uuidAt), (value) => value.uuid)
  const idAt = has("Id")
  // no `Id`: bunq answered the object itself (a create the patch layer's `createResults` does not list yet), so the
  // write that succeeded returns that object's id rather than failing (a failure invites a retry: a second payment)
  const first = Option.getOrUndefined(itemValue(items[0]))
  if (idAt < 0 && result !== "uuid" && typeof first === "object" && first !== null && "id" in first) {
    return Effect.map(
      decodeItem(result === "idOrUuid" ? IdEither : IdNumber, true, target)(items[0], 0),
      (value): any => value.id
    )
  }
  if (idAt < 0) {
    return Effect.fail(
      SchemaDecodeError.fromParseIssue(
        target,
        new ParseResult.Type(IdNumber.ast, items, `no ${result === "id" ? "Id" : "Uuid or Id"} object in Response`)
      )
    )
  }
  return Effect.map(
    decodeItem(result === "uuid" ? IdString : result === "idOrUuid" ? IdEither : IdNumber, true, target)(
      items[idAt],
      idAt
    ),
    (value): any => value.id
  )
}

const IdNumber: Any = Schema.Struct({ id: Schema.Number })
const IdString: Any = Schema.Struct({ id: Schema.String })
const IdEither: Any = Schema.Struct({ id: Schema.Union(Schema.Number, Schema.String) })
const UuidString: Any = Schema.Struct({ uuid: Schema.String })

/** `POST` or `PUT` with a JSON body. @internal */
export const write = (descriptor: Descriptor, body: Any | undefined, result: Result) =>
  Effect.fn(descriptor.name)(function*(params: Params) {
    const encoded = body === undefined
      ? undefined
      : yield* SchemaDecodeError.encode(body, `${descriptor.name} body`)(params?.["body"] ?? {})
    const path = yield* resolvePath(descriptor, params)
    const response = yield* ApiContext.request({
      operation: descriptor.name,
      method: descriptor.method,
      path,
      ...(encoded === undefined ? {} : { body: encoded })
    })
    return yield* inResponse(descriptor, path, response, decodeResult(result, descriptor.name)(response.items))
  })

/** `DELETE`. @internal */
export const remove = (descriptor: Descriptor) =>
  Effect.fn(descriptor.name)(function*(params: Params) {
    const path = yield* resolvePath(descriptor, params)
    yield* ApiContext.request({ operation: descriptor.name, method: descriptor.method, path })
  })

// RFC 9110 `token` characters; a media type is `type/subtype` with optional `; name=value` parameters (a token or a
// quoted string), ASCII only. bunq takes image/png, image/jpeg, image/gif, application/pdf.
const token = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
const quoted = "\"(?:[\\t !#-\\[\\]-~]|\\\\[\\t -~])*\""
const mediaType = `^${token}/${token}(?:[ \\t]*;[ \\t]*${token}=(?:${token}|${quoted}))*$`

/**
 * What an upload sends besides the URL, checked before anything is signed or sent: transports refuse header values
 * with control characters (a `TransportError` that looks like a network failure), send other non-ASCII text as
 * Latin-1 bytes, trim surrounding whitespace, and drop an empty `Content-Type`. bunq's header carries no encoding
 * (its SDKs send the string as it is), so a description is ASCII. Each rule is a filter: the error names the first
 * one a value breaks, never the value. Built by `upload` (in the modules that have one), not when this module loads.
 */
const uploadParams = () => {
  const isMediaType = new RegExp(mediaType)
  return Schema.Struct({
    body: Schema.Uint8ArrayFromSelf,
    contentType: Schema.String.pipe(
      Schema.filter((s) => isMediaType.test(s), {
        title: "a media type (type/subtype, e.g. image/png, image/jpeg, application/pdf)"
      })
    ),
    description: Schema.String.pipe(
      Schema.filter((s) => s.length > 0, { title: "a non-empty description" }),
      Schema.filter((s) => !/[\u0000-\u001f\u007f]/.test(s), { title: "a description without control characters" }),
      Schema.filter((s) => /^[\u0020-\u007e]*$/.test(s), {
        title: "an ASCII-only description (bunq's header carries no encoding: no é, €, emoji)"
      }),
      Schema.filter((s) => s.trim() === s, { title: "a description without leading or trailing whitespace" })
    )
  })
}

/**
 * `POST` a file's raw bytes (an attachment): signed over the bytes; answers the attachment's UUID (`"uuid"`), or its
 * id (`"idOrUuid"`: a monetary account's attachment). A `contentType` or `description` that `uploadParams` refuses
 * fails with `SchemaDecodeError` (`EncodeFailed`) before the session is read or anything is signed or sent.
 * @internal
 */
export const upload = (descriptor: Descriptor, result: "uuid" | "idOrUuid") => {
  const check = SchemaDecodeError.encode(uploadParams(), descriptor.name)
  return Effect.fn(descriptor.name)(function*(params: Params) {
    const { body, contentType, description } = yield* check({
      body: params?.["body"] as Uint8Array,
      contentType: params?.["contentType"] as string,
      description: params?.["description"] as string
    })
    const path = yield* resolvePath(descriptor, params)
    const response = yield* ApiContext.request({
      operation: descriptor.name,
      method: descriptor.method,
      path,
      rawBody: { bytes: body, contentType },
      headers: { "X-Bunq-Attachment-Description": description }
    })
    return yield* inResponse(descriptor, path, response, decodeResult(result, descriptor.name)(response.items))
  })
}

/** `GET` a file's raw bytes, verified over the bytes. @internal */
export const download = (descriptor: Descriptor) =>
  Effect.fn(descriptor.name)(function*(params: Params) {
    const path = yield* resolvePath(descriptor, params)
    const response = yield* ApiContext.requestRaw({ operation: descriptor.name, method: descriptor.method, path })
    const content: Content = { contentType: response.contentType, bytes: response.bytes }
    return content
  })
