/**
 * `BunqClient.make`: the injected `HttpClient` transformed once (base URL, bunq's fixed headers, the user's
 * middleware), and per request the steps around it: prepare (`request.ts`), sign once, then per attempt a fresh
 * request id, a limiter slot, the deadline (`deadline.ts`), the body read and the checks (`response.ts`), with retries
 * and errors per `errors.ts`; all in one `bunq.request` span.
 *
 * @internal
 */
import * as Signer from "@effect-bunq/signer/Signer"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"
import type { BunqClient, BunqRequest } from "../BunqClient.js"
import { BunqConfig, classicRateLimits } from "../BunqConfig.js"
import { type BunqError, TransportError } from "../BunqError.js"
import { BunqRateLimiter } from "../BunqRateLimiter.js"
import * as Deadline from "./deadline.js"
import { isRateLimited, isRetryable, retrying, timeoutError, transportError } from "./errors.js"
import { headerNames, withRequestRefs } from "./headers.js"
import * as RateLimiter from "./rateLimiter.js"
import { emptyBytes, prepare, type Prepared, requestInfo, toHttpRequest } from "./request.js"
import { decode, decodeRaw, type Finish, type RawResponse, readBody, verified } from "./response.js"

/** @internal */
export const make = (options?: {
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}): Effect.Effect<
  BunqClient.Service,
  never,
  HttpClient.HttpClient | Signer.Signer | BunqConfig
> =>
  Effect.gen(function*() {
    const config = yield* BunqConfig
    const signer = yield* Signer.Signer
    // A provided limiter (one shared by a fleet of processes) wins; otherwise the in-process one over the config's limits.
    const provided = yield* Effect.serviceOption(BunqRateLimiter)
    const limiterFails = Option.isSome(provided)
    const limiter: BunqRateLimiter.Service["limit"] = Option.isSome(provided)
      ? provided.value.limit
      : yield* RateLimiter.make(config.rateLimits)
    const baseUrl = config.baseUrl.endsWith("/") ? config.baseUrl.slice(0, -1) : config.baseUrl
    const fixedHeaders: Readonly<Record<string, string>> = {
      [headerNames.userAgent]: config.userAgent,
      [headerNames.cacheControl]: "no-cache",
      [headerNames.geolocation]: config.geolocation,
      [headerNames.language]: config.language,
      [headerNames.region]: config.region
    }
    const timeoutMillis = Duration.toMillis(config.timeout)
    // What every request to bunq gets, as a transformation of the injected client: the base URL and bunq's fixed
    // headers (computed once); then the user's own middleware (`transformClient`), which sees the complete request.
    // (No transport span and no trace headers to bunq: `withRequestRefs`.)
    const httpClient = (options?.transformClient ?? identity)(
      (yield* HttpClient.HttpClient).pipe(
        HttpClient.mapRequest((request) =>
          HttpClientRequest.setHeaders(HttpClientRequest.prependUrl(request, baseUrl), fixedHeaders)
        )
      )
    )
    const maxBytes = config.maxResponseBytes

    /**
     * `f` of the signature of the exact body bytes (the empty byte string without a body), or of `undefined` without
     * `signWith`. bunq signs the body only, so one signature serves every attempt of a request. A key the signer cannot
     * use is a bug in the caller's context, not a network failure: a defect.
     */
    const signed = <A, E>(
      prepared: Prepared,
      f: (signature: string | undefined) => Effect.Effect<A, E>
    ): Effect.Effect<A, E> => {
      const key = prepared.request.signWith
      if (key === undefined) return f(undefined)
      return Effect.matchEffect(signer.sign(key, prepared.body ?? emptyBytes), { onFailure: Effect.die, onSuccess: f })
    }

    // The in-process limiter never fails; a provided one (shared storage) can: the request was then not sent.
    const limit = (
      prepared: Prepared,
      requestId: string,
      send: Effect.Effect<RawResponse, TransportError>
    ): Effect.Effect<RawResponse, TransportError> => {
      const limited = limiter(prepared.request.method, prepared.pathname)(send)
      return limiterFails
        ? Effect.mapError(limited, (error) =>
          error._tag === "RateLimiterError"
            ? new TransportError({
              ...requestInfo(prepared, requestId),
              reason: "Network",
              description: error.message,
              cause: error
            })
            : error)
        : limited as Effect.Effect<RawResponse, TransportError>
    }

    /** One attempt: fresh request id, send holding a limiter slot until the response is read, verify, decode. */
    const attempt = <A>(
      prepared: Prepared,
      signature: string | undefined,
      span: Tracer.Span,
      finish: Finish<A>
    ): Effect.Effect<A, BunqError> =>
      Effect.suspend(() => {
        const requestId = crypto.randomUUID()
        span.attribute("bunq.request_id", requestId)
        const url = baseUrl + prepared.pathname
        const request = toHttpRequest(prepared, requestId, signature)
        const failed = (error: HttpClientError.HttpClientError) => transportError(prepared, requestId, url, error)
        const send = Effect.matchEffect(httpClient.execute(request), {
          onFailure: failed,
          onSuccess: (response) => readBody(response, prepared, requestId, url, maxBytes, failed)
        })
        // The attempt's deadline covers sending and reading the body; when it passes, the attempt is interrupted (which
        // aborts the request in every platform client) and fails with `TransportError` `Timeout` (see `deadline.ts`).
        const timed = Deadline.within(send, timeoutMillis, timeoutError(prepared, requestId, config.timeout))
        return Effect.flatMap(limit(prepared, requestId, timed), (raw) => {
          span.attribute("http.response.status_code", raw.status)
          if (raw.responseId !== undefined) span.attribute("bunq.response_id", raw.responseId)
          return verified(signer, config, prepared, requestId, raw, finish)
        })
      })

    const retryPolicy = config.retry
    const rateLimitWindow = (prepared: Prepared): Duration.Duration =>
      // bunq's windows, even when the client-side limiter is off: they are what the 429 was about.
      RateLimiter.windowFor(config.rateLimits ?? classicRateLimits, prepared.request.method, prepared.pathname) ??
        Duration.seconds(3)
    // The `bunq.request` span is the parent of what runs inside it only when there is middleware of the user's
    // (`transformClient`): the transport's own span is off for bunq's requests (`withRequestRefs`), so otherwise
    // nothing inside makes a span or logs, and making it the current span costs 25 Effect operations per call.
    const parentOfMiddleware = options?.transformClient !== undefined
    const run = <A>(
      request: BunqRequest,
      finish: Finish<A>
    ): Effect.Effect<A, BunqError> =>
      Effect.suspend(() => {
        const prepared = prepare(request)
        if (typeof prepared === "string") return Effect.dieMessage(prepared)
        // One span per request, named for what it is; the operation is an attribute (a program's own span, such as
        // `DeviceServer.get`, is its parent, so the name is not repeated).
        return withRequestRefs(Effect.useSpan("bunq.request", {
          kind: "client",
          captureStackTrace: false,
          attributes: {
            "bunq.operation": request.operation,
            "http.request.method": request.method,
            "url.path": prepared.pathname
          }
        }, (span) => {
          const sendSigned = signed(prepared, (signature) => {
            const once = attempt(prepared, signature, span, finish)
            // A GET is retried on 429, 5xx and transport failures; any other method on 429 only (bunq says it did not
            // process it), never after a failure that may have reached bunq.
            if (retryPolicy === undefined) return once
            return retrying(
              once,
              retryPolicy,
              rateLimitWindow(prepared),
              request.method === "GET" ? isRetryable : isRateLimited
            )
          })
          return parentOfMiddleware ? Effect.withParentSpan(sendSigned, span) : sendSigned
        }))
      })

    return {
      execute: (request) => run(request, decode),
      executeRaw: (request) => run(request, decodeRaw)
    }
  })
