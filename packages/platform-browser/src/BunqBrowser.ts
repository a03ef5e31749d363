/**
 * Everything a browser app needs to talk to bunq, in one layer: `fetch`, the WebCrypto signer with non-extractable
 * keys, a context store (IndexedDB by default), `BunqConfig`, `BunqClient` and the `ApiContext`. It provides the same
 * services as `BunqNode.layer`, so a program runs in either.
 *
 * bunq sends no CORS headers: a page cannot call `api.bunq.com` directly. Point `baseUrl` at a proxy you run (same
 * origin, or one that adds CORS headers and forwards every `X-Bunq-*` header both ways, byte for byte). A request the
 * browser blocks fails with `TransportError` of reason `Blocked`, whose message says so.
 *
 * @since 0.1.0
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as BrowserContextStore from "./BrowserContextStore.js"

/**
 * The services every runtime layer provides: `ApiContext.RuntimeServices`, the same for Node and the browser.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = ApiContext.RuntimeServices

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends Omit<ApiContext.Options, "extractableKeys">, BunqConfig.Options {
  /**
   * Where the context is saved. `"indexedDB"` (default) keeps the private key as a non-extractable `CryptoKey`;
   * `"localStorage"` stores it as PEM text (extractable keys); `"memory"` keeps nothing across page loads.
   */
  readonly storage?: "indexedDB" | "localStorage" | "memory" | undefined
  /** The IndexedDB database name (default `"effect-bunq"`) or the localStorage key prefix. */
  readonly storageName?: string | undefined
}

const store = (options: Options): Layer.Layer<ContextStore.ContextStore, ContextStore.ContextStoreError> => {
  switch (options.storage ?? "indexedDB") {
    case "memory":
      return ContextStore.layerMemory
    case "localStorage":
      return BrowserContextStore.layerLocalStorage(
        options.storageName === undefined ? undefined : { prefix: options.storageName }
      ).pipe(Layer.provide(WebCryptoSigner.layer))
    case "indexedDB":
      return BrowserContextStore.layerIndexedDb({ database: options.storageName })
  }
}

/**
 * Everything but the HTTP client, for apps that bring their own `HttpClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutHttpClient = (
  options: Options
): Layer.Layer<
  Exclude<Services, HttpClient.HttpClient>,
  ApiContext.ApiContextError | ConfigError.ConfigError,
  HttpClient.HttpClient
> => {
  const base = Layer.merge(BunqConfig.layer(options), WebCryptoSigner.layer)
  const client = BunqClient.layer.pipe(Layer.provideMerge(base))
  return ApiContext.layer({ ...options, extractableKeys: options.storage === "localStorage" }).pipe(
    Layer.provideMerge(Layer.merge(client, store(options)))
  )
}

/**
 * All services, with the browser's `fetch`. Invalid options (a base URL that is not a URL) fail with `ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Services, ApiContext.ApiContextError | ConfigError.ConfigError> =>
  layerWithoutHttpClient(options).pipe(Layer.provideMerge(FetchHttpClient.layer))
