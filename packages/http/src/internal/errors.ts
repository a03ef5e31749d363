/**
 * Transport failures as this package's errors (`TransportError` with a cause a user can search for), and the retry
 * rules: what is retried and when.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { RetryPolicy } from "../BunqConfig.js"
import { type BunqError, TransportError } from "../BunqError.js"
import { type Prepared, requestInfo } from "./request.js"

const browserFetchFailure = /^(Failed to fetch|NetworkError when attempting to fetch resource\.?|Load failed)$/

/**
 * The cause of a transport failure in one phrase, never the request: the transport's own `description` when it gives
 * one (`@effect-bunq/platform-node`'s client says `connection refused (ECONNREFUSED)`), else the first error code in
 * the cause chain (undici nests the system error under `fetch failed`/`other side closed`), else the first message.
 *
 * @internal
 */
export const describeCause = (error: HttpClientError.HttpClientError): string | undefined => {
  if (error.description !== undefined && error.description !== "") return error.description
  let current: unknown = error.cause
  let firstMessage: string | undefined
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { readonly code?: unknown }).code
    if (typeof code === "string" && code.length > 0) return code
    const message = (current as { readonly message?: unknown }).message
    if (firstMessage === undefined && typeof message === "string" && message.length > 0) firstMessage = message
    current = (current as { readonly cause?: unknown }).cause
  }
  return firstMessage === undefined ? undefined : firstMessage.slice(0, 200)
}

/**
 * A transport failure of an attempt as `TransportError` (`Blocked` for a browser's fetch failure, `Network`
 * otherwise); a request we could not build is a defect.
 *
 * @internal
 */
export const transportError = (
  prepared: Prepared,
  requestId: string,
  url: string,
  error: HttpClientError.HttpClientError
): Effect.Effect<never, TransportError> => {
  if (error._tag === "RequestError" && (error.reason === "InvalidUrl" || error.reason === "Encode")) {
    // We build the URL and the body ourselves: this is a bug, not bad input from the network. The RequestError
    // carries the request (and its token header), so only its reason goes into the defect.
    return Effect.dieMessage(`${prepared.request.operation}: the request could not be built (${error.reason})`)
  }
  const cause = error.cause
  if (cause instanceof TypeError && browserFetchFailure.test(cause.message)) {
    return Effect.fail(
      new TransportError({
        ...requestInfo(prepared, requestId),
        url,
        reason: "Blocked",
        description: "the browser could not complete the request (offline, or blocked: bunq sends no CORS headers, " +
          "so a browser app must reach bunq through a proxy base URL)",
        cause
      })
    )
  }
  const described = describeCause(error)
  return Effect.fail(
    new TransportError({
      ...requestInfo(prepared, requestId),
      url,
      reason: "Network",
      description: (error._tag === "ResponseError"
        ? "the connection failed while reading the response body"
        : "the request could not be sent or no response arrived") +
        (described === undefined ? "" : `: ${described}`),
      cause
    })
  )
}

/** @internal */
export const timeoutError = (prepared: Prepared, requestId: string, timeout: Duration.Duration) => (): TransportError =>
  new TransportError({
    ...requestInfo(prepared, requestId),
    reason: "Timeout",
    description: `no complete response within ${Duration.format(timeout)}`
  })

/** @internal */
export const tooLarge = (
  prepared: Prepared,
  requestId: string,
  url: string,
  size: string,
  maxBytes: number
): TransportError =>
  new TransportError({
    ...requestInfo(prepared, requestId),
    url,
    reason: "TooLarge",
    description: `the response body (${size}) is larger than the ${maxBytes} bytes allowed (maxResponseBytes)`
  })

/** A `429`: bunq did not process the request. @internal */
export const isRateLimited = (error: BunqError): boolean => error._tag === "ApiError" && error.status === 429

/** What a `GET` is retried on: 429, 5xx and transport failures (not a body over the cap). @internal */
export const isRetryable = (error: BunqError): boolean =>
  (error._tag === "TransportError" && error.reason !== "TooLarge") ||
  (error._tag === "ApiError" && (error.status === 429 || (error.status >= 500 && error.status < 600)))

/**
 * `attempt`, retried while `retryable` holds for its failure: exponential backoff (`baseDelay × factor^n` before the
 * n-th retry, from 0), capped at `maxDelay`, `maxAttempts` in all; a `429` waits at least `rateLimitWindow` (bunq's
 * window has to pass before it accepts the request). Sleeps on Effect's `Clock` (so `TestClock` drives it).
 *
 * A loop of `Effect.catchAll` and `Effect.sleep`, the policy in one place, rather than `Effect.retry` with a
 * `Schedule` (`passthrough(exponential ∩ recurs)` with `modifyDelay`, or one `Schedule.makeWithState` step):
 * `Effect.retry`'s schedule loop is used by no other part of a browser app, and weighed 0.2 KB gzipped in the
 * API-context app (esbuild, minified, gzip -9; the app's target is 100 KB), the combinators 0.4 KB more.
 *
 * @internal
 */
export const retrying = <A>(
  attempt: Effect.Effect<A, BunqError>,
  policy: RetryPolicy,
  rateLimitWindow: Duration.Duration,
  retryable: (error: BunqError) => boolean
): Effect.Effect<A, BunqError> => {
  const baseMillis = Duration.toMillis(policy.baseDelay)
  const maxMillis = Duration.toMillis(policy.maxDelay)
  const windowMillis = Duration.toMillis(rateLimitWindow)
  const loop = (retries: number): Effect.Effect<A, BunqError> =>
    Effect.catchAll(attempt, (error) => {
      if (retries >= policy.maxAttempts - 1 || !retryable(error)) return Effect.fail(error)
      const backoff = Math.min(baseMillis * Math.pow(policy.factor, retries), maxMillis)
      return Effect.zipRight(
        Effect.sleep(isRateLimited(error) ? Math.max(windowMillis, backoff) : backoff),
        loop(retries + 1)
      )
    })
  return loop(0)
}
