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
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import type * as Signer from "@effect-bunq/signer/Signer"
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

const store = (
  options: Options
): Layer.Layer<ContextStore.ContextStore, ContextStore.ContextStoreError, Signer.Signer> => {
  switch (options.storage ?? "indexedDB") {
    case "memory":
      return ContextStore.layerMemory
    case "localStorage":
      return BrowserContextStore.layerLocalStorage(
        options.storageName === undefined ? undefined : { prefix: options.storageName }
      )
    case "indexedDB":
      return BrowserContextStore.layerIndexedDb({ database: options.storageName })
  }
}

/**
 * What `layerWith` takes: the options of `layer` without the store choice, which the store layer makes.
 *
 * @since 0.1.0
 * @category models
 */
export interface OptionsWithStore extends Omit<Options, "storage" | "storageName"> {
  /**
   * Whether generated private keys are extractable. Default `false`; a store that saves the key as PEM text
   * (`BrowserContextStore.layerLocalStorage`) needs `true`, or saving fails with `KeyNotExportable`.
   */
  readonly extractableKeys?: boolean | undefined
}

const build = (
  options: OptionsWithStore,
  store: Layer.Layer<ContextStore.ContextStore, ContextStore.ContextStoreError, Signer.Signer>
): Layer.Layer<
  Services,
  ApiContext.ApiContextError | ConfigError.ConfigError,
  HttpClient.HttpClient
> =>
  ApiContext.layerRuntime({ ...options, extractableKeys: options.extractableKeys ?? false }, {
    config: BunqConfig.validate(options),
    signer: WebCryptoSigner.make,
    store
  })

/**
 * Every service over an `HttpClient` you bring (passed through to the output), for apps with their own client.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutHttpClient = (
  options: Options
): Layer.Layer<
  Services,
  ApiContext.ApiContextError | ConfigError.ConfigError,
  HttpClient.HttpClient
> => build({ ...options, extractableKeys: options.storage === "localStorage" }, store(options))

/**
 * All services, with the browser's `fetch`. Invalid options (a base URL that is not a URL) fail with `ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Services, ApiContext.ApiContextError | ConfigError.ConfigError> =>
  layerWithoutHttpClient(options).pipe(Layer.provide(FetchHttpClient.layer))

/**
 * All services, with the browser's `fetch` and the context store you give instead of one chosen by `storage`. Only
 * that store's code ends up in your bundle (`layer` carries all three, ≈ 2 KB gzipped more).
 *
 * @example
 * ```ts
 * import * as BrowserContextStore from "@effect-bunq/platform-browser/BrowserContextStore"
 * import * as BunqBrowser from "@effect-bunq/platform-browser/BunqBrowser"
 * import { Redacted } from "effect"
 *
 * const Bunq = BunqBrowser.layerWith(
 *   { apiKey: Redacted.make("sandbox_…"), baseUrl: "/bunq-proxy/v1" },
 *   BrowserContextStore.layerIndexedDb()
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (
  options: OptionsWithStore,
  store: Layer.Layer<ContextStore.ContextStore, ContextStore.ContextStoreError, Signer.Signer>
): Layer.Layer<Services, ApiContext.ApiContextError | ConfigError.ConfigError> =>
  build(options, store).pipe(Layer.provide(FetchHttpClient.layer))
