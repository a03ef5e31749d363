/**
 * `ApiContext`: everything a bunq session needs — the client's key pair, the installation (token and bunq's server
 * public key), the device, the session and its user — kept up to date and saved, so that application code never
 * handles a token.
 *
 * Building the layer restores the context saved in the `ContextStore` for the same API key and environment (no
 * installation or device call), or registers: installation → device → session, and saves. After that:
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
 * Programs (`DeviceServer.get`, `User.get`, …) send their requests through `request`, which fills in the session
 * token, the signing key and the server key.
 *
 * @since 0.1.0
 */
import { BunqClient, layer as bunqClientLayer } from "@effect-bunq/http/BunqClient"
import type { BunqRawResponse, BunqRequest, BunqResponse, Method, RawBody } from "@effect-bunq/http/BunqClient"
import { BunqConfig } from "@effect-bunq/http/BunqConfig"
import type { ApiError, BunqError } from "@effect-bunq/http/BunqError"
import * as Pagination from "@effect-bunq/http/Pagination"
import * as SessionServerSchema from "@effect-bunq/schema/SessionServer"
import type * as UserSchema from "@effect-bunq/schema/User"
import * as Signer from "@effect-bunq/signer/Signer"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ContextStore from "./ContextStore.js"
import * as programs from "./internal/programs.js"

/**
 * Everything a context-backed call can fail with: bunq's errors, a store failure while saving a change, and a key
 * generation failure while registering again.
 *
 * @since 0.1.0
 * @category errors
 */
export type ApiContextError = BunqError | ContextStore.ContextStoreError | Signer.SignerError | Pagination.InvalidCount

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
export const defaultStoreKey: string = "default"

/** Used when bunq sends no `session_timeout`: its documented default auto-logout, one week. */
const defaultSessionTimeoutSeconds = 7 * 24 * 60 * 60

/** bunq's texts for "this session is not valid" (401 and 403), compared without case and the final period. */
const sessionRejectedTexts: ReadonlySet<string> = new Set([
  "insufficient authorisation",
  "insufficient authentication"
])

/** The share of a session's lifetime the refresh margin may take at most. */
const maxMarginShare = 0.1

/**
 * Whether an error means "this session is no longer valid": a 401 or 403 with one of bunq's descriptions
 * "Insufficient authorisation." / "Insufficient authentication.". A 401/403 without a description, or with another
 * one (an IP that is not permitted, a missing permission), is not: the request is then not sent again.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSessionRejected = (error: unknown): error is ApiError =>
  isApiError(error) && (error.status === 401 || error.status === 403) &&
  error.descriptions.some((d) => sessionRejectedTexts.has(d.description.trim().replace(/\.$/, "").toLowerCase()))

/**
 * Whether opening a session failed because bunq no longer knows the installation or device: 400, 401 or 403 on
 * `POST /session-server`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRegistrationRejected = (error: unknown): error is ApiError =>
  isApiError(error) && (error.status === 400 || error.status === 401 || error.status === 403)

const isApiError = (error: unknown): error is ApiError =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "ApiError"

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
export const make = (
  options: Options
): Effect.Effect<
  ApiContext.Service,
  ApiContextError | ConfigError.ConfigError,
  BunqClient | Signer.Signer | BunqConfig | ContextStore.ContextStore | Scope.Scope
> =>
  Effect.gen(function*() {
    // Checked before anything is sent: an empty key would cost an installation and then fail with a defect.
    if (Redacted.value(options.apiKey).trim() === "") {
      return yield* Effect.fail(ConfigError.InvalidData(["apiKey"], "the API key is empty"))
    }
    const scope = yield* Effect.scope
    const client = yield* BunqClient
    const signer = yield* Signer.Signer
    const config = yield* BunqConfig
    const store = yield* ContextStore.ContextStore
    const storeKey = options.storeKey ?? defaultStoreKey
    const environment = config.baseUrl
    const apiKeyFingerprint = yield* ContextStore.fingerprint(options.apiKey)
    const marginMillis = Duration.toMillis(Duration.decode(options.refreshMargin ?? Duration.seconds(30)))
    const cooldownMillis = Duration.toMillis(Duration.decode(options.reregisterCooldown ?? Duration.minutes(5)))
    /** When this context last registered again; `undefined` before the first time. */
    let reregisteredAt: number | undefined
    const description = options.description ?? "effect-bunq"
    const withClient = Effect.provideService(BunqClient, client)

    /** installation → device. */
    const register = Effect.gen(function*() {
      const keyPair = yield* signer.generateKeyPair({ extractable: options.extractableKeys ?? true })
      const installation = yield* withClient(programs.createInstallation(keyPair.publicKeyPem))
      const credentials: programs.InstallationCredentials = {
        token: installation.token.token,
        privateKey: keyPair.privateKey,
        serverPublicKey: installation.serverPublicKey
      }
      const deviceId = yield* withClient(programs.createDeviceServer(credentials, {
        description,
        secret: options.apiKey,
        permittedIps: options.permittedIps
      }))
      const context: ContextStore.SavedContext = {
        version: ContextStore.currentVersion,
        environment,
        apiKeyFingerprint,
        keyPair,
        installation: {
          id: Option.some(installation.id),
          token: installation.token.token,
          serverPublicKey: installation.serverPublicKey
        },
        deviceId: Option.some(deviceId),
        session: Option.none()
      }
      return context
    }).pipe(Effect.withSpan("ApiContext.register"))

    // Restore or register, holding the store's lock so two clients sharing a store do not both register.
    const initial = yield* store.withLock(
      storeKey,
      Effect.gen(function*() {
        const saved = yield* store.load(storeKey)
        if (Option.isSome(saved)) {
          const context = saved.value
          if (context.apiKeyFingerprint !== apiKeyFingerprint) {
            return yield* new ContextStore.ContextStoreError({
              reason: "Foreign",
              key: storeKey,
              description: "the saved context belongs to another API key; reset it or use another store key"
            })
          }
          if (context.environment !== environment) {
            return yield* new ContextStore.ContextStoreError({
              reason: "Foreign",
              key: storeKey,
              description: `the saved context belongs to ${context.environment}, not ${environment}; ` +
                "reset it or use another store key"
            })
          }
          return { context, restored: true }
        }
        const context = yield* register
        yield* store.save(storeKey, context)
        return { context, restored: false }
      })
    )

    const state = yield* Ref.make(initial.context)
    const currentUser = yield* Ref.make(Option.none<UserSchema.User>())
    const mutex = yield* Effect.makeSemaphore(1)

    const persist = (context: ContextStore.SavedContext) =>
      Effect.zipRight(Ref.set(state, context), store.save(storeKey, context))

    const credentialsOf = (context: ContextStore.SavedContext): programs.InstallationCredentials => ({
      token: context.installation.token,
      privateKey: context.keyPair.privateKey,
      serverPublicKey: context.installation.serverPublicKey
    })

    // A session's lifetime, known for the sessions this context opened; for a restored one, what was left of it.
    const lifetimes = new WeakMap<ContextStore.SavedSession, number>()
    const isFresh = (session: ContextStore.SavedSession, now: number) => {
      const expiresAt = DateTime.toEpochMillis(session.expiresAt)
      let lifetime = lifetimes.get(session)
      if (lifetime === undefined) {
        lifetime = Math.max(0, expiresAt - now)
        lifetimes.set(session, lifetime)
      }
      return now < expiresAt - Math.min(marginMillis, lifetime * maxMarginShare)
    }

    /** `POST /session-server`; when bunq no longer knows the installation/device, register once and try again. */
    const openSession = (context: ContextStore.SavedContext) =>
      Effect.gen(function*() {
        const attempt = (ctx: ContextStore.SavedContext) =>
          Effect.map(
            withClient(programs.createSessionServer(credentialsOf(ctx), options.apiKey)),
            (session) => [ctx, session] as const
          )
        const [base, created] = yield* attempt(context).pipe(
          Effect.catchIf(isRegistrationRejected, (error) =>
            Effect.gen(function*() {
              const now = yield* Clock.currentTimeMillis
              if (reregisteredAt !== undefined && now - reregisteredAt < cooldownMillis) {
                // registered again a moment ago and still rejected: something else is wrong (a revoked key)
                return yield* Effect.fail(error)
              }
              reregisteredAt = now
              yield* Effect.logWarning("bunq rejected the installation or device; registering again")
              const fresh = yield* register
              yield* persist(fresh)
              return yield* attempt(fresh)
            }))
        )
        const now = yield* Clock.currentTimeMillis
        const timeout = Option.getOrElse(
          Option.filter(SessionServerSchema.sessionTimeout(created), (seconds) => seconds > 0),
          () => defaultSessionTimeoutSeconds
        )
        const session: ContextStore.SavedSession = {
          id: Option.some(created.id),
          token: created.token.token,
          expiresAt: DateTime.unsafeMake(now + timeout * 1000),
          userId: created.user.id
        }
        lifetimes.set(session, timeout * 1000)
        yield* Ref.set(currentUser, Option.some(created.user))
        yield* persist({ ...base, session: Option.some(session) })
        return session
      }).pipe(Effect.withSpan("ApiContext.openSession"))

    /**
     * Single-flight refresh. Inside the lock, look again: another fiber may have opened a session meanwhile. With
     * `rejected`, the session bunq refused is replaced even if it looks fresh (but a newer one is kept).
     */
    const refresh = (rejected: Option.Option<ContextStore.SavedSession>) =>
      // The refresh runs in its own fiber: a caller that is interrupted (a timeout on its call) stops waiting, but
      // does not abort a `POST /session-server` halfway (bunq allows one per 30 s). The fiber belongs to the
      // context's scope, not to the global one: closing the layer interrupts a refresh in flight, so nothing
      // outlives the context or saves a session after it is gone.
      Effect.suspend(() => Effect.flatMap(Effect.forkIn(refreshLocked(rejected, attempts), scope), Fiber.join))

    type Refreshed = readonly [ContextStore.SavedContext, ContextStore.SavedSession]
    /** How many session opens have finished, and the last one's result: shared with every fiber that waited on it. */
    let attempts = 0
    let lastAttempt: Exit.Exit<Refreshed, ApiContextError> | undefined

    const refreshLocked = (rejected: Option.Option<ContextStore.SavedSession>, seen: number) =>
      mutex.withPermits(1)(Effect.suspend(() =>
        // An open finished while this fiber waited for the lock: its result, success or failure, is this one's too.
        attempts !== seen && lastAttempt !== undefined ? lastAttempt : openLocked(rejected)
      ))

    const openLocked = (rejected: Option.Option<ContextStore.SavedSession>) =>
      Effect.gen(function*() {
        const context = yield* Ref.get(state)
        const now = yield* Clock.currentTimeMillis
        if (Option.isSome(context.session)) {
          const current = context.session.value
          const replacedAlready = Option.isSome(rejected) && rejected.value !== current
          const stillGood = Option.isNone(rejected) && isFresh(current, now)
          if (replacedAlready || stillGood) return [context, current] as const
        }
        const exit = yield* Effect.exit(
          Effect.flatMap(
            openSession(context),
            (session) => Effect.map(Ref.get(state), (saved): Refreshed => [saved, session])
          )
        )
        attempts++
        lastAttempt = exit
        return yield* exit
      })

    /** The context and a fresh session of it. */
    // On every request: plain `flatMap`s rather than a generator, the cheapest form of the same steps.
    const active: Effect.Effect<
      readonly [ContextStore.SavedContext, ContextStore.SavedSession],
      ApiContextError
    > = Effect.flatMap(Ref.get(state), (context) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Option.isSome(context.session) && isFresh(context.session.value, now)
          ? Effect.succeed([context, context.session.value] as const)
          : refresh(Option.none())))

    const toBunqRequest = (
      request: Request,
      context: ContextStore.SavedContext,
      session: ContextStore.SavedSession
    ): BunqRequest => ({
      ...request,
      auth: { _tag: "Session", token: session.token },
      signWith: context.keyPair.privateKey,
      verifyWith: context.installation.serverPublicKey
    })

    /** Send with the session's credentials; a rejected session is replaced once and the request sent again. */
    const withSession = <A>(send: (request: BunqRequest) => Effect.Effect<A, BunqError>) =>
    (request: Request): Effect.Effect<A, ApiContextError> => {
      const invalid = Pagination.invalidCountIn(request)
      if (invalid !== undefined) {
        return Effect.fail(invalid)
      }
      return Effect.flatMap(active, ([context, session]) =>
        Effect.catchIf(
          send(toBunqRequest(request, context, session)),
          isSessionRejected,
          () =>
            Effect.flatMap(
              refresh(Option.some(session)),
              ([context, session]) => send(toBunqRequest(request, context, session))
            )
        ))
    }

    const closeSession = mutex.withPermits(1)(Effect.gen(function*() {
      const context = yield* Ref.get(state)
      if (Option.isNone(context.session)) {
        return
      }
      const session = context.session.value
      const now = yield* Clock.currentTimeMillis
      if (now < DateTime.toEpochMillis(session.expiresAt)) {
        const id = Option.getOrElse(session.id, () =>
          0)
        yield* client.execute(
          toBunqRequest({ operation: "Session.delete", method: "DELETE", path: `/session/${id}` }, context, session)
        ).pipe(Effect.catchIf(isSessionRejected, () => Effect.void))
      }
      yield* Ref.set(currentUser, Option.none())
      yield* persist({ ...context, session: Option.none() })
    }))

    const service: ApiContext.Service = {
      request: withSession(client.execute),
      requestRaw: withSession(client.executeRaw),
      session: Effect.map(active, ([, session]) => session),
      refreshSession: Effect.flatMap(
        Ref.get(state),
        (context) => Effect.map(refresh(context.session), ([, session]) => session)
      ),
      closeSession,
      user: Ref.get(currentUser),
      snapshot: Ref.get(state),
      storeKey
    }

    // A fresh registration opens its session right away (installation → device → session).
    if (!initial.restored) {
      yield* refresh(Option.none())
    }
    return service
  })

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
 * Every runtime service but the `HttpClient` (see `RuntimeServices`), from what a platform supplies: its
 * configuration, its signer and its context store. `BunqNode` and `BunqBrowser` build their layers with it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRuntime = (
  options: Options,
  platform: {
    readonly config: Layer.Layer<BunqConfig, ConfigError.ConfigError>
    readonly signer: Layer.Layer<Signer.Signer>
    readonly store: Layer.Layer<ContextStore.ContextStore, ContextStore.ContextStoreError, Signer.Signer>
  }
): Layer.Layer<
  Exclude<RuntimeServices, HttpClient.HttpClient>,
  ApiContextError | ConfigError.ConfigError,
  HttpClient.HttpClient
> => {
  const client = bunqClientLayer.pipe(Layer.provideMerge(Layer.merge(platform.config, platform.signer)))
  const store = platform.store.pipe(Layer.provide(platform.signer))
  return layer(options).pipe(Layer.provideMerge(Layer.merge(client, store)))
}

/**
 * Read the options from the environment: `BUNQ_API_KEY` (required), `BUNQ_DEVICE_DESCRIPTION`,
 * `BUNQ_PERMITTED_IPS` (comma-separated, `*` for a wildcard key), `BUNQ_SESSION_REFRESH_MARGIN` (a duration such
 * as `30 seconds`), `BUNQ_CONTEXT_KEY` (the store key).
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
    description: Config.option(Config.string("BUNQ_DEVICE_DESCRIPTION")),
    permittedIps: Config.option(Config.array(Config.string(), "BUNQ_PERMITTED_IPS")),
    refreshMargin: Config.option(Config.duration("BUNQ_SESSION_REFRESH_MARGIN")),
    storeKey: Config.option(Config.string("BUNQ_CONTEXT_KEY"))
  }).pipe(Config.map((env): Options => ({
    apiKey: env.apiKey,
    description: Option.getOrUndefined(env.description),
    permittedIps: Option.getOrUndefined(
      Option.map(env.permittedIps, (ips) => ips.map((ip) => ip.trim()).filter((ip) => ip.length > 0))
    ),
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
 * first page at the request's `count` (in `urlParams` or its path; default 200), then `older_id` from each page's
 * `older_url` (see `Pagination`). Each page is a separate `request`, so a session that expires during a long walk is
 * renewed; the next page is only requested when the stream is pulled. List programs use `Pagination.stream` with
 * `request` directly; this is for hand-written requests.
 *
 * @since 0.1.0
 * @category accessors
 */
export const paginate = (first: Request): Stream.Stream<BunqResponse, ApiContextError, ApiContext> =>
  Stream.unwrap(Effect.zipWith(ApiContext, Pagination.optionsOf(first), (context, options) =>
    Pagination.stream(
      (urlParams) =>
        Effect.map(
          context.request({ ...first, urlParams: { ...first.urlParams, ...urlParams } }),
          (response) => Pagination.fromResponse(response, [response])
        ),
      options
    )))
