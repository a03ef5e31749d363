/**
 * `ApiContext`: everything a bunq session needs — the client's key pair, the installation (token and bunq's server
 * public key), the device, the session and its user — kept up to date and saved, so that application code never
 * handles a token.
 *
 * Building the layer restores the context saved in the `ContextStore` for the same API key and environment (no
 * installation or device call), or registers: installation → device → session, and saves. (A context that
 * `Psd2.register` saved after the provider's credential, when the device step failed, gets its device on restore:
 * `POST /device-server` on the credential's installation, as the registration would have done.) After that:
 *
 * - a session is opened again shortly before it expires (`refreshMargin`, default 30 s, capped at a tenth of the
 *   session's lifetime so that a 20 s session is still reused for 18 s; by Effect's `Clock`) and after a 401/403
 *   whose description is bunq's "Insufficient authorisation." / "Insufficient authentication." on a session-token
 *   call, which is then retried once;
 * - opening a session is single-flight, failures included: the fibers that wait while one `POST /session-server` is
 *   in flight all get its result, a session or the error;
 * - when bunq no longer knows the installation or device (opening a session fails with 400/401/403), the context
 *   registers again — at most once per `reregisterCooldown` (default 5 minutes), never in a loop;
 * - every change is saved through the `ContextStore`.
 *
 * The implementation is in `internal/apiContext.ts`; this module holds the tag, the options, the layers and the
 * accessors.
 *
 * Programs (`DeviceServer.get`, `User.get`, …) send their requests through `request`, which fills in the session
 * token, the signing key and the server key.
 *
 * @since 0.1.0
 */
import type { BunqClient } from "@effect-bunq/http/BunqClient"
import type { BunqRawResponse, BunqResponse, Method, RawBody } from "@effect-bunq/http/BunqClient"
import type { BunqConfig } from "@effect-bunq/http/BunqConfig"
import type { ApiError, BunqError } from "@effect-bunq/http/BunqError"
import type { BunqRateLimiter } from "@effect-bunq/http/BunqRateLimiter"
import * as Pagination from "@effect-bunq/http/Pagination"
import type * as UserSchema from "@effect-bunq/schema/User"
import * as Signer from "@effect-bunq/signer/Signer"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ContextStore from "./ContextStore.js"
import * as internal from "./internal/apiContext.js"
import * as internalLayerRuntime from "./internal/layerRuntime.js"

/**
 * Everything a context-backed call can fail with: bunq's errors, a store failure while saving a change, a key
 * generation failure while registering again, and the page errors of `Pagination` (an invalid `count` or cursor,
 * refused before anything is sent, and a walk whose cursor bunq does not move on).
 *
 * @since 0.1.0
 * @category errors
 */
export type ApiContextError =
  | BunqError
  | ContextStore.ContextStoreError
  | Signer.SignerError
  | Pagination.PaginationError

/**
 * A request without credentials: `ApiContext.request` adds the session token, the signing key and the server key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Request {
  /** The operation name, used as the span name (e.g. `"DeviceServer.get"`). */
  readonly operation: string
  readonly method: Method
  /** Path relative to the base URL, e.g. `/device-server/12`. May carry a query string. */
  readonly path: string
  readonly urlParams?: Readonly<Record<string, string | number>> | undefined
  /** A JSON value. */
  readonly body?: unknown
  /** Raw bytes instead of a JSON `body` (attachment uploads), signed as they are (see `BunqRequest.rawBody`). */
  readonly rawBody?: RawBody | undefined
  /** Extra headers, such as `X-Bunq-Attachment-Description` (bunq's own headers win over them). */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class ApiContext extends Context.Tag("@effect-bunq/device-server/ApiContext")<
  ApiContext,
  ApiContext.Service
>() {}

/**
 * @since 0.1.0
 */
export declare namespace ApiContext {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /**
     * Send a request with the session's credentials. The session is opened first when there is none or it is about
     * to expire; a 401/403 "Insufficient authorisation/authentication" opens a new one and the request is sent
     * once more.
     */
    readonly request: (request: Request) => Effect.Effect<BunqResponse, ApiContextError>
    /**
     * As `request`, but the response body is returned as the verified raw bytes, not parsed (`GET …/content`
     * downloads; see `BunqClient.Service.executeRaw`).
     */
    readonly requestRaw: (request: Request) => Effect.Effect<BunqRawResponse, ApiContextError>
    /** The current session, opened when there is none or it is about to expire. */
    readonly session: Effect.Effect<ContextStore.SavedSession, ApiContextError>
    /** Open a new session now (single-flight with every other refresh). */
    readonly refreshSession: Effect.Effect<ContextStore.SavedSession, ApiContextError>
    /**
     * Close the current session (`DELETE /session/{id}`, with bunq's "current session" id `0` when the id is not
     * known) and forget it, saved; the next call opens a new session. Nothing is sent when there is no session or it
     * has expired, and a 401/403 (bunq already ended it) counts as closed. Holds the refresh lock, so no other fiber
     * opens a session meanwhile.
     */
    readonly closeSession: Effect.Effect<void, ApiContextError>
    /** The user of the session, as bunq returned it when the session was opened (`None` on a restored session). */
    readonly user: Effect.Effect<Option.Option<UserSchema.User>>
    /** The current state, as it is saved. */
    readonly snapshot: Effect.Effect<ContextStore.SavedContext>
    /** The store key this context is saved under. */
    readonly storeKey: string
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly apiKey: Redacted.Redacted<string>
  /** The device description bunq shows in the app. Default `"effect-bunq"`. */
  readonly description?: string | undefined
  /**
   * IPs the API key may be used from (`permitted_ips`); include `"*"` for a wildcard key. Default: none given, so
   * bunq binds the key to the calling IP.
   */
  readonly permittedIps?: ReadonlyArray<string> | undefined
  /**
   * Open a new session this long before the current one expires. Default 30 seconds; never more than a tenth of the
   * session's lifetime (bunq lets a user set a short auto-logout).
   */
  readonly refreshMargin?: Duration.DurationInput | undefined
  /**
   * After registering again (bunq rejected the installation or device), do not register again for this long: a
   * rejected session open within it fails with bunq's error. Default 5 minutes.
   */
  readonly reregisterCooldown?: Duration.DurationInput | undefined
  /** The `ContextStore` key. Default `"default"`. */
  readonly storeKey?: string | undefined
  /**
   * Whether generated private keys are extractable. Default `true` (stores that persist PEM text need it); browser
   * stores that keep `CryptoKey` objects use `false`.
   */
  readonly extractableKeys?: boolean | undefined
}

/**
 * The services a runtime layer provides (`BunqNode.layer`, `BunqBrowser.layer`): both give exactly these, so a
 * program written against them runs in either.
 *
 * @since 0.1.0
 * @category models
 */
export type RuntimeServices =
  | ApiContext
  | BunqClient
  | BunqConfig
  | ContextStore.ContextStore
  | Signer.Signer
  | HttpClient.HttpClient

/**
 * The default `ContextStore` key.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultStoreKey: string = internal.defaultStoreKey

/**
 * Whether an error means "this session is no longer valid": a 401 or 403 with one of bunq's descriptions
 * "Insufficient authorisation." / "Insufficient authentication.". A 401/403 without a description, or with another
 * one (an IP that is not permitted, a missing permission), is not: the request is then not sent again.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSessionRejected: (error: unknown) => error is ApiError = internal.isSessionRejected

/**
 * Whether opening a session failed because bunq no longer knows the installation or device: 400, 401 or 403 on
 * `POST /session-server`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRegistrationRejected: (error: unknown) => error is ApiError = internal.isRegistrationRejected

/**
 * Build the context: restore the saved one, or register and save.
 *
 * Fails with `ContextStoreError` `Foreign` when the store key holds a context of another API key or environment,
 * and with `Corrupt`/`UnsupportedVersion` when it holds something unreadable: the saved context is left as it is
 * (use `reset` to forget it).
 *
 * The context lives in the `Scope` it is built in: a session refresh in flight when that scope closes is
 * interrupted, and nothing is saved after it. `layer` gives it the layer's scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<
  ApiContext.Service,
  ApiContextError | ConfigError.ConfigError,
  BunqClient | Signer.Signer | BunqConfig | ContextStore.ContextStore | Scope.Scope
> = internal.make

/**
 * The `ApiContext` layer (see `make`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  ApiContext,
  ApiContextError | ConfigError.ConfigError,
  BunqClient | Signer.Signer | BunqConfig | ContextStore.ContextStore
> => Layer.scoped(ApiContext, make(options))

/**
 * Where `layerRuntime` gets one service from: a layer that provides it, or an effect that makes it. An effect is run
 * once, in the runtime layer's scope, with no layer machinery around it; a layer is built in the surrounding memo map
 * (so a layer the app also uses elsewhere, such as one Redis connection under two services, is built once).
 *
 * @since 0.1.0
 * @category models
 */
export type ServiceSource<I, S, E = never, R = never> =
  | Layer.Layer<I, E, R>
  | Effect.Effect<S, E, R | Scope.Scope>

/**
 * What a platform gives `layerRuntime`. `BunqNode` and `BunqBrowser` give effects for their own services (a restore
 * builds no layer but the one `layerRuntime` returns) and layers for the stores you choose.
 *
 * @since 0.1.0
 * @category models
 */
export interface Platform<
  H extends ServiceSource<HttpClient.HttpClient, HttpClient.HttpClient> | undefined = undefined
> {
  readonly config: ServiceSource<BunqConfig, BunqConfig.Service, ConfigError.ConfigError>
  readonly signer: ServiceSource<Signer.Signer, Signer.Signer.Service>
  readonly store: ServiceSource<
    ContextStore.ContextStore,
    ContextStore.ContextStore.Service,
    ContextStore.ContextStoreError,
    Signer.Signer
  >
  readonly rateLimiter?:
    | ServiceSource<BunqRateLimiter, BunqRateLimiter.Service, ContextStore.ContextStoreError, BunqConfig>
    | undefined
  readonly httpClient?: H
}

/**
 * Every runtime service (see `RuntimeServices`) from what a platform supplies (see `Platform`): its configuration, its
 * signer and its context store, over an `HttpClient` (its `httpClient`, or else the one it is given, passed through to
 * the output), and optionally a rate limiter for `BunqClient` (one shared by a fleet of processes; without it, the
 * client's in-process limiter). `BunqNode` and `BunqBrowser` build their layers with it.
 *
 * The services are made one after the other in a single layer, not as a graph of merged layers, and from effects
 * where the platform gives them: each `Layer.merge` / `provide` / `provideMerge` forks fibers and costs ≈ 250 Effect
 * operations, and building even a one-service layer in a memo map costs ≈ 170. A restore (build the layer from a saved
 * context) went from ≈ 5 500 operations to ≈ 1 500 with one layer, and to ≈ 520 with effects
 * (`pnpm --filter @effect-bunq/bench restore`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRuntime = <
  H extends ServiceSource<HttpClient.HttpClient, HttpClient.HttpClient> | undefined = undefined
>(
  options: Options,
  platform: Platform<H>
): Layer.Layer<
  RuntimeServices,
  ApiContextError | ConfigError.ConfigError,
  H extends undefined ? HttpClient.HttpClient : never
> =>
  internalLayerRuntime.layerRuntime(ApiContext, options, platform) as Layer.Layer<
    RuntimeServices,
    ApiContextError | ConfigError.ConfigError,
    H extends undefined ? HttpClient.HttpClient : never
  >

/**
 * Read the options from the environment: `BUNQ_API_KEY` (required), `BUNQ_DEVICE_DESCRIPTION`,
 * `BUNQ_PERMITTED_IPS` (comma-separated, `*` for a wildcard key), `BUNQ_SESSION_REFRESH_MARGIN` (a duration such
 * as `30 seconds`), `BUNQ_CONTEXT_KEY` (the store key). An empty `BUNQ_DEVICE_DESCRIPTION`, `BUNQ_PERMITTED_IPS` or
 * `BUNQ_CONTEXT_KEY` counts as unset (the CLI reads them the same way); an empty API key is a `ConfigError`.
 *
 * (Built lazily and marked pure, so that an app that never reads its options from the environment does not bundle
 * `Config`'s parsers: ≈ 1 KB gzipped in the browser.)
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = /* @__PURE__ */ Config.suspend(() =>
  Config.all({
    apiKey: Config.nested(
      Config.redacted(Config.string()).pipe(
        Config.validate({ message: "the API key is empty", validation: (key) => Redacted.value(key).trim() !== "" })
      ),
      "BUNQ_API_KEY"
    ),
    description: Config.option(Config.nonEmptyString("BUNQ_DEVICE_DESCRIPTION")),
    permittedIps: Config.option(Config.array(Config.string(), "BUNQ_PERMITTED_IPS")),
    refreshMargin: Config.option(Config.duration("BUNQ_SESSION_REFRESH_MARGIN")),
    storeKey: Config.option(Config.nonEmptyString("BUNQ_CONTEXT_KEY"))
  }).pipe(Config.map((env): Options => ({
    apiKey: env.apiKey,
    description: Option.getOrUndefined(env.description),
    // an empty list (`BUNQ_PERMITTED_IPS=`) is unset, like every empty text variable: no `permitted_ips` sent
    permittedIps: Option.getOrUndefined(Option.filter(
      Option.map(env.permittedIps, (ips) => ips.map((ip) => ip.trim()).filter((ip) => ip.length > 0)),
      (ips) => ips.length > 0
    )),
    refreshMargin: Option.getOrUndefined(env.refreshMargin),
    storeKey: Option.getOrUndefined(env.storeKey)
  })))
)

/**
 * The `ApiContext` layer with options read by `config`; `overrides` win over the environment.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  overrides?: Partial<Options>
): Layer.Layer<
  ApiContext,
  ApiContextError | ConfigError.ConfigError,
  BunqClient | Signer.Signer | BunqConfig | ContextStore.ContextStore
> =>
  Layer.unwrapEffect(
    Effect.map(config, (options) => layer({ ...options, ...definedOnly(overrides ?? {}) }))
  )

const definedOnly = <A extends object>(value: A): Partial<A> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<A>

/**
 * Forget the context saved under `storeKey` (default `"default"`): the next `ApiContext` registers again. Works
 * without an `ApiContext`, so it can clear a corrupt or foreign saved context that keeps the layer from building.
 *
 * @since 0.1.0
 * @category combinators
 */
export const reset = (
  storeKey: string = defaultStoreKey
): Effect.Effect<void, ContextStore.ContextStoreError, ContextStore.ContextStore> =>
  Effect.flatMap(ContextStore.ContextStore, (store) => store.remove(storeKey))

/**
 * Send a request with the current context's credentials (see `ApiContext.Service.request`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const request = (request: Request): Effect.Effect<BunqResponse, ApiContextError, ApiContext> =>
  Effect.flatMap(ApiContext, (context) => context.request(request))

/**
 * Send a request with the current context's credentials and get the verified raw bytes of the response (see
 * `ApiContext.Service.requestRaw`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const requestRaw = (request: Request): Effect.Effect<BunqRawResponse, ApiContextError, ApiContext> =>
  Effect.flatMap(ApiContext, (context) => context.requestRaw(request))

/**
 * Follow a list page by page with the current context's credentials, emitting each page as one `BunqResponse`: the
 * first page at the request's `count`, `older_id` or `newer_id` (in `urlParams` or its path; count default 200), then
 * `older_id` from each page's `older_url`, or `newer_id` from its `newer_url` when the request names `newer_id` (see
 * `Pagination.responses`); a page without items is the last. Each page is a separate `request`, so a session that
 * expires during a long walk is renewed; the next page is only requested when the stream is pulled. List programs use
 * `Pagination.stream` with `request` directly; this is for hand-written requests.
 *
 * @since 0.1.0
 * @category accessors
 */
export const paginate = (first: Request): Stream.Stream<BunqResponse, ApiContextError, ApiContext> =>
  Stream.unwrap(Effect.map(ApiContext, (context) => Pagination.responses(first, context.request)))
