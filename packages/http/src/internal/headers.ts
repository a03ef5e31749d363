/**
 * bunq's header names, and the two `@effect/platform` fiber refs a bunq request needs: the secret headers in
 * `Headers.currentRedactedNames`, and the transport's own span off for bunq's requests
 * (`HttpClient.currentTracerDisabledWhen`). `BunqClient.layer` sets both once for a runtime; `withRequestRefs` only
 * scopes them around a request when they are missing.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import type * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"

/** @internal */
export const headerNames = {
  userAgent: "User-Agent",
  cacheControl: "Cache-Control",
  requestId: "X-Bunq-Client-Request-Id",
  geolocation: "X-Bunq-Geolocation",
  language: "X-Bunq-Language",
  region: "X-Bunq-Region",
  authentication: "X-Bunq-Client-Authentication",
  clientSignature: "X-Bunq-Client-Signature",
  serverSignature: "X-Bunq-Server-Signature",
  responseId: "X-Bunq-Client-Response-Id"
} as const

/** @internal */
export const secretHeaderNames: ReadonlyArray<string> = [
  headerNames.authentication,
  headerNames.clientSignature,
  headerNames.serverSignature
]

const addSecretNames = (names: ReadonlyArray<string | RegExp>): ReadonlyArray<string | RegExp> => {
  const missing = secretHeaderNames.filter((name) =>
    !names.some((existing) => typeof existing === "string" && existing.toLowerCase() === name.toLowerCase())
  )
  return missing.length === 0 ? names : [...names, ...missing]
}

/**
 * Whether a request is one of bunq's: every one carries `X-Bunq-Client-Request-Id` (`Headers` keys are lower case).
 */
const isBunqRequest = (request: HttpClientRequest.HttpClientRequest): boolean =>
  typeof request.headers["x-bunq-client-request-id"] === "string"

type RequestPredicate = Predicate.Predicate<HttpClientRequest.HttpClientRequest>

/** The `currentTracerDisabledWhen` predicates made by `withoutBunqSpans`. */
const leavesOutBunq = new WeakSet<RequestPredicate>()

/** `disabled`, extended to bunq's requests (unchanged when it is one of these already). */
const withoutBunqSpans = (disabled: RequestPredicate): RequestPredicate => {
  if (leavesOutBunq.has(disabled)) return disabled
  const predicate: RequestPredicate = (request) => isBunqRequest(request) || disabled(request)
  leavesOutBunq.add(predicate)
  return predicate
}

/** The last `currentRedactedNames` value seen to hold every secret name (they are immutable arrays). */
let redactedAlready: ReadonlyArray<string | RegExp> | undefined

const hasSecretNames = (names: ReadonlyArray<string | RegExp>): boolean => {
  if (names === redactedAlready) return true
  if (addSecretNames(names) !== names) return false
  redactedAlready = names
  return true
}

/**
 * Run a request's effect with bunq's secret headers in `Headers.currentRedactedNames` and the transport's own span
 * off for bunq's requests (`HttpClient.currentTracerDisabledWhen`: no `http.client` span, so no trace headers to
 * bunq either). Usually `BunqClient.layer` has set both for the whole runtime (`layerRequestRefs`): then this only
 * reads them.
 *
 * @internal
 */
export const withRequestRefs = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime((fiber) => {
    const names = fiber.getFiberRef(Headers.currentRedactedNames)
    const disabled = fiber.getFiberRef(HttpClient.currentTracerDisabledWhen)
    let scoped = effect
    if (!hasSecretNames(names)) scoped = Effect.locally(scoped, Headers.currentRedactedNames, addSecretNames(names))
    if (!leavesOutBunq.has(disabled)) {
      scoped = Effect.locally(scoped, HttpClient.currentTracerDisabledWhen, withoutBunqSpans(disabled))
    }
    return scoped
  })

/** @internal */
export const withRedactedHeaders = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  FiberRef.getWith(
    Headers.currentRedactedNames,
    (names) =>
      hasSecretNames(names) ? effect : Effect.locally(effect, Headers.currentRedactedNames, addSecretNames(names))
  )

/** @internal */
export const layerRedactedHeaders: Layer.Layer<never> = /* @__PURE__ */ Layer.fiberRefLocallyScopedWith(
  Headers.currentRedactedNames,
  addSecretNames
)

/**
 * bunq's settings of both fiber refs as a scoped effect, for a layer that sets them while it builds its own service
 * (`BunqClient.layer`).
 *
 * @internal
 */
export const requestRefsScoped: Effect.Effect<void, never, Scope.Scope> = /* @__PURE__ */ Effect.zipRight(
  Effect.locallyScopedWith(Headers.currentRedactedNames, addSecretNames),
  Effect.locallyScopedWith(HttpClient.currentTracerDisabledWhen, withoutBunqSpans)
)

/**
 * `layerRedactedHeaders`, and the transport's own span off for bunq's requests, for everything built on the layer.
 * One layer, not a `Layer.merge` of two: merging forks fibers, ≈ 0.3 ms of every layer build (a restore).
 *
 * @internal
 */
export const layerRequestRefs: Layer.Layer<never> = /* @__PURE__ */ Layer.scopedDiscard(requestRefsScoped)

const fixedHeaderNames: ReadonlySet<string> = new Set(
  [
    headerNames.userAgent,
    headerNames.cacheControl,
    headerNames.geolocation,
    headerNames.language,
    headerNames.region,
    headerNames.requestId,
    headerNames.authentication,
    headerNames.clientSignature
  ].map((name) => name.toLowerCase())
)

/** A caller's extra headers without the ones bunq's protocol sets. @internal */
export const withoutFixed = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const kept: Record<string, string> = {}
  for (const name in headers) {
    if (!fixedHeaderNames.has(name.toLowerCase())) kept[name] = headers[name]!
  }
  return kept
}
