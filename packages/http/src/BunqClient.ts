/**
 * `BunqClient`: the one door to bunq. It transforms the injected `@effect/platform` `HttpClient` so that every request
 * carries bunq's headers, the token the caller names, and a signature over the exact body bytes sent; and every
 * response is verified over its raw bytes with the server's public key before it is parsed.
 *
 * The client never guesses a token: the caller (usually `@effect-bunq/device-server/ApiContext`) says which
 * credentials a request uses.
 *
 * @since 0.1.0
 */
import type * as Signer from "@effect-bunq/signer/Signer"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { BunqConfig } from "./BunqConfig.js"
import type { BunqError } from "./BunqError.js"
import * as internal from "./internal/client.js"
import * as headers from "./internal/headers.js"
import * as Pagination from "./Pagination.js"

/**
 * Which token a request carries in `X-Bunq-Client-Authentication`.
 *
 * - `None`: `POST /installation` and `POST /sandbox-user-person`.
 * - `Installation`: `POST /device-server`, `POST /session-server`.
 * - `Session`: everything else.
 *
 * @since 0.1.0
 * @category models
 */
export type Auth =
  | { readonly _tag: "None" }
  | { readonly _tag: "Installation"; readonly token: Redacted.Redacted<string> }
  | { readonly _tag: "Session"; readonly token: Redacted.Redacted<string> }

/**
 * @since 0.1.0
 * @category models
 */
export type Method = "GET" | "POST" | "PUT" | "DELETE"

/**
 * A request to bunq, before headers, signing and verification.
 *
 * @since 0.1.0
 * @category models
 */
export interface BunqRequest {
  /** The operation name, used as the span name (e.g. `"DeviceServer.get"`). */
  readonly operation: string
  readonly method: Method
  /** Path relative to the base URL, starting with `/`, e.g. `/device-server/12`. May carry a query string. */
  readonly path: string
  /** Query parameters appended to `path`. */
  readonly urlParams?: Readonly<Record<string, string | number>> | undefined
  /** A JSON value: serialized once to UTF-8 bytes, and those bytes are signed and sent. */
  readonly body?: unknown
  /**
   * Raw bytes instead of a JSON `body` (an attachment upload): signed and sent exactly as they are, with their
   * content type. A request with both is a bug (a defect).
   */
  readonly rawBody?: RawBody | undefined
  /**
   * Extra headers, such as `X-Bunq-Attachment-Description`. bunq's own headers (user agent, request id, language,
   * region, geolocation, cache control) and the credentials are set after them and always win.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly auth: Auth
  /** The client's private key: when present the body bytes (or the empty string) are signed. */
  readonly signWith?: Signer.PrivateKey | undefined
  /**
   * The server public key (SPKI PEM) that must have signed the response. Every request after installation passes
   * it; when absent (only `POST /installation` and `POST /sandbox-user-person`) the response is not verified.
   */
  readonly verifyWith?: string | undefined
}

/**
 * A raw request body: the bytes and their content type (`image/png` for an attachment).
 *
 * @since 0.1.0
 * @category models
 */
export interface RawBody {
  readonly bytes: Uint8Array
  readonly contentType: string
}

/**
 * A verified response whose body is not JSON (`…/content` downloads): its bytes, exactly as received and verified,
 * and the `Content-Type` bunq sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface BunqRawResponse {
  readonly status: number
  readonly requestId: string
  readonly responseId: string | undefined
  readonly contentType: string | undefined
  readonly bytes: Uint8Array
}

/**
 * The `Pagination` object of a list response: each link is `undefined` when bunq sent `null` or nothing, and
 * otherwise a path relative to the base URL with its query (bunq's `/v1/device-server?count=25&older_id=1` becomes
 * `/device-server?count=25&older_id=1`), ready to use as `BunqRequest.path`.
 *
 * @since 0.1.0
 * @category models
 */
export type PageLinks = Pagination.Links

/**
 * A verified, parsed bunq response.
 *
 * @since 0.1.0
 * @category models
 */
export interface BunqResponse {
  readonly status: number
  readonly requestId: string
  readonly responseId: string | undefined
  /** The `Response` array: single-key objects such as `{ "Id": { "id": 1 } }`. */
  readonly items: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly pagination: PageLinks | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class BunqClient extends Context.Tag("@effect-bunq/http/BunqClient")<BunqClient, BunqClient.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace BunqClient {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** Send one request: headers, signing, rate limiting, retries (GET only), verification, envelope decoding. */
    readonly execute: (request: BunqRequest) => Effect.Effect<BunqResponse, BunqError>
    /**
     * As `execute`, but the (2xx) response body is returned as the raw bytes it is, after verification, without
     * JSON parsing: for downloads (`GET …/content`). An error status is still an `ApiError` with bunq's messages.
     */
    readonly executeRaw: (request: BunqRequest) => Effect.Effect<BunqRawResponse, BunqError>
  }
}

/**
 * How the client is built: `transformClient` is your own middleware over the `HttpClient` bunq's requests go
 * through (a proxy, logging, a retry policy of your own). It sees each attempt's complete request: the base URL,
 * bunq's headers, the token and the signature (log headers through `Headers.redact`, which knows bunq's secret ones).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * Build the client from the injected `HttpClient`, `Signer` and `BunqConfig`.
 *
 * - The injected `HttpClient` is transformed once, with `@effect/platform`'s combinators: `mapRequest` prepends the
 *   base URL and sets bunq's fixed headers, then `options.transformClient` adds your middleware.
 * - Per request (the keys belong to the request, so these are steps of `execute` around that client): the body is
 *   serialized once to UTF-8 bytes (or `rawBody` taken as it is); when `signWith` is set those exact bytes (the empty
 *   string without a body) are signed once (bunq signs the body only, so retries reuse the signature). Each attempt
 *   gets a fresh `X-Bunq-Client-Request-Id` (bunq rejects reuse) and the token named by `auth`.
 * - Responses: the body is read once as bytes (at most `maxResponseBytes`); with `verifyWith` the
 *   `X-Bunq-Server-Signature` is verified over those bytes before anything is parsed; the echoed request id is
 *   checked; then the same bytes are decoded as UTF-8 JSON into the `Response` envelope (a plain
 *   `{"Response": [...]}` is taken as is, anything else goes through `Envelope.decode`) or, for an error status,
 *   into `ApiError`. `executeRaw` returns the verified bytes instead.
 * - Each attempt has `BunqConfig.timeout`: when it passes, the attempt is interrupted (which aborts the request) and
 *   fails with `TransportError` `Timeout`; under `TestClock` it follows the test clock.
 * - Rate limiting per `BunqConfig.rateLimits` (queues, never fails); retries per `BunqConfig.retry` for `GET` only.
 * - Each call runs in one span, `bunq.request`, with `bunq.operation`, `http.request.method`, `url.path` (no query),
 *   `http.response.status_code`, `bunq.request_id` and `bunq.response_id`. The transport opens no span of its own for
 *   bunq's requests (and so sends no trace headers to bunq), and the secret headers are redacted: see
 *   `layerRequestSettings`. With `transformClient`, `bunq.request` is the parent of your middleware's spans.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith: (options?: Options) => Effect.Effect<
  BunqClient.Service,
  never,
  HttpClient.HttpClient | Signer.Signer | BunqConfig
> = internal.make

/**
 * `makeWith()`: the client without middleware of your own.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  BunqClient.Service,
  never,
  HttpClient.HttpClient | Signer.Signer | BunqConfig
> = internal.make()

/**
 * The client (`makeWith(options)`), with `layerRequestSettings` for everything built on the layer, so that `execute`
 * finds bunq's settings there instead of scoping them around every request. (One layer: a `Layer.merge` of the two
 * would fork fibers on every build.)
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (
  options: Options
): Layer.Layer<BunqClient, never, HttpClient.HttpClient | Signer.Signer | BunqConfig> =>
  Layer.scoped(BunqClient, Effect.zipRight(headers.requestRefsScoped, makeWith(options)))

/**
 * `layerWith({})`: the client without middleware of your own.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<BunqClient, never, HttpClient.HttpClient | Signer.Signer | BunqConfig> =
  /* @__PURE__ */ Layer.scoped(BunqClient, /* @__PURE__ */ Effect.zipRight(headers.requestRefsScoped, make))

/**
 * Follow a list lazily from a first request, emitting each page as one `BunqResponse` (flatten with `items`): the
 * first page at the request's `count`, `older_id` or `newer_id` (in `urlParams` or its path; count default 200), then
 * `older_id` from each page's `older_url`, or `newer_id` from its `newer_url` when the request names `newer_id` (see
 * `Pagination.responses`). Every page is a separate signed and verified `execute` with the first one's auth and keys;
 * the next page is only requested when the stream is pulled, and a page without items is the last. A `count` that is
 * not an integer from 1 to 200 fails the stream with `Pagination.InvalidCount`, an id that is not a whole number or
 * both ids with `Pagination.InvalidCursor`, before anything is sent; a cursor from bunq that does not move the walk on
 * fails it with `Pagination.CursorNotAdvancing`. For one page at a time, `execute` with `urlParams` and read the
 * cursors with `Pagination.fromResponse(response, response.items)`.
 *
 * A function rather than a method of the service, so that an app that never lists does not bundle `Stream`.
 *
 * @since 0.1.0
 * @category pagination
 */
export const paginate = (
  request: BunqRequest
): Stream.Stream<BunqResponse, BunqError | Pagination.PaginationError, BunqClient> =>
  Stream.unwrap(Effect.map(BunqClient, (client) => Pagination.responses(request, client.execute)))

/**
 * Flatten a stream of pages into the stream of their `Response` items.
 *
 * @since 0.1.0
 * @category pagination
 */
export const items = <E, R>(
  pages: Stream.Stream<BunqResponse, E, R>
): Stream.Stream<Readonly<Record<string, unknown>>, E, R> =>
  Stream.flatMap(pages, (page) => Stream.fromIterable(page.items))

/**
 * The headers that carry secrets: `X-Bunq-Client-Authentication`, `X-Bunq-Client-Signature` and
 * `X-Bunq-Server-Signature`.
 *
 * @since 0.1.0
 * @category redaction
 */
export const secretHeaderNames: ReadonlyArray<string> = headers.secretHeaderNames

/**
 * Run an effect with bunq's secret headers added to `Headers.currentRedactedNames`, so that `HttpClient` spans
 * record them as redacted. `execute` already applies it to its own requests.
 *
 * @since 0.1.0
 * @category redaction
 */
export const withRedactedHeaders: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> =
  headers.withRedactedHeaders

/**
 * A layer that adds bunq's secret headers to `Headers.currentRedactedNames` for everything built on it (for apps that
 * also use the raw `HttpClient` with bunq headers).
 *
 * @since 0.1.0
 * @category redaction
 */
export const layerRedactedHeaders: Layer.Layer<never> = headers.layerRedactedHeaders

/**
 * bunq's settings of the `@effect/platform` fiber refs, for everything built on the layer: the secret headers in
 * `Headers.currentRedactedNames` (as `layerRedactedHeaders`), and the transport's own span off for bunq's requests
 * (`HttpClient.currentTracerDisabledWhen` extended to requests that carry `X-Bunq-Client-Request-Id`: the call's span
 * is `bunq.request`, and no trace headers go to bunq). `execute` applies them around a request when they are not set;
 * `layer`, `layerWith` and the platform layers set them once.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRequestSettings: Layer.Layer<never> = headers.layerRequestRefs

/**
 * `layerRequestSettings` as a scoped effect: bunq's settings of the fiber refs for the rest of the scope, and for a
 * layer built with it (`ApiContext.layerRuntime` sets them this way, without a layer of their own to build).
 *
 * @since 0.1.0
 * @category layers
 */
export const requestSettings: Effect.Effect<void, never, Scope.Scope> = headers.requestRefsScoped
