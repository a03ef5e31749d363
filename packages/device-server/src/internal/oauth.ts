/**
 * The OAuth flow behind `OAuth`: its error, reading the redirect (the state checked in constant time) and the token
 * exchange (the secret and the code kept out of spans and messages). `OAuth` re-exports these with their docs.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { AccessToken, Client } from "../OAuth.js"

/** bunq's OAuth hosts per environment. @internal */
export const hosts = {
  production: { auth: "https://oauth.bunq.com", api: "https://api.oauth.bunq.com" },
  sandbox: { auth: "https://oauth.sandbox.bunq.com", api: "https://api-oauth.sandbox.bunq.com" }
} as const

/** @internal */
export const OAuthErrorReason = Schema.Literal(
  "StateMismatch",
  "AuthorizationDenied",
  "MissingCode",
  "InvalidGrant",
  "InvalidClient",
  "Rejected",
  "Transport",
  "UnexpectedResponse",
  "NotOAuth",
  "InvalidEndpoint"
)

/** @internal */
export type OAuthErrorReason = typeof OAuthErrorReason.Type

/** `OAuth.OAuthError` (documented there). @internal */
export class OAuthError extends Schema.TaggedError<OAuthError>("@effect-bunq/device-server/OAuthError")("OAuthError", {
  reason: OAuthErrorReason,
  description: Schema.String,
  /** The OAuth error code (`invalid_grant`, `access_denied`, …) when there is one. */
  error: Schema.optional(Schema.String),
  /** The token endpoint's HTTP status, when it answered. */
  status: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    return `${this.reason}: ${this.description}${this.status === undefined ? "" : ` (HTTP ${this.status})`}`
  }
}

/** `OAuth.parseCallback` (documented there). @internal */
export const parseCallback = (
  callback: string | URL,
  expectedState: string
): Effect.Effect<Redacted.Redacted<string>, OAuthError> =>
  Effect.suspend(() => {
    const params = callbackParams(callback)
    const state = params.get("state")
    if (state === null || expectedState === "" || !constantTimeEqual(state, expectedState)) {
      return Effect.fail(
        new OAuthError({
          reason: "StateMismatch",
          description: state === null
            ? "the redirect carries no state: it was not sent in answer to this app's authorization request"
            : "the redirect's state is not the one this app sent: a forged or stale redirect, ignored"
        })
      )
    }
    const error = params.get("error")
    if (error !== null) {
      return Effect.fail(
        new OAuthError({
          reason: "AuthorizationDenied",
          error,
          description: error === "access_denied"
            ? "the user did not grant access"
            : `bunq reported ${error} on the redirect${describeFrom(params.get("error_description"))}`
        })
      )
    }
    const code = params.get("code")
    if (code === null || code === "") {
      return Effect.fail(new OAuthError({ reason: "MissingCode", description: "the redirect carries no code" }))
    }
    return Effect.succeed(Redacted.make(code))
  })

/** `OAuth.exchange` (documented there). @internal */
export const exchange = (
  client: Client,
  code: Redacted.Redacted<string>
): Effect.Effect<AccessToken, OAuthError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    // Refused before anything is sent: an empty secret or code can only be a mistake (a variable set to nothing, a
    // file that was meant to hold it), and bunq would spend the code on it.
    if (client.clientId.trim() === "") return yield* refused("InvalidClient", "the client id is empty")
    if (Redacted.value(client.clientSecret).trim() === "") {
      return yield* refused("InvalidClient", "the client secret is empty")
    }
    if (Redacted.value(code).trim() === "") return yield* refused("MissingCode", "the code is empty")
    if (!URL.canParse(client.endpoints.tokenUrl)) {
      return yield* refused("InvalidEndpoint", `the token endpoint ${client.endpoints.tokenUrl} is not a URL`)
    }
    // The platform's span would record the full URL, query string (code and secret) included: it is turned off for
    // this request, and `OAuth.exchange`'s own span records only the endpoint.
    const http = HttpClient.withTracerDisabledWhen(yield* HttpClient.HttpClient, () => true)
    const params = {
      grant_type: "authorization_code",
      code: Redacted.value(code),
      redirect_uri: client.redirectUri,
      client_id: client.clientId,
      client_secret: Redacted.value(client.clientSecret)
    }
    const base = HttpClientRequest.post(client.endpoints.tokenUrl).pipe(HttpClientRequest.acceptJson)
    const request = client.endpoints.tokenRequest === "query"
      ? HttpClientRequest.setUrlParams(base, params)
      : HttpClientRequest.bodyUrlParams(base, params)
    const response = yield* http.execute(request).pipe(
      Effect.catchTags({
        RequestError: (error) => Effect.fail(transportError(error.reason)),
        ResponseError: (error) => Effect.fail(transportError(error.reason))
      })
    )
    const status = response.status
    const json = yield* Effect.option(response.json)
    const unexpected = (what: string) =>
      new OAuthError({ reason: "UnexpectedResponse", status, description: `the token endpoint answered ${what}` })
    if (Option.isNone(json)) return yield* unexpected("something that is not JSON")
    if (status >= 200 && status < 300) {
      const body = yield* Effect.mapError(
        Schema.decodeUnknown(TokenResponse)(json.value),
        () => unexpected("JSON without an access_token")
      )
      return { accessToken: Redacted.make(body.access_token), tokenType: body.token_type }
    }
    const error = yield* Effect.mapError(
      Schema.decodeUnknown(ErrorResponse)(json.value),
      () => unexpected(`HTTP ${status} without an OAuth error`)
    )
    const description = describeFrom(error.error_description)
    return yield* new OAuthError({
      reason: error.error === "invalid_grant"
        ? "InvalidGrant"
        : error.error === "invalid_client" || error.error === "unauthorized_client"
        ? "InvalidClient"
        : "Rejected",
      error: error.error,
      status,
      description: error.error === "invalid_grant"
        ? `the code was refused: unknown, expired or used already${description}`
        : error.error === "invalid_client" || error.error === "unauthorized_client"
        ? `the client id or secret was refused${description}`
        : `the token endpoint refused the request: ${error.error}${description}`
    })
  }).pipe(
    // Over the whole exchange, the body included: a server that sends the headers and then stalls is cut off too.
    Effect.timeoutFail({
      duration: exchangeTimeout,
      onTimeout: () =>
        new OAuthError({
          reason: "Transport",
          description: `the token endpoint did not answer in full within ${Duration.format(exchangeTimeout)}`
        })
    }),
    Effect.scoped,
    Effect.withSpan("OAuth.exchange", {
      kind: "client",
      attributes: {
        "oauth.token_endpoint": client.endpoints.tokenUrl,
        "oauth.token_request": client.endpoints.tokenRequest
      }
    })
  )

/** Equal strings, compared in time that depends only on their lengths. */
const constantTimeEqual = (a: string, b: string): boolean => {
  let difference = a.length ^ b.length
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i % Math.max(1, b.length))
  return difference === 0
}

/**
 * The redirect's parameters: of a `URL`; of a text with a `?`, what follows it up to any `#` (a full URL, or a request
 * path such as Node's `req.url`: `/cb?code=…&state=…`); of a URL or a path without a `?`, none; else the text is the
 * query string itself (`code=…&state=…`).
 */
const callbackParams = (callback: string | URL): URLSearchParams => {
  if (callback instanceof URL) return callback.searchParams
  const text = callback.trim()
  const mark = text.indexOf("?")
  if (mark >= 0) return new URLSearchParams(text.slice(mark + 1).split("#")[0])
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith("/")) return new URLSearchParams()
  return new URLSearchParams(text.split("#")[0])
}

/** bunq's own text, shortened and on one line (it never holds a secret, but keep what is shown small). */
const describeFrom = (text: string | null | undefined): string =>
  text === null || text === undefined || text.trim() === "" ? "" : `: ${text.replace(/\s+/g, " ").trim().slice(0, 200)}`

const TokenResponse = Schema.Struct({
  access_token: Schema.NonEmptyTrimmedString,
  token_type: Schema.optionalWith(Schema.String, { default: () => "bearer" })
})

const ErrorResponse = Schema.Struct({
  error: Schema.String,
  error_description: Schema.optional(Schema.NullOr(Schema.String))
})

const exchangeTimeout = Duration.seconds(30)

/** A client or code refused before anything is sent. */
const refused = (reason: "InvalidClient" | "MissingCode" | "InvalidEndpoint", what: string) =>
  new OAuthError({ reason, description: `${what}: nothing was sent` })

const transportError = (reason: string) =>
  new OAuthError({ reason: "Transport", description: `the token endpoint could not be reached (${reason})` })
