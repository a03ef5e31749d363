/**
 * The `ApiContext` service's implementation: restore or register, the session refresh (single-flight, owned by the
 * context's scope), the retry after a rejected session, re-registration with its cooldown, and closing the session.
 * The public module `ApiContext` holds the tag, the options, the layers and the accessors.
 */
import { BunqClient } from "@effect-bunq/http/BunqClient"
import type { BunqRequest } from "@effect-bunq/http/BunqClient"
import { BunqConfig } from "@effect-bunq/http/BunqConfig"
import type { ApiError, BunqError } from "@effect-bunq/http/BunqError"
import * as Pagination from "@effect-bunq/http/Pagination"
import * as SessionServerSchema from "@effect-bunq/schema/SessionServer"
import type * as UserSchema from "@effect-bunq/schema/User"
import * as Signer from "@effect-bunq/signer/Signer"
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type { ApiContext, ApiContextError, Options, Request } from "../ApiContext.js"
import * as ContextStore from "../ContextStore.js"
import * as programs from "./programs.js"

/** @internal */
export const defaultStoreKey = "default"

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
 * @internal
 */
export const isSessionRejected = (error: unknown): error is ApiError =>
  isApiError(error) && (error.status === 401 || error.status === 403) &&
  error.descriptions.some((d) => sessionRejectedTexts.has(d.description.trim().replace(/\.$/, "").toLowerCase()))

/**
 * Whether opening a session failed because bunq no longer knows the installation or device: 400, 401 or 403 on
 * `POST /session-server`.
 *
 * @internal
 */
export const isRegistrationRejected = (error: unknown): error is ApiError =>
  isApiError(error) && (error.status === 400 || error.status === 401 || error.status === 403)

const tokenOf = (token: Redacted.Redacted<string>) => Redacted.value(token)

/** Whether two saved contexts hold the same installation and the same session (by token). */
const sameTokens = (a: ContextStore.SavedContext, b: ContextStore.SavedContext): boolean =>
  tokenOf(a.installation.token) === tokenOf(b.installation.token) &&
  Option.getEquivalence<ContextStore.SavedSession>((x, y) => tokenOf(x.token) === tokenOf(y.token))(
    a.session,
    b.session
  )

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
 * @internal
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
    // The API key's fingerprint, then the saved context: one after the other. Read at once (`Effect.all` with
    // concurrency 2), they cost 148 Effect operations more per restore (two forked fibers) than the digest's wait
    // saves: ours/baseline per restore 1.40–1.41× at once, 1.30–1.34× one after the other
    // (`pnpm --filter @effect-bunq/bench restore 41`, three and two runs, 2026-12-07).
    const apiKeyFingerprint = yield* ContextStore.fingerprint(options.apiKey)
    const unlocked = yield* store.load(storeKey)
    const marginMillis = Duration.toMillis(Duration.decode(options.refreshMargin ?? Duration.seconds(30)))
    const cooldownMillis = Duration.toMillis(Duration.decode(options.reregisterCooldown ?? Duration.minutes(5)))
    /** When this context last registered again; `undefined` before the first time. */
    let reregisteredAt: number | undefined
    const description = options.description ?? "effect-bunq"
    const withClient = Effect.provideService(BunqClient, client)

    const credentialsOf = (context: ContextStore.SavedContext): programs.InstallationCredentials => ({
      token: context.installation.token,
      privateKey: context.keyPair.privateKey,
      serverPublicKey: context.installation.serverPublicKey
    })

    /** `POST /device-server` on the context's installation: the context with its device. */
    const addDevice = (context: ContextStore.SavedContext) =>
      Effect.map(
        withClient(programs.createDeviceServer(credentialsOf(context), {
          description,
          secret: options.apiKey,
          permittedIps: options.permittedIps
        })),
        (deviceId): ContextStore.SavedContext => ({ ...context, deviceId: Option.some(deviceId) })
      )

    /**
     * installation → device. (A function, so that a restore, which never registers, does not build its span: a span's
     * construction captures a stack trace, ≈ 30 µs.)
     */
    const register = () =>
      Effect.gen(function*() {
        const keyPair = yield* signer.generateKeyPair({ extractable: options.extractableKeys ?? true })
        const installation = yield* withClient(programs.createInstallation(keyPair.publicKeyPem))
        return yield* addDevice(programs.registeredContext({
          environment,
          apiKeyFingerprint,
          keyPair,
          installation,
          deviceId: Option.none()
        }))
      }).pipe(Effect.withSpan("ApiContext.register"))

    /**
     * A PSD2 registration saved between its credential and its device (`Psd2.register` failed there): register the
     * device on the credential's installation, as the registration would have, and save. Under the store's lock, so
     * that two clients do not both register it.
     */
    const completeDevice = (restored: ContextStore.SavedContext) =>
      store.withLock(
        storeKey,
        Effect.gen(function*() {
          const saved = yield* store.load(storeKey)
          const context = Option.isSome(saved) ? (yield* owned(saved.value)).context : restored
          if (!programs.awaitsDevice(context)) return { context, restored: true }
          const completed = yield* addDevice(context)
          yield* store.save(storeKey, completed)
          return { context: completed, restored: true }
        })
      ).pipe(Effect.withSpan("ApiContext.completeDevice"))

    /** Whom a saved context belongs to when it is not this API key's on this base URL; `undefined` when it is. */
    const otherOwner = (context: ContextStore.SavedContext): string | undefined =>
      context.apiKeyFingerprint !== apiKeyFingerprint
        ? "another API key"
        : context.environment !== environment
        ? `${context.environment}, not ${environment}`
        : undefined

    /** A saved context, if it is this API key's and this environment's (`Foreign` otherwise). */
    const owned = (context: ContextStore.SavedContext) => {
      const other = otherOwner(context)
      return other === undefined
        ? Effect.succeed({ context, restored: true })
        : Effect.fail(
          new ContextStore.ContextStoreError({
            reason: "Foreign",
            key: storeKey,
            description: `the saved context belongs to ${other}; reset it or use another store key`
          })
        )
    }

    // Restore without the store's lock: stores replace a saved context in one step (a file by rename, an IndexedDB
    // entry in one transaction), so a load sees a whole context, and restoring writes nothing. Only registering
    // takes the lock, and looks again under it, so two clients sharing a store do not both register. (The lock
    // cost the Node file store ≈ 3–6 ms of a ≈ 20 ms restore: a lock file written, linked, read back and removed.)
    const found = yield* Option.isSome(unlocked) ? owned(unlocked.value) : store.withLock(
      storeKey,
      Effect.gen(function*() {
        const saved = yield* store.load(storeKey)
        if (Option.isSome(saved)) {
          return yield* owned(saved.value)
        }
        const context = yield* register()
        yield* store.save(storeKey, context)
        return { context, restored: false }
      })
    )
    const initial = found.restored && programs.awaitsDevice(found.context)
      ? yield* completeDevice(found.context)
      : found

    // The context in use: a plain variable rather than a `Ref`, because every request reads it (`withSession`).
    let state = initial.context
    const currentUser = yield* Ref.make(Option.none<UserSchema.User>())
    const mutex = yield* Effect.makeSemaphore(1)
    const currentContext = Effect.sync(() => state)

    const persist = (context: ContextStore.SavedContext) =>
      Effect.suspend(() => {
        state = context
        return store.save(storeKey, context)
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
              const fresh = yield* register()
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
          expiresAt: DateTime.unsafeFromDate(new Date(now + timeout * 1000)),
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

    /**
     * Take what another client sharing the store saved (a fleet of processes on one Redis or one file): a session it
     * opened, or a registration it made again. Called holding the store's lock, so what is read is the latest.
     * Nothing changes when the saved context is this one's (same installation and session tokens), so the session
     * objects keep their identity.
     */
    const adoptSaved = Effect.gen(function*() {
      const current = state
      const saved = yield* store.load(storeKey)
      if (
        Option.isNone(saved) || otherOwner(saved.value) !== undefined || sameTokens(saved.value, current)
      ) return current
      state = saved.value
      return saved.value
    })

    const openLocked = (rejected: Option.Option<ContextStore.SavedSession>) =>
      // Under the store's lock: one client of a fleet opens the session, the others find it saved and use it.
      store.withLock(
        storeKey,
        Effect.gen(function*() {
          const context = yield* adoptSaved
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
              (session) => Effect.sync((): Refreshed => [state, session])
            )
          )
          attempts++
          lastAttempt = exit
          return yield* exit
        })
      )

    /**
     * `f` with the context and a fresh session of it, without a step of its own when the session is fresh (every
     * request comes through here).
     */
    const withActive = <A, E>(
      f: (context: ContextStore.SavedContext, session: ContextStore.SavedSession) => Effect.Effect<A, E>
    ): Effect.Effect<A, E | ApiContextError> =>
      Effect.clockWith((clock) => {
        const session = freshSession(clock.unsafeCurrentTimeMillis())
        return session === undefined
          ? Effect.flatMap(refresh(Option.none()), ([context, session]) => f(context, session))
          : f(state, session)
      })

    /** The current context's session, when it is fresh at `now`. */
    const freshSession = (now: number): ContextStore.SavedSession | undefined =>
      Option.isSome(state.session) && isFresh(state.session.value, now) ? state.session.value : undefined

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
    const withSession =
      <A>(send: (request: BunqRequest) => Effect.Effect<A, BunqError>) =>
      (request: Request): Effect.Effect<A, ApiContextError> => {
        const invalid = Pagination.invalidCountIn(request)
        if (invalid !== undefined) {
          return Effect.fail(invalid)
        }
        const sendWith = (context: ContextStore.SavedContext, session: ContextStore.SavedSession) =>
          Effect.catchIf(
            send(toBunqRequest(request, context, session)),
            isSessionRejected,
            () =>
              Effect.flatMap(
                refresh(Option.some(session)),
                ([context, session]) => send(toBunqRequest(request, context, session))
              )
          )
        return withActive(sendWith)
      }

    const closeSession = mutex.withPermits(1)(store.withLock(
      storeKey,
      Effect.gen(function*() {
        const context = yield* adoptSaved
        if (Option.isNone(context.session)) {
          return
        }
        const session = context.session.value
        const now = yield* Clock.currentTimeMillis
        if (now < DateTime.toEpochMillis(session.expiresAt)) {
          const id = Option.getOrElse(session.id, () => 0)
          yield* client.execute(
            toBunqRequest({ operation: "Session.delete", method: "DELETE", path: `/session/${id}` }, context, session)
          ).pipe(Effect.catchIf(isSessionRejected, () => Effect.void))
        }
        yield* Ref.set(currentUser, Option.none())
        yield* persist({ ...context, session: Option.none() })
      })
    ))

    const service: ApiContext.Service = {
      request: withSession(client.execute),
      requestRaw: withSession(client.executeRaw),
      session: withActive((_, session) => Effect.succeed(session)),
      refreshSession: Effect.flatMap(
        currentContext,
        (context) => Effect.map(refresh(context.session), ([, session]) => session)
      ),
      closeSession,
      user: Ref.get(currentUser),
      snapshot: currentContext,
      storeKey
    }

    // A fresh registration opens its session right away (installation → device → session).
    if (!initial.restored) {
      yield* refresh(Option.none())
    }
    return service
  })
