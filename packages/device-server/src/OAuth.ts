/**
 * OAuth: connect other people's bunq accounts to your app. The user is sent to bunq's authorization page, comes back
 * to your redirect URI with a `code`, and the code is exchanged for an access token — which is then used exactly like
 * an API key: an `ApiContext` registers a device with it and opens sessions as a `UserApiKey`.
 *
 * ```ts
 * import * as OAuth from "@effect-bunq/device-server/OAuth"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const client: OAuth.Client = {
 *   clientId: "my-client-id",
 *   clientSecret: Redacted.make("my-client-secret"),
 *   redirectUri: "https://app.example/bunq/callback",
 *   endpoints: OAuth.endpoints("sandbox")
 * }
 *
 * // 1. send the user to `authorization.url`; keep `authorization.state` (e.g. in the user's session)
 * const start = OAuth.authorize(client)
 * // 2. on the redirect: check the state, take the code, exchange it for an access token
 * const finish = (callbackUrl: string, expectedState: string) =>
 *   Effect.flatMap(OAuth.parseCallback(callbackUrl, expectedState), (code) => OAuth.exchange(client, code))
 * ```
 *
 * The context of an OAuth connection knows two users (see `connection`): the `UserApiKey` the access token stands
 * for, whose id goes into every `/user/{userID}/…` path (what `ApiContext` reports as the session's `userId`), and the
 * bunq user who granted access (`granted_by_user`, whose monetary accounts the app then sees). Each access token gets
 * its own context, saved under its own store key (`storeKey`), so one process serves many connected users.
 *
 * bunq documents two token endpoints: `POST https://api.oauth.bunq.com/v1/token` with the parameters as query
 * variables (sandbox `https://api-oauth.sandbox.bunq.com/v1/token`), the default here, and the newer
 * `POST https://oauth.bunq.com/token` with a form body (`endpoints(environment, "form")`). The client secret and the
 * code are secrets: they never reach a span, a log line or an error message (the HTTP client's own span, which would
 * record the query string, is turned off for the token request; `OAuth.exchange` records its own without them).
 *
 * @since 0.1.0
 */
import type { BunqClient } from "@effect-bunq/http/BunqClient"
import type { BunqConfig } from "@effect-bunq/http/BunqConfig"
import type * as UserSchema from "@effect-bunq/schema/User"
import type * as Signer from "@effect-bunq/signer/Signer"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as ApiContext from "./ApiContext.js"
import * as ContextStore from "./ContextStore.js"
import * as internal from "./internal/oauth.js"
import * as User from "./User.js"

/**
 * The bunq environment whose OAuth endpoints to use.
 *
 * @since 0.1.0
 * @category models
 */
export type Environment = "production" | "sandbox"

/**
 * How the code is sent to the token endpoint: `"query"` (`POST …/v1/token?grant_type=…`, no body) or `"form"`
 * (`POST …/token` with an `application/x-www-form-urlencoded` body).
 *
 * @since 0.1.0
 * @category models
 */
export type TokenRequest = "query" | "form"

/**
 * Where the authorization page and the token endpoint are.
 *
 * @since 0.1.0
 * @category models
 */
export interface Endpoints {
  readonly authorizeUrl: string
  readonly tokenUrl: string
  readonly tokenRequest: TokenRequest
}

/**
 * bunq's endpoints for an environment. `tokenRequest` defaults to `"query"` (`https://api.oauth.bunq.com/v1/token`,
 * sandbox `https://api-oauth.sandbox.bunq.com/v1/token`); `"form"` uses `https://oauth.bunq.com/token` (sandbox
 * `https://oauth.sandbox.bunq.com/token`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const endpoints = (
  environment: Environment,
  tokenRequest: TokenRequest = "query"
): Endpoints => {
  const host = internal.hosts[environment]
  return {
    authorizeUrl: `${host.auth}/auth`,
    tokenUrl: tokenRequest === "query" ? `${host.api}/v1/token` : `${host.auth}/token`,
    tokenRequest
  }
}

/**
 * Endpoints under one base URL, as the emulator serves them: `{base}/auth`, and `{base}/v1/token` (query) or
 * `{base}/token` (form). E.g. `customEndpoints("http://127.0.0.1:8080/oauth")`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const customEndpoints = (
  baseUrl: string,
  tokenRequest: TokenRequest = "query"
): Endpoints => {
  const base = baseUrl.replace(/\/+$/, "")
  return {
    authorizeUrl: `${base}/auth`,
    tokenUrl: tokenRequest === "query" ? `${base}/v1/token` : `${base}/token`,
    tokenRequest
  }
}

/**
 * An OAuth client (an app registered with bunq): its id, secret and one of its redirect URIs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly redirectUri: string
  readonly endpoints: Endpoints
}

/**
 * Where to send the user (`url`), and the `state` to keep until they come back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Authorization {
  readonly url: string
  readonly state: string
}

/**
 * The answer of the token endpoint. `accessToken` is used as an API key.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessToken {
  readonly accessToken: Redacted.Redacted<string>
  readonly tokenType: string
}

/**
 * Which OAuth step failed and why (see `OAuthError`).
 *
 * @since 0.1.0
 * @category errors
 */
export const OAuthErrorReason: typeof internal.OAuthErrorReason = internal.OAuthErrorReason

/**
 * @since 0.1.0
 * @category errors
 */
export type OAuthErrorReason = internal.OAuthErrorReason

/**
 * An OAuth step failed. `reason` says which:
 * - `StateMismatch`: the redirect's `state` is missing or not the one this app sent (a forged or stale redirect);
 * - `AuthorizationDenied`: the user refused, or bunq reported an error on the redirect (`error` is its code);
 * - `MissingCode`: the redirect has no `code` (or `exchange` was given an empty one);
 * - `InvalidGrant`: the token endpoint refused the code: unknown, expired or used already (bunq's `invalid_grant`;
 *   bunq does not say which, `description` is its text);
 * - `InvalidClient`: the client id or secret is wrong (or empty: refused before anything is sent);
 * - `Rejected`: another OAuth error from the token endpoint (`error` is its code);
 * - `Transport`: the token endpoint could not be reached;
 * - `UnexpectedResponse`: its answer is not the documented JSON;
 * - `NotOAuth`: the context's user is not a `UserApiKey` (the API key is not an OAuth access token);
 * - `InvalidEndpoint`: the client's `authorizeUrl` or `tokenUrl` is not a URL (nothing is sent).
 *
 * No field or message holds the code, the client secret or the access token.
 *
 * @since 0.1.0
 * @category errors
 */
export const OAuthError: typeof internal.OAuthError = internal.OAuthError

/**
 * @since 0.1.0
 * @category errors
 */
export type OAuthError = internal.OAuthError

/**
 * A fresh `state`: 32 bytes from WebCrypto's random generator, as 64 hex characters.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeState: Effect.Effect<string> = Effect.sync(() =>
  Encoding.encodeHex(globalThis.crypto.getRandomValues(new Uint8Array(32)))
)

/**
 * The authorization URL for a given `state`: `{authorizeUrl}?response_type=code&client_id=…&redirect_uri=…&state=…`.
 * Throws a `TypeError` when `authorizeUrl` is not a URL (`authorize` fails with `InvalidEndpoint` instead).
 *
 * @since 0.1.0
 * @category constructors
 */
export const authorizationUrl = (
  client: Pick<Client, "clientId" | "redirectUri" | "endpoints">,
  state: string
): string => {
  const url = new URL(client.endpoints.authorizeUrl)
  url.searchParams.set("response_type", "code")
  url.searchParams.set("client_id", client.clientId)
  url.searchParams.set("redirect_uri", client.redirectUri)
  url.searchParams.set("state", state)
  return url.toString()
}

/**
 * A fresh `state` and the authorization URL carrying it. Fails with `InvalidEndpoint` when the client's
 * `authorizeUrl` is not a URL.
 *
 * @since 0.1.0
 * @category constructors
 */
export const authorize = (
  client: Pick<Client, "clientId" | "redirectUri" | "endpoints">
): Effect.Effect<Authorization, OAuthError> =>
  URL.canParse(client.endpoints.authorizeUrl)
    ? Effect.map(makeState, (state) => ({ url: authorizationUrl(client, state), state }))
    : Effect.fail(
      new internal.OAuthError({
        reason: "InvalidEndpoint",
        description: `the authorization endpoint ${client.endpoints.authorizeUrl} is not a URL`
      })
    )

/**
 * Read the redirect bunq sent the user back with: the full URL, the request path with its query (Node's `req.url`,
 * `/callback?code=…&state=…`), or the query string alone (with or without its `?`). Check `state` against the one
 * sent (in constant time), and return the `code`. Fails with `StateMismatch`, `AuthorizationDenied` or
 * `MissingCode`. The state is checked first: nothing else of a forged redirect is trusted.
 *
 * @since 0.1.0
 * @category combinators
 */
export const parseCallback: (
  callback: string | URL,
  expectedState: string
) => Effect.Effect<Redacted.Redacted<string>, OAuthError> = internal.parseCallback

/**
 * Exchange a code for an access token at the client's token endpoint (`grant_type=authorization_code`, the code,
 * the redirect URI, the client id and secret). A code works once. An empty client id, secret or code is refused
 * before anything is sent (`InvalidClient`, `MissingCode`). The whole exchange, the answer's body included, has 30
 * seconds (`Transport` after that).
 *
 * @since 0.1.0
 * @category programs
 */
export const exchange: (
  client: Client,
  code: Redacted.Redacted<string>
) => Effect.Effect<AccessToken, OAuthError, HttpClient.HttpClient> = internal.exchange

/**
 * The store key of an access token's context: `oauth-` and the first 16 hex digits of the token's SHA-256, so each
 * connected user's context is saved under its own key (and the key says nothing about the token).
 *
 * @since 0.1.0
 * @category constructors
 */
export const storeKey = (
  accessToken: Redacted.Redacted<string>
): Effect.Effect<string, Signer.SignerError> =>
  Effect.map(
    ContextStore.fingerprint(accessToken),
    (fingerprint) => `oauth-${fingerprint.slice("sha256:".length, "sha256:".length + 16)}`
  )

/**
 * What an OAuth context needs, as `ApiContext.layer`.
 *
 * @since 0.1.0
 * @category models
 */
export type ContextRequirements = BunqClient | Signer.Signer | BunqConfig | ContextStore.ContextStore

/**
 * The `ApiContext` options of one OAuth connection: the access token as the API key, saved under `storeKey(token)`
 * unless `options.storeKey` names another key. For `ApiContext.make` (an app that keeps one context per connected
 * user, e.g. in a map) or `ApiContext.layer`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const contextOptions = (
  accessToken: Redacted.Redacted<string>,
  options?: Omit<ApiContext.Options, "apiKey">
): Effect.Effect<ApiContext.Options, Signer.SignerError> =>
  Effect.map(storeKey(accessToken), (key) => ({
    description: "effect-bunq OAuth",
    ...options,
    apiKey: accessToken,
    storeKey: options?.storeKey ?? key
  }))

/**
 * The `ApiContext` layer of one OAuth connection (see `contextOptions`). Build one per access token: each
 * `ApiContext` is independent, and nothing is global, so one process serves many connected users.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerContext = (
  accessToken: Redacted.Redacted<string>,
  options?: Omit<ApiContext.Options, "apiKey">
): Layer.Layer<ApiContext.ApiContext, ApiContext.ApiContextError | ConfigError.ConfigError, ContextRequirements> =>
  Layer.unwrapEffect(Effect.map(contextOptions(accessToken, options), ApiContext.layer))

/**
 * The users of an OAuth connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface Connection {
  /** The `UserApiKey`'s id: the `{userID}` of every `/user/{userID}/…` path of this connection. */
  readonly userId: number
  /** The bunq user who granted access (`granted_by_user`): the owner of the accounts the app sees. */
  readonly grantedBy: Option.Option<UserSchema.AnchoredUser>
  /** The user who requested access (`requested_by_user`): the app's owner. */
  readonly requestedBy: UserSchema.AnchoredUser
  readonly user: UserSchema.UserApiKey
}

/**
 * The users of the current context's OAuth connection: from the session when this context opened it, else from
 * `GET /user/{userID}`. Fails with `NotOAuth` when the context's user is not a `UserApiKey`.
 *
 * @since 0.1.0
 * @category programs
 */
export const connection = (): Effect.Effect<
  Connection,
  ApiContext.ApiContextError | OAuthError,
  ApiContext.ApiContext
> =>
  Effect.gen(function*() {
    const context = yield* ApiContext.ApiContext
    const known = yield* context.user
    const user = Option.isSome(known) ? known.value : yield* User.get()
    return yield* toConnection(user)
  }).pipe(Effect.withSpan("OAuth.connection"))

const toConnection = (user: UserSchema.User): Effect.Effect<Connection, OAuthError> =>
  user._tag === "UserApiKey"
    ? Effect.succeed({
      userId: user.id,
      grantedBy: Option.fromNullable(user.granted_by_user),
      requestedBy: user.requested_by_user,
      user
    })
    : Effect.fail(
      new internal.OAuthError({
        reason: "NotOAuth",
        description: `the context's user is a ${user._tag}, not a UserApiKey: its API key is not an OAuth access token`
      })
    )
