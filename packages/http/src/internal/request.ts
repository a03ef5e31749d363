/**
 * A `BunqRequest` made ready to send: its path and query split, its body serialized once (those bytes are signed and
 * sent), and each attempt's `HttpClientRequest` with the request id, the token and the signature.
 *
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Redacted from "effect/Redacted"
import type { BunqRequest } from "../BunqClient.js"
import { headerNames, withoutFixed } from "./headers.js"

/** @internal */
export interface Prepared {
  readonly request: BunqRequest
  /** The path without query string: used in spans and errors. */
  readonly pathname: string
  readonly urlParams: ReadonlyArray<readonly [string, string]>
  /** `undefined` when there is no body: the empty byte string is signed. */
  readonly body: Uint8Array | undefined
  readonly contentType: string
}

const encoder = new TextEncoder()

/**
 * The request's path, query and body bytes; a message when the request is malformed (a bug: a defect).
 *
 * @internal
 */
export const prepare = (request: BunqRequest): Prepared | string => {
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

/** @internal */
export const emptyBytes = new Uint8Array(0)

/** What every error of a request carries. @internal */
export const requestInfo = (prepared: Prepared, requestId: string, responseId?: string | undefined) => ({
  operation: prepared.request.operation,
  method: prepared.request.method,
  path: prepared.pathname,
  requestId,
  ...(responseId === undefined ? {} : { responseId })
})

/**
 * One attempt's request: the caller's extra headers (never replacing bunq's own or the credentials), a fresh
 * `X-Bunq-Client-Request-Id`, the token named by `auth` and the signature. The base URL and bunq's fixed headers are
 * the client's (`mapRequest`).
 *
 * @internal
 */
export const toHttpRequest = (
  prepared: Prepared,
  requestId: string,
  signature: string | undefined
): HttpClientRequest.HttpClientRequest => {
  const headers: Record<string, string> = prepared.request.headers === undefined
    ? { [headerNames.requestId]: requestId }
    : { ...withoutFixed(prepared.request.headers), [headerNames.requestId]: requestId }
  const auth = prepared.request.auth
  if (auth._tag !== "None") headers[headerNames.authentication] = Redacted.value(auth.token)
  if (signature !== undefined) headers[headerNames.clientSignature] = signature
  return HttpClientRequest.make(prepared.request.method)(prepared.pathname, {
    headers,
    urlParams: prepared.urlParams,
    body: prepared.body === undefined ? HttpBody.empty : HttpBody.uint8Array(prepared.body, prepared.contentType)
  })
}
