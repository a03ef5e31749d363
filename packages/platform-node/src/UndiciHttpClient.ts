/**
 * The `HttpClient` that `BunqNode.layer` uses: a lean client over an undici `Dispatcher`. Per request it does one
 * `dispatcher.request` and reads the response headers once; it opens no HTTP span and sends no trace headers
 * (`BunqClient` has its own span per request, and bunq has no use for your trace ids).
 *
 * What it keeps from `NodeHttpClient.layerUndici`: every `HttpBody` kind, interruption aborts the request and an
 * unread body, a response that is never read has its body destroyed when it is garbage collected, and failures are
 * `RequestError` (`InvalidUrl`, `Encode`, `Transport`) or `ResponseError` (`Decode`). A body can be read once; reading
 * it again the same way (`arrayBuffer` twice) gives the same value, another way fails with `ResponseError`.
 *
 * Interrupting a request or a body read aborts the exchange: `BunqClient`'s per-attempt timeout works that way, so this
 * client has no deadline of its own. It exists because it is measured to be leaner than `NodeHttpClient.layerUndici`:
 * a signed `GET` through `BunqNode.layer` evaluates 178 Effect operations over it against 296 over `layerUndici`
 * (`pnpm --filter @effect-bunq/bench ops`, 2026-12-07).
 *
 * For the platform's client (with its `http.client` spans), provide `NodeHttpClient.layerUndici` to
 * `BunqNode.layerWithoutHttpClient` instead.
 *
 * @since 0.1.0
 */
import type * as Undici from "@effect/platform-node/Undici"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/undiciHttpClient.js"

/**
 * An `HttpClient` sending through `dispatcher` (an `Agent`, `Pool`, `ProxyAgent`, …), which stays the caller's to
 * close.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (dispatcher: Undici.Dispatcher) => HttpClient.HttpClient = internal.make

/**
 * The client over its own undici `Agent`, destroyed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scoped: Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> = internal.scoped

/**
 * The client over its own undici `Agent` (`scoped`), destroyed when the layer's scope closes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = internal.layer
