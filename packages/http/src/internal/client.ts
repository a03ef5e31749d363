import * as Envelope from "@effect-bunq/schema/Envelope"
import * as ErrorBody from "@effect-bunq/schema/ErrorBody"
import * as Signer from "@effect-bunq/signer/Signer"
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type { BunqClient, BunqRawResponse, BunqRequest, BunqResponse, PageLinks } from "../BunqClient.js"
import { BunqConfig, classicRateLimits } from "../BunqConfig.js"
import {
  ApiError,
  type BunqError,
  DecodeError,
  ErrorDescription,
  reasonFromStatus,
  ResponseVerificationError,
  TransportError
} from "../BunqError.js"
import { BunqRateLimiter } from "../BunqRateLimiter.js"
import * as Deadline from "./deadline.js"
import * as RateLimiter from "./rateLimiter.js"

// -----------------------------------------------------------------------------
// header names
// -----------------------------------------------------------------------------

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
 * `layerRedactedHeaders`, and the transport's own span off for bunq's requests, for everything built on the layer.
 *
 * @internal
 */
export const layerRequestRefs: Layer.Layer<never> = /* @__PURE__ */ Layer.merge(
  layerRedactedHeaders,
  /* @__PURE__ */ Layer.fiberRefLocallyScopedWith(HttpClient.currentTracerDisabledWhen, withoutBunqSpans)
)

// -----------------------------------------------------------------------------
// request preparation
// -----------------------------------------------------------------------------

interface Prepared {
  readonly request: BunqRequest
  /** The path without query string: used in spans and errors. */
  readonly pathname: string
  readonly urlParams: ReadonlyArray<readonly [string, string]>
  /** `undefined` when there is no body: the empty byte string is signed. */
  readonly body: Uint8Array | undefined
  readonly contentType: string
}

const encoder = new TextEncoder()

/** The request's path, query and body bytes; a message when the request is malformed (a bug: a defect). */
const prepare = (request: BunqRequest): Prepared | string => {
  const queryIndex = request.path.indexOf("?")
  const pathname = queryIndex === -1 ? request.path : request.path.slice(0, queryIndex)
  let urlParams: ReadonlyArray<readonly [string, string]> = []
  if (queryIndex !== -1 || request.urlParams !== undefined) {
    const params = new URLSearchParams(queryIndex === -1 ? "" : request.path.slice(queryIndex + 1))
    if (request.urlParams !== undefined) {
      for (const [key, value] of Object.entries(request.urlParams)) params.set(key, String(value))
    }
    urlParams = Array.from(params.entries())
  }
  let body: Uint8Array | undefined
  let contentType = "application/json"
  if (request.rawBody !== undefined) {
    if (request.body !== undefined) {
      return `${request.operation}: a request has either a JSON body or a raw body, not both`
    }
    body = request.rawBody.bytes
    contentType = request.rawBody.contentType
  } else if (request.body !== undefined) {
    // Serialized exactly once: these bytes are signed and sent, never re-serialized.
    const json = JSON.stringify(request.body)
    if (typeof json !== "string") return `${request.operation}: the request body is not a JSON value`
    body = encoder.encode(json)
  }
  return {
    request,
    pathname: pathname.startsWith("/") ? pathname : `/${pathname}`,
    urlParams,
    body,
    contentType
  }
}

const emptyBytes = new Uint8Array(0)

// -----------------------------------------------------------------------------
// responses
// -----------------------------------------------------------------------------

interface RawResponse {
  readonly status: number
  readonly headers: Headers.Headers
  readonly bytes: Uint8Array
  /** `X-Bunq-Client-Response-Id`, read once. */
  readonly responseId: string | undefined
}

const header = (headers: Headers.Headers, name: string): string | undefined => {
  const value = Headers.get(headers, name)
  return Option.isSome(value) ? value.value : undefined
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })

/**
 * A `Pagination` link as a path relative to the base URL (`/user/1/payment?count=25&older_id=1`), usable as
 * `BunqRequest.path`.
 */
const pagePath = (page: Option.Option<Envelope.PageRequest>): string | undefined => {
  if (Option.isNone(page)) return undefined
  const query = new URLSearchParams(page.value.urlParams).toString()
  return query === "" ? page.value.path : `${page.value.path}?${query}`
}

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------

const requestInfo = (prepared: Prepared, requestId: string, responseId?: string | undefined) => ({
  operation: prepared.request.operation,
  method: prepared.request.method,
  path: prepared.pathname,
  requestId,
  ...(responseId === undefined ? {} : { responseId })
})

const browserFetchFailure = /^(Failed to fetch|NetworkError when attempting to fetch resource\.?|Load failed)$/

/** What a Node error code means, in the words a user searches for. */
const causeByCode: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the server",
  EPIPE: "connection closed by the server",
  ENOTFOUND: "DNS lookup failed (host not found)",
  EAI_AGAIN: "DNS lookup failed (temporary)",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed unexpectedly",
  UND_ERR_HEADERS_TIMEOUT: "no response headers in time",
  CERT_HAS_EXPIRED: "TLS: the server certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS: the server certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "TLS: a self-signed certificate is in the chain",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS: the server certificate could not be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS: the certificate does not match the host name"
}

/**
 * The cause of a transport failure in one phrase (`connection refused (ECONNREFUSED)`), from the first error code in
 * the cause chain (undici nests the system error under `fetch failed`/`other side closed`). Never the request.
 *
 * @internal
 */
export const describeCause = (cause: unknown): string | undefined => {
  let current: unknown = cause
  let firstMessage: string | undefined
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { readonly code?: unknown }).code
    if (typeof code === "string" && code.length > 0) {
      const known = causeByCode[code] ??
        (code.startsWith("ERR_TLS") || code.includes("CERT") ? "TLS failure" : undefined)
      return known === undefined ? code : `${known} (${code})`
    }
    const message = (current as { readonly message?: unknown }).message
    if (firstMessage === undefined && typeof message === "string" && message.length > 0) firstMessage = message
    current = (current as { readonly cause?: unknown }).cause
  }
  return firstMessage === undefined ? undefined : firstMessage.slice(0, 200)
}

const transportError = (
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
  const described = describeCause(cause)
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

const verificationError = (
  prepared: Prepared,
  requestId: string,
  raw: RawResponse,
  reason: ResponseVerificationError["reason"],
  description: string
) =>
  new ResponseVerificationError({
    ...requestInfo(prepared, requestId, raw.responseId),
    reason,
    status: raw.status,
    description
  })

const decodeError = (prepared: Prepared, requestId: string, raw: RawResponse, description: string) =>
  new DecodeError({
    ...requestInfo(prepared, requestId, raw.responseId),
    status: raw.status,
    description
  })

// -----------------------------------------------------------------------------
// the client
// -----------------------------------------------------------------------------

/** A `429`: bunq did not process the request. @internal */
export const isRateLimited = (error: BunqError): boolean => error._tag === "ApiError" && error.status === 429

/** What a `GET` is retried on: 429, 5xx and transport failures (not a body over the cap). @internal */
export const isRetryable = (error: BunqError): boolean =>
  (error._tag === "TransportError" && error.reason !== "TooLarge") ||
  (error._tag === "ApiError" && (error.status === 429 || (error.status >= 500 && error.status < 600)))

/**
 * Exponential backoff, capped at `maxDelay`, `maxAttempts` in all; a `429` waits at least `rateLimitWindow` (bunq's
 * window has to pass before it accepts the request).
 *
 * @internal
 */
export const retrySchedule = (policy: {
  readonly maxAttempts: number
  readonly baseDelay: Duration.Duration
  readonly factor: number
  readonly maxDelay: Duration.Duration
}, rateLimitWindow: Duration.Duration = Duration.seconds(3)): Schedule.Schedule<BunqError, BunqError> =>
  Schedule.passthrough(
    Schedule.exponential(policy.baseDelay, policy.factor).pipe(
      Schedule.intersect(Schedule.recurs(policy.maxAttempts - 1))
    ) as Schedule.Schedule<unknown, BunqError>
  ).pipe(
    Schedule.modifyDelay((error, delay) =>
      isRateLimited(error)
        ? Duration.max(rateLimitWindow, Duration.min(delay, policy.maxDelay))
        : Duration.min(delay, policy.maxDelay)
    )
  )

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
    // What every request to bunq gets, as transformations of the injected client: the base URL and bunq's fixed
    // headers (computed once), no trace headers to bunq, and no transport span of its own (the `bunq.request` span is
    // the one span per call); then the user's own middleware (`transformClient`), which sees the complete request.
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

    /**
     * `finish` of a response that passes the checks: the echoed request id, then (with `verifyWith`) the server's
     * signature over the raw bytes.
     */
    const verified = <A>(
      prepared: Prepared,
      requestId: string,
      raw: RawResponse,
      finish: (prepared: Prepared, requestId: string, raw: RawResponse) => Effect.Effect<A, ApiError | DecodeError>
    ): Effect.Effect<A, ApiError | DecodeError | ResponseVerificationError> => {
      const echoed = header(raw.headers, headerNames.requestId)
      if (echoed === undefined ? config.requireRequestIdEcho : echoed !== requestId) {
        return Effect.fail(verificationError(
          prepared,
          requestId,
          raw,
          "RequestIdMismatch",
          echoed === undefined
            ? `the response does not echo ${headerNames.requestId}`
            : `the response echoes a different ${headerNames.requestId}`
        ))
      }
      const serverKey = prepared.request.verifyWith
      if (serverKey === undefined) return finish(prepared, requestId, raw)
      const signature = header(raw.headers, headerNames.serverSignature)
      if (signature === undefined || signature === "") {
        const unsignedErrorAllowed = config.allowUnsignedErrors && (raw.status === 429 || raw.status >= 500)
        return unsignedErrorAllowed ? finish(prepared, requestId, raw) : Effect.fail(verificationError(
          prepared,
          requestId,
          raw,
          "MissingSignature",
          `the response has no ${headerNames.serverSignature} header`
        ))
      }
      return Effect.matchEffect(signer.verify(serverKey, raw.bytes, signature), {
        onFailure: (error) =>
          Effect.fail(verificationError(
            prepared,
            requestId,
            raw,
            "InvalidSignature",
            error.reason === "SignatureMismatch"
              ? "the server signature does not verify over the response body"
              : `the server signature could not be checked (${error.reason})`
          )),
        onSuccess: () => finish(prepared, requestId, raw)
      })
    }

    /** An error status is an `ApiError` whatever the body (a proxy's HTML 502 is still a 502). */
    const apiError = (prepared: Prepared, requestId: string, raw: RawResponse): Effect.Effect<never, ApiError> => {
      let json: unknown
      try {
        json = JSON.parse(decoder.decode(raw.bytes))
      } catch {
        json = undefined
      }
      return ErrorBody.decode(json).pipe(
        Effect.map((body) => body.Error),
        Effect.orElseSucceed(() => []),
        Effect.flatMap((entries) =>
          new ApiError({
            ...requestInfo(prepared, requestId, raw.responseId),
            reason: reasonFromStatus(raw.status),
            status: raw.status,
            descriptions: entries.map((entry) =>
              new ErrorDescription(
                entry.translated === undefined
                  ? { description: entry.description }
                  : { description: entry.description, translated: entry.translated }
              )
            )
          })
        )
      )
    }

    const isErrorStatus = (status: number) => status < 200 || status >= 300

    /** A verified raw response as bytes, not parsed (`executeRaw`). */
    const decodeRaw = (
      prepared: Prepared,
      requestId: string,
      raw: RawResponse
    ): Effect.Effect<BunqRawResponse, ApiError> =>
      isErrorStatus(raw.status) ? apiError(prepared, requestId, raw) : Effect.succeed({
        status: raw.status,
        requestId,
        responseId: raw.responseId,
        contentType: header(raw.headers, "content-type"),
        bytes: raw.bytes
      })

    const decode = (
      prepared: Prepared,
      requestId: string,
      raw: RawResponse
    ): Effect.Effect<BunqResponse, ApiError | DecodeError> => {
      if (isErrorStatus(raw.status)) return apiError(prepared, requestId, raw)
      const responseId = raw.responseId
      let json: unknown
      try {
        json = JSON.parse(decoder.decode(raw.bytes))
      } catch {
        return Effect.fail(decodeError(prepared, requestId, raw, "the response body is not UTF-8 JSON"))
      }
      // The common shape, `{"Response": [{...}, ...]}` without pagination, needs no Schema run; anything else (a
      // `Pagination` object, or a body that is not an envelope) goes through `Envelope.decode` and its messages.
      const items = plainItems(json)
      if (items !== undefined) {
        return Effect.succeed({ status: raw.status, requestId, responseId, items, pagination: undefined })
      }
      return Envelope.decode(json).pipe(
        Effect.mapError((error) => decodeError(prepared, requestId, raw, error.message)),
        Effect.map((envelope): BunqResponse => ({
          status: raw.status,
          requestId,
          responseId,
          items: envelope.Response,
          pagination: Option.match(envelope.Pagination, {
            onNone: () => undefined,
            onSome: (pagination): PageLinks => ({
              olderUrl: pagePath(pagination.older),
              newerUrl: pagePath(pagination.newer),
              futureUrl: pagePath(pagination.future)
            })
          })
        }))
      )
    }

    const timeoutError = (prepared: Prepared, requestId: string) => () =>
      new TransportError({
        ...requestInfo(prepared, requestId),
        reason: "Timeout",
        description: `no complete response within ${Duration.format(config.timeout)}`
      })

    const tooLarge = (prepared: Prepared, requestId: string, url: string, size: string) =>
      new TransportError({
        ...requestInfo(prepared, requestId),
        url,
        reason: "TooLarge",
        description: `the response body (${size}) is larger than the ${maxBytes} bytes allowed (maxResponseBytes)`
      })

    const rawResponse = (response: HttpClientResponse.HttpClientResponse, bytes: Uint8Array): RawResponse => ({
      status: response.status,
      headers: response.headers,
      bytes,
      responseId: header(response.headers, headerNames.responseId)
    })

    /**
     * The body, at most `maxBytes` of it: a larger `content-length` fails after one chunk (which ends the stream and
     * frees the connection), and a body without one is counted while it streams. Within the cap, with a length, the
     * transport's own `arrayBuffer` (it enforces the length). A failure of the transport is `failed`'s.
     */
    const readBody = (
      response: HttpClientResponse.HttpClientResponse,
      prepared: Prepared,
      requestId: string,
      url: string,
      failed: (error: HttpClientError.ResponseError) => Effect.Effect<never, TransportError>
    ): Effect.Effect<RawResponse, TransportError> => {
      const length = header(response.headers, "content-length")
      const declared = length === undefined ? NaN : Number(length)
      if (Number.isFinite(declared) && declared <= maxBytes) {
        return Effect.matchEffect(response.arrayBuffer, {
          onFailure: failed,
          onSuccess: (buffer) => Effect.succeed(rawResponse(response, new Uint8Array(buffer)))
        })
      }
      if (Number.isFinite(declared)) {
        return Effect.zipRight(
          Effect.catchAll(Stream.runDrain(Stream.take(response.stream, 1)), failed),
          Effect.fail(tooLarge(prepared, requestId, url, `content-length ${declared}`))
        )
      }
      return Effect.suspend(() => {
        const chunks: Array<Uint8Array> = []
        let total = 0
        return response.stream.pipe(
          Stream.runForEach((chunk) => {
            total += chunk.length
            if (total > maxBytes) return Effect.fail(tooLarge(prepared, requestId, url, `over ${maxBytes} bytes`))
            chunks.push(chunk)
            return Effect.void
          }),
          Effect.catchAll((error) => error._tag === "TransportError" ? Effect.fail(error) : failed(error)),
          Effect.map(() => {
            if (chunks.length === 1) return rawResponse(response, chunks[0]!)
            const bytes = new Uint8Array(total)
            let offset = 0
            for (const chunk of chunks) {
              bytes.set(chunk, offset)
              offset += chunk.length
            }
            return rawResponse(response, bytes)
          })
        )
      })
    }

    // The in-process limiter never fails; a provided one (shared storage) can: the request was then not sent.
    const limit = (
      prepared: Prepared,
      requestId: string,
      send: Effect.Effect<RawResponse, TransportError>
    ): Effect.Effect<RawResponse, TransportError> => {
      const limited = limiter(prepared.request.method, prepared.pathname)(send)
      return limiterFails
        ? Effect.catchTag(limited, "RateLimiterError", (error) =>
          Effect.fail(
            new TransportError({
              ...requestInfo(prepared, requestId),
              reason: "Network",
              description: error.message,
              cause: error
            })
          ))
        : limited as Effect.Effect<RawResponse, TransportError>
    }

    /** One attempt: fresh request id, send holding a limiter slot until the response is read, verify, decode. */
    const attempt = <A>(
      prepared: Prepared,
      signature: string | undefined,
      span: Tracer.Span,
      finish: (prepared: Prepared, requestId: string, raw: RawResponse) => Effect.Effect<A, ApiError | DecodeError>
    ): Effect.Effect<A, BunqError> =>
      Effect.suspend(() => {
        const requestId = crypto.randomUUID()
        span.attribute("bunq.request_id", requestId)
        // The caller's extra headers must not replace bunq's own (set by the client after these) or the credentials.
        const headers: Record<string, string> = prepared.request.headers === undefined
          ? { [headerNames.requestId]: requestId }
          : { ...withoutFixed(prepared.request.headers), [headerNames.requestId]: requestId }
        const auth = prepared.request.auth
        if (auth._tag !== "None") headers[headerNames.authentication] = Redacted.value(auth.token)
        if (signature !== undefined) headers[headerNames.clientSignature] = signature
        const url = baseUrl + prepared.pathname
        const request = HttpClientRequest.make(prepared.request.method)(prepared.pathname, {
          headers,
          urlParams: prepared.urlParams,
          body: prepared.body === undefined ? HttpBody.empty : HttpBody.uint8Array(prepared.body, prepared.contentType)
        })
        const failed = (error: HttpClientError.HttpClientError) => transportError(prepared, requestId, url, error)
        const send = Effect.matchEffect(httpClient.execute(request), {
          onFailure: failed,
          onSuccess: (response) => readBody(response, prepared, requestId, url, failed)
        })
        // The attempt's deadline covers sending and reading the body; when it passes, the attempt is interrupted (which
        // aborts the request in every platform client) and fails with `TransportError` `Timeout` (see `deadline.ts`).
        const timed = Deadline.within(send, timeoutMillis, timeoutError(prepared, requestId))
        return Effect.flatMap(limit(prepared, requestId, timed), (raw) => {
          span.attribute("http.response.status_code", raw.status)
          if (raw.responseId !== undefined) span.attribute("bunq.response_id", raw.responseId)
          return verified(prepared, requestId, raw, finish)
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
      finish: (prepared: Prepared, requestId: string, raw: RawResponse) => Effect.Effect<A, ApiError | DecodeError>
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
            return Effect.retry(once, {
              schedule: retrySchedule(retryPolicy, rateLimitWindow(prepared)),
              while: request.method === "GET" ? isRetryable : isRateLimited
            })
          })
          return parentOfMiddleware ? Effect.withParentSpan(sendSigned, span) : sendSigned
        }))
      })

    return {
      execute: (request) => run(request, decode),
      executeRaw: (request) => run(request, decodeRaw)
    }
  })

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

/** A caller's extra headers without the ones bunq's protocol sets. */
const withoutFixed = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const kept: Record<string, string> = {}
  for (const name in headers) {
    if (!fixedHeaderNames.has(name.toLowerCase())) kept[name] = headers[name]!
  }
  return kept
}

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** The items of `{"Response": [objects]}` with no other key, or `undefined` for anything else. */
const plainItems = (json: unknown): ReadonlyArray<Envelope.Item> | undefined => {
  if (!isPlainObject(json)) return undefined
  const items = json["Response"]
  if (!Array.isArray(items)) return undefined
  for (const key in json) {
    if (key !== "Response") return undefined
  }
  for (const item of items) {
    if (!isPlainObject(item)) return undefined
  }
  return items
}
