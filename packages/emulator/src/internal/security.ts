/**
 * The security pipeline every bunq endpoint runs behind: rate limits, token lookup (installation or session), IP
 * binding, unique request ids, client signature verification; and the rendering of replies and bunq's error bodies.
 *
 * @internal
 */
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { RateLimit, RateLimits } from "../BunqEmulator.js"
import * as Messages from "./messages.js"
import type { UserRecord } from "./objects.js"
import type { ApiFailure, Env, InstallationRecord, Reply, RequestState, SessionRecord } from "./state.js"
import { CurrentRequest, encoder, fail, pathId, sha256Prefix } from "./state.js"
import { dropNulls, serializeJson } from "./wire.js"

/** @internal */
export type Authorized =
  | { readonly _tag: "None" }
  | { readonly _tag: "Installation"; readonly installation: InstallationRecord }
  | {
    readonly _tag: "Session"
    readonly session: SessionRecord
    readonly installation: InstallationRecord
    readonly user: UserRecord
  }

/** @internal */
export type SessionAuth = Extract<Authorized, { readonly _tag: "Session" }>
/** @internal */
export type InstallationAuth = Extract<Authorized, { readonly _tag: "Installation" }>

/** @internal */
export const ipPermitted = (user: UserRecord, ip: string): boolean =>
  user.binding === undefined || user.binding.wildcard || user.binding.ips.has(ip)

/** @internal */
export const makeSecurity = (env: Env) => {
  const { signer, withStore } = env

  const rateLimit = (state: RequestState, category: keyof RateLimits, endpoint: string) =>
    Effect.suspend(() => {
      if (env.rateLimits === undefined) return Effect.void
      const limit: RateLimit = env.rateLimits[category]
      return withStore((store) => {
        const key = `${state.clientIp} ${state.method} ${endpoint}`
        const windowStart = state.now - limit.seconds * 1000
        const calls = (store.rate.get(key) ?? []).filter((t) => t > windowStart)
        const allowed = calls.length < limit.calls
        if (allowed) calls.push(state.now)
        store.rate.set(key, calls)
        return allowed
      }).pipe(
        Effect.flatMap((allowed) => allowed ? Effect.void : fail(429, Messages.rateLimited(limit.calls, limit.seconds)))
      )
    })

  const checkSignature = (state: RequestState, installation: InstallationRecord, required: boolean) =>
    Effect.suspend(() => {
      const signature = state.headers["x-bunq-client-signature"]
      if (signature === undefined || signature.length === 0) {
        if (!required) return Effect.void
        state.signature = "missing"
        return fail(466, Messages.signatureRequired)
      }
      return signer.verify(installation.clientPublicKeyPem, state.body, signature).pipe(
        Effect.matchEffect({
          onFailure: () => {
            state.signature = "invalid"
            return fail(400, Messages.signatureInvalid)
          },
          onSuccess: () => {
            state.signature = "verified"
            return Effect.void
          }
        })
      )
    })

  const checkRequestId = (state: RequestState, installation: InstallationRecord) =>
    Effect.suspend(() => {
      const id = state.headers["x-bunq-client-request-id"]
      if (id === undefined) return Effect.void
      if (installation.requestIds.has(id)) return fail(400, Messages.requestIdReused)
      installation.requestIds.add(id)
      return Effect.void
    })

  const lookupToken = (state: RequestState) =>
    Effect.gen(function*() {
      const token = state.headers["x-bunq-client-authentication"]
      if (token === undefined || token.length === 0) {
        state.auth = "none"
        return yield* fail(401, Messages.insufficientAuthorisation)
      }
      state.tokenHash = yield* sha256Prefix(token)
      const store = yield* Ref.get(env.storeRef)
      const installation = store.installationsByToken.get(token)
      const session = store.sessionsByToken.get(token)
      state.auth = installation ? "installation" : session ? "session" : "unknown"
      return { store, installation, session }
    })

  const installationAuth = (required: boolean) => (state: RequestState) =>
    Effect.gen(function*() {
      const { installation, session } = yield* lookupToken(state)
      if (installation === undefined) {
        return yield* session
          ? fail(403, Messages.insufficientAuthentication)
          : fail(401, Messages.insufficientAuthorisation)
      }
      yield* checkRequestId(state, installation)
      yield* checkSignature(state, installation, required)
      return { _tag: "Installation", installation } satisfies InstallationAuth as InstallationAuth
    })

  /** A session endpoint; `signatureRequired` for the ones that move money (with `signatures` fidelity off: all). */
  const sessionAuthWith = (signatureRequired: boolean) => (state: RequestState) =>
    Effect.gen(function*() {
      const { installation, session, store } = yield* lookupToken(state)
      if (session === undefined) {
        // bunq answers an installation token on a session endpoint with 401 "Insufficient authorisation.".
        return yield* installation && !env.fidelity.authorisation
          ? fail(403, Messages.insufficientAuthentication)
          : fail(401, Messages.insufficientAuthorisation)
      }
      const user = store.users.get(session.userId)
      const sessionInstallation = store.installations.get(session.installationId)
      if (user === undefined || sessionInstallation === undefined || state.now >= session.expiresAt) {
        return yield* fail(401, Messages.insufficientAuthorisation)
      }
      if (!ipPermitted(user, state.clientIp)) return yield* fail(403, Messages.insufficientAuthentication)
      yield* checkRequestId(state, sessionInstallation)
      yield* checkSignature(state, sessionInstallation, signatureRequired)
      return {
        _tag: "Session",
        session,
        installation: sessionInstallation,
        user
      } satisfies SessionAuth as SessionAuth
    })

  /** A session endpoint that does not move money: a signature is checked when present (required with fidelity off). */
  const sessionAuth = sessionAuthWith(!env.fidelity.signatures)
  /** A session endpoint that moves money: a signature is always required (466 without). */
  const moneyAuth = sessionAuthWith(true)

  const noAuth = (_: RequestState) => Effect.succeed({ _tag: "None" } as const)

  const render = (
    status: number,
    value: unknown,
    pretty: boolean,
    flags: Pick<Reply, "escapeSlashes" | "charset"> = {}
  ): HttpServerResponse.HttpServerResponse => {
    const text = serializeJson(value, {
      pretty: env.prettyPrint === "always" || (env.prettyPrint === "some" && pretty),
      escapeSlashes: env.fidelity.escapedSlashes && flags.escapeSlashes === true
    })
    const contentType = env.fidelity.mixedContentType && flags.charset === true
      ? "application/json; charset=utf-8"
      : "application/json"
    return HttpServerResponse.uint8Array(encoder.encode(text), { status, contentType })
  }

  const renderError = (status: number, message: Messages.Message) =>
    render(status, {
      Error: [{
        error_description: message.description,
        error_description_translated: message.translated,
        ...message.extra
      }]
    }, status === 404)

  /** A route handler behind the security pipeline; renders the reply to bytes. */
  const endpoint = <A>(
    category: keyof RateLimits,
    name: string,
    authorize: (state: RequestState) => Effect.Effect<A, ApiFailure>,
    handler: (auth: A, state: RequestState) => Effect.Effect<Reply, ApiFailure, HttpRouter.RouteContext>
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, ApiFailure, CurrentRequest | HttpRouter.RouteContext> =>
    Effect.gen(function*() {
      const state = yield* CurrentRequest
      yield* rateLimit(state, category, name)
      const auth = yield* authorize(state)
      const reply = yield* handler(auth, state)
      if (reply.raw !== undefined) {
        return HttpServerResponse.uint8Array(reply.raw.bytes, { status: 200, contentType: reply.raw.contentType })
      }
      return render(
        reply.status ?? 200,
        {
          Response: env.fidelity.extraFields ? reply.items : dropNulls(reply.items),
          ...(reply.pagination === undefined ? {} : { Pagination: reply.pagination })
        },
        reply.pretty === true,
        reply
      )
    })

  /** The `:userId` of the path is the session's user (else bunq's 404 for that user). */
  const ownUser = (auth: SessionAuth) =>
    Effect.flatMap(
      pathId("User", "Gebruiker", "userId"),
      (id) =>
        id === auth.user.id ? Effect.succeed(auth.user) : fail(404, Messages.notFound("User", "Gebruiker", String(id)))
    )

  return {
    installationAuth,
    sessionAuth,
    moneyAuth,
    sessionAuthWith,
    noAuth,
    ownUser,
    render,
    renderError,
    endpoint
  } as const
}

/** @internal */
export type Security = ReturnType<typeof makeSecurity>
