/**
 * bunq's success envelope, `{"Response":[{TypeName:{...}}, ...], "Pagination"?: {...}}`, and helpers that pick
 * objects out of it **by type name** (never by position alone).
 *
 * The HTTP client hands out the `Response` array as `items`; every helper here accepts either such an items array or
 * a decoded `Envelope`:
 *
 * ```ts
 * import * as Envelope from "@effect-bunq/schema/Envelope"
 * import { DeviceServer } from "@effect-bunq/schema/DeviceServer"
 *
 * const device = Envelope.pickOne(response.items, "DeviceServer", DeviceServer) // Effect<DeviceServer, SchemaDecodeError>
 * const id = Envelope.createdId(response.items) // Effect<number, SchemaDecodeError>
 * ```
 *
 * Lists carry `Pagination`, decoded into `PageRequest`s that say how to fetch the next older/newer page.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Id, Uuid } from "./Common.js"
import * as items_ from "./internal/items.js"
import * as optional_ from "./internal/optional.js"
import * as SchemaDecodeError from "./SchemaDecodeError.js"

/**
 * One element of `Response`: a single-key object `{ TypeName: { ...fields } }`.
 *
 * @since 0.1.0
 * @category models
 */
export type Item = Readonly<Record<string, unknown>>

/**
 * The `Response` array.
 *
 * @since 0.1.0
 * @category models
 */
export type Items = ReadonlyArray<Item>

/**
 * @since 0.1.0
 * @category schemas
 */
export const Item: Schema.Schema<Item> = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "Item",
  description: "a single-key object {TypeName: {...}}"
})

/**
 * @since 0.1.0
 * @category schemas
 */
export const Items: Schema.Schema<Items> = Schema.Array(Item)

const stripOrigin = (url: string): string => url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, "")

/**
 * Splits a pagination URL (`/v1/device-server?count=25&older_id=123`, possibly absolute) into the path relative to
 * the API base URL (`/device-server`: a leading `/v1` is removed, because the base URL already ends in `/v1`) and its
 * query parameters. Total: never throws.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parsePageUrl = (url: string): {
  readonly url: string
  readonly path: string
  readonly urlParams: Readonly<Record<string, string>>
} => {
  const withoutOrigin = stripOrigin(url).replace(/#.*$/, "")
  const queryStart = withoutOrigin.indexOf("?")
  const rawPath = queryStart < 0 ? withoutOrigin : withoutOrigin.slice(0, queryStart)
  const query = queryStart < 0 ? "" : withoutOrigin.slice(queryStart + 1)
  const path = rawPath === "/v1" ? "/" : rawPath.startsWith("/v1/") ? rawPath.slice(3) : rawPath
  const urlParams: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(query)) urlParams[key] = value
  return { url, path, urlParams }
}

/**
 * How to fetch one page of a list: `path` is relative to the API base URL (`/device-server`), `urlParams` holds the
 * query (`{ count: "25", older_id: "123" }`), `url` is the link exactly as bunq sent it.
 *
 * @since 0.1.0
 * @category models
 */
export class PageRequest extends Schema.Class<PageRequest>("PageRequest")({
  url: Schema.String,
  path: Schema.String,
  urlParams: Schema.Record({ key: Schema.String, value: Schema.String })
}) {
  /**
   * @since 0.1.0
   */
  static fromUrl(url: string): PageRequest {
    return new PageRequest(parsePageUrl(url))
  }
}

/**
 * A pagination link: the URL string in JSON, a `PageRequest` once decoded.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PageUrl: Schema.Schema<PageRequest, string> = Schema.transform(
  Schema.String,
  Schema.typeSchema(PageRequest),
  {
    strict: true,
    decode: (url) => PageRequest.fromUrl(url),
    encode: (page) => page.url
  }
).annotations({ identifier: "PageUrl" })

const link = optional_.nullableOption(PageUrl, () => Option.some(null))

/**
 * The `Pagination` object of a list response. Each link is `Option.none()` when bunq sent `null` or nothing.
 *
 * - `older`: the next page of older items (follow it until it is none to walk the whole list);
 * - `newer`: items newer than this page;
 * - `future`: where to look later for items that do not exist yet.
 *
 * Encoding writes `future_url`, `newer_url`, `older_url` with `null` for absent links, as bunq does.
 *
 * @since 0.1.0
 * @category schemas
 */
export class Pagination extends Schema.Class<Pagination>("Pagination")({
  future: link.pipe(Schema.fromKey("future_url")),
  newer: link.pipe(Schema.fromKey("newer_url")),
  older: link.pipe(Schema.fromKey("older_url"))
}) {}

/**
 * A decoded success envelope. `Pagination` is `Option.none()` for non-list responses.
 *
 * `Response` holds the raw items, which may contain secrets in plain text (an installation or session token, an API
 * key) until a schema picks them out as `Redacted`. Printing an `Envelope` (`String`, `JSON.stringify`, Node's
 * `inspect`) therefore shows only the items' type names, never their content.
 *
 * @since 0.1.0
 * @category schemas
 */
export class Envelope extends Schema.Class<Envelope>("Envelope")({
  Response: Items,
  Pagination: optional_.nullableOption(Pagination)
}) {
  /**
   * @since 0.1.0
   */
  override toString(): string {
    return `Envelope(Response: [${typeNames(this).join(", ")}])`
  }
  /**
   * @since 0.1.0
   */
  toJSON(): unknown {
    return { _id: "Envelope", Response: typeNames(this), Pagination: this.Pagination.toJSON() }
  }
  /**
   * @since 0.1.0
   */
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/**
 * Decodes a parsed JSON body into an `Envelope`. Fails when `Response` is missing or is not an array of objects.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode: (input: unknown) => Effect.Effect<Envelope, SchemaDecodeError.SchemaDecodeError> =
  SchemaDecodeError
    .decodeUnknown(Envelope, "Envelope")

/**
 * Parses and decodes a JSON body text into an `Envelope`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeJson: (text: string) => Effect.Effect<Envelope, SchemaDecodeError.SchemaDecodeError> =
  /* @__PURE__ */ SchemaDecodeError.decodeJson(Envelope, "Envelope")

/**
 * Decodes just a `Pagination` object (e.g. the `Pagination` field of a body the caller already parsed).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodePagination: (input: unknown) => Effect.Effect<Pagination, SchemaDecodeError.SchemaDecodeError> =
  /* @__PURE__ */ SchemaDecodeError.decodeUnknown(Pagination, "Pagination")

/**
 * What the helpers accept: the `Response` items array, or a decoded `Envelope`.
 *
 * @since 0.1.0
 * @category models
 */
export type Source = Items | Envelope

/**
 * The `Response` items of a source.
 *
 * @since 0.1.0
 * @category accessors
 */
export const itemsOf = (source: Source): Items => {
  const items = responseOf(source)
  return Array.isArray(items) ? items : []
}

/** The source itself when it is an array, else its `Response` (the types say `Source`; callers may pass any JSON). */
const responseOf = (source: Source): unknown =>
  Array.isArray(source)
    ? source
    : typeof source === "object" && source !== null
    ? (source as { Response?: unknown }).Response
    : undefined

/**
 * The type names of the items, in order (e.g. `["Id", "Token", "ServerPublicKey"]`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const typeNames = (source: Source): ReadonlyArray<string> =>
  itemsOf(source).map(items_.typeNameOf).filter((name): name is string => name !== undefined)

/**
 * Runs an item-level decode, naming `target` and putting `"Response"` in front of paths when the source is an
 * envelope.
 *
 * @since 0.1.0
 * @category decoding
 */
export const fromItems = <A>(
  source: Source,
  target: string,
  f: (items: Items) => Effect.Effect<A, ParseResult.ParseIssue>
): Effect.Effect<A, SchemaDecodeError.SchemaDecodeError> => {
  // the types say `Source`, but callers may pass parsed JSON: anything else is a typed failure, never a throw
  const isEnvelope = !Array.isArray(source)
  const items = responseOf(source)
  if (!Array.isArray(items)) {
    return Effect.fail(SchemaDecodeError.fromParseIssue(target, new ParseResult.Type(Items.ast, source)))
  }
  return Effect.mapError(
    f(items),
    (issue) =>
      SchemaDecodeError.fromParseIssue(target, isEnvelope ? new ParseResult.Pointer("Response", source, issue) : issue)
  )
}

/**
 * Decodes the first object of type `typeName` (e.g. `"DeviceServer"`) with `schema`. Fails with reason
 * `MissingObject` when there is none, `InvalidShape` when it does not match.
 *
 * @since 0.1.0
 * @category decoding
 */
export const pickOne = <A, I>(
  source: Source,
  typeName: string,
  schema: Schema.Schema<A, I, never>
): Effect.Effect<A, SchemaDecodeError.SchemaDecodeError> =>
  fromItems(source, typeName, (items) => items_.pickOne(items, typeName, schema))

/**
 * Like `pickOne`, but an absent object is `Option.none()` (a present but malformed one still fails).
 *
 * @since 0.1.0
 * @category decoding
 */
export const pickOption = <A, I>(
  source: Source,
  typeName: string,
  schema: Schema.Schema<A, I, never>
): Effect.Effect<Option.Option<A>, SchemaDecodeError.SchemaDecodeError> =>
  fromItems(source, typeName, (items) => {
    const index = items.findIndex((item) => items_.hasType(item, typeName))
    return index < 0
      ? Effect.succeedNone
      : Effect.asSome(items_.decodeAt(items, index, typeName, schema))
  })

/**
 * Decodes every object of type `typeName`, in order (items of other types are skipped). An empty list is a success.
 *
 * @since 0.1.0
 * @category decoding
 */
export const pickAll = <A, I>(
  source: Source,
  typeName: string,
  schema: Schema.Schema<A, I, never>
): Effect.Effect<Array<A>, SchemaDecodeError.SchemaDecodeError> =>
  fromItems(source, typeName, (items) => items_.pickAll(items, typeName, schema))

/**
 * The `id` of a create response (`{"Response":[{"Id":{"id":1561}}]}` → `1561`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const createdId = (source: Source): Effect.Effect<number, SchemaDecodeError.SchemaDecodeError> =>
  Effect.map(pickOne(source, "Id", Id), (id) => id.id)

/**
 * The `uuid` of a create response that answers with `{"Uuid":{"uuid":"…"}}`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const createdUuid = (source: Source): Effect.Effect<string, SchemaDecodeError.SchemaDecodeError> =>
  Effect.map(pickOne(source, "Uuid", Uuid), (uuid) => uuid.uuid)

/**
 * Encodes a value into one `Response` item, `{ [typeName]: <encoded value> }` (for building responses, e.g. in an
 * emulator).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeItem = <A, I>(
  typeName: string,
  schema: Schema.Schema<A, I, never>,
  value: A
): Effect.Effect<Item, SchemaDecodeError.SchemaDecodeError> =>
  Effect.map(SchemaDecodeError.encode(schema, typeName)(value), (encoded) => ({ [typeName]: encoded }))

/**
 * Builds the JSON body of a success response: `{"Response": items}`, plus `Pagination` when given.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (
  envelope: Envelope
): Effect.Effect<{ readonly Response: Items; readonly Pagination?: unknown }, SchemaDecodeError.SchemaDecodeError> =>
  SchemaDecodeError.encode(Envelope, "Envelope")(envelope)
