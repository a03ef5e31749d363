/**
 * The response side of an attempt: the body read once as bytes (at most `maxResponseBytes`), the checks (the echoed
 * request id, the server's signature over those bytes), then the same bytes decoded into a `BunqResponse`, the raw
 * bytes (`executeRaw`), or an `ApiError` for an error status.
 *
 * @internal
 */
import * as Envelope from "@effect-bunq/schema/Envelope"
import * as ErrorBody from "@effect-bunq/schema/ErrorBody"
import type * as Signer from "@effect-bunq/signer/Signer"
import type * as Headers from "@effect/platform/Headers"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { BunqRawResponse, BunqResponse, PageLinks } from "../BunqClient.js"
import type { BunqConfig } from "../BunqConfig.js"
import {
  ApiError,
  DecodeError,
  ErrorDescription,
  reasonFromStatus,
  ResponseVerificationError,
  type TransportError
} from "../BunqError.js"
import { tooLarge } from "./errors.js"
import { headerNames } from "./headers.js"
import { type Prepared, requestInfo } from "./request.js"

/** @internal */
export interface RawResponse {
  readonly status: number
  readonly headers: Headers.Headers
  readonly bytes: Uint8Array
  /** `X-Bunq-Client-Response-Id`, read once. */
  readonly responseId: string | undefined
}

/**
 * A header's value: `Headers.get` without its `Option` (`Headers` keys are lower case, and its prototype has no string
 * keys).
 *
 * @internal
 */
export const header = (headers: Headers.Headers, name: string): string | undefined => headers[name.toLowerCase()]

const decoder = new TextDecoder("utf-8", { fatal: true })

/** The body as UTF-8 JSON, or `undefined` when it is not (`JSON.parse` never returns `undefined`). */
const parseJson = (bytes: Uint8Array): unknown => {
  try {
    return JSON.parse(decoder.decode(bytes))
  } catch {
    return undefined
  }
}

/**
 * A `Pagination` link as a path relative to the base URL (`/user/1/payment?count=25&older_id=1`), usable as
 * `BunqRequest.path`.
 */
const pagePath = (page: Option.Option<Envelope.PageRequest>): string | undefined => {
  if (Option.isNone(page)) return undefined
  const query = new URLSearchParams(page.value.urlParams).toString()
  return query === "" ? page.value.path : `${page.value.path}?${query}`
}

/** What becomes of a verified response: `decode` or `decodeRaw`. @internal */
export type Finish<A> = (
  prepared: Prepared,
  requestId: string,
  raw: RawResponse
) => Effect.Effect<A, ApiError | DecodeError>

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

const rawResponse = (response: HttpClientResponse.HttpClientResponse, bytes: Uint8Array): RawResponse => ({
  status: response.status,
  headers: response.headers,
  bytes,
  responseId: header(response.headers, headerNames.responseId)
})

/** A `content-encoding` other than `identity`: `fetch` hands out the decoded body, so `content-length` is not its size. */
const isEncoded = (headers: Headers.Headers): boolean => {
  const encoding = header(headers, "content-encoding")
  if (encoding === undefined) return false
  const trimmed = encoding.trim().toLowerCase()
  return trimmed !== "" && trimmed !== "identity"
}

/**
 * The body, at most `maxBytes` of it: a larger `content-length` fails after one chunk (which ends the stream and
 * frees the connection), and a body without one is counted while it streams. Within the cap, with a length, the
 * transport's own `arrayBuffer` (it enforces the length), and its result checked against the cap as well: a browser
 * may decode a compressed body without showing its `content-encoding` (a cross-origin response). A body with a
 * `content-encoding` is always counted while it streams, as it arrives from the transport (decoded, with `fetch`):
 * its `content-length` is the compressed size, so 20 KB of gzip may be 20 MB of JSON. A failure of the transport is
 * `failed`'s.
 *
 * @internal
 */
export const readBody = (
  response: HttpClientResponse.HttpClientResponse,
  prepared: Prepared,
  requestId: string,
  url: string,
  maxBytes: number,
  failed: (error: HttpClientError.ResponseError) => Effect.Effect<never, TransportError>
): Effect.Effect<RawResponse, TransportError> => {
  const length = header(response.headers, "content-length")
  const declared = length === undefined || isEncoded(response.headers) ? NaN : Number(length)
  if (Number.isFinite(declared) && declared <= maxBytes) {
    return Effect.matchEffect(response.arrayBuffer, {
      onFailure: failed,
      onSuccess: (buffer) =>
        buffer.byteLength > maxBytes
          ? Effect.fail(tooLarge(prepared, requestId, url, `${buffer.byteLength} bytes`, maxBytes))
          : Effect.succeed(rawResponse(response, new Uint8Array(buffer)))
    })
  }
  // Over the cap: a declared length fails at the first chunk (which ends the stream and frees the connection), an
  // undeclared (or encoded) one once the chunks counted pass it.
  const over = Number.isFinite(declared) ? `content-length ${declared}` : `over ${maxBytes} bytes`
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let total = 0
    return response.stream.pipe(
      Stream.runForEach((chunk) => {
        total += chunk.length
        if (total > maxBytes || Number.isFinite(declared)) {
          return Effect.fail(tooLarge(prepared, requestId, url, over, maxBytes))
        }
        chunks.push(chunk)
        return Effect.void
      }),
      Effect.catchAll((error) => error._tag === "TransportError" ? Effect.fail(error) : failed(error)),
      Effect.flatMap(() => {
        if (Number.isFinite(declared)) return Effect.fail(tooLarge(prepared, requestId, url, over, maxBytes))
        if (chunks.length === 1) return Effect.succeed(rawResponse(response, chunks[0]!))
        const bytes = new Uint8Array(total)
        let offset = 0
        for (const chunk of chunks) {
          bytes.set(chunk, offset)
          offset += chunk.length
        }
        return Effect.succeed(rawResponse(response, bytes))
      })
    )
  })
}

/**
 * `finish` of a response that passes the checks: the echoed request id, then (with `verifyWith`) the server's
 * signature over the raw bytes.
 *
 * @internal
 */
export const verified = <A>(
  signer: Signer.Signer.Service,
  config: Pick<BunqConfig.Service, "requireRequestIdEcho" | "allowUnsignedErrors">,
  prepared: Prepared,
  requestId: string,
  raw: RawResponse,
  finish: Finish<A>
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
  const fail = (entries: ReadonlyArray<ErrorBody.ErrorDescription>) =>
    Effect.fail(
      new ApiError({
        ...requestInfo(prepared, requestId, raw.responseId),
        reason: reasonFromStatus(raw.status),
        status: raw.status,
        // a decoded entry has `description` and, when bunq sent one, `translated` (absent otherwise)
        descriptions: entries.map((entry) => new ErrorDescription(entry))
      })
    )
  return Effect.matchEffect(ErrorBody.decode(parseJson(raw.bytes)), {
    onFailure: () => fail([]),
    onSuccess: (body) => fail(body.Error)
  })
}

const isErrorStatus = (status: number) => status < 200 || status >= 300

/** A verified raw response as bytes, not parsed (`executeRaw`). @internal */
export const decodeRaw = (
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

/** A verified response parsed into a `BunqResponse` (`execute`). @internal */
export const decode = (
  prepared: Prepared,
  requestId: string,
  raw: RawResponse
): Effect.Effect<BunqResponse, ApiError | DecodeError> => {
  if (isErrorStatus(raw.status)) return apiError(prepared, requestId, raw)
  const responseId = raw.responseId
  const json = parseJson(raw.bytes)
  if (json === undefined) {
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
