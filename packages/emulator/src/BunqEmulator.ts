/**
 * A faithful local bunq API: the installation → device-server → session-server flow, users, devices, sessions, with
 * bunq's real security (client signatures verified over the raw body, every response signed with the emulator's own
 * server key, tokens per endpoint, IP binding, unique request ids, session expiry, rate limits) and fault injection.
 *
 * The `Emulator` service holds the state (in memory, one instance per layer build) and exposes the emulator as an
 * `@effect/platform` `HttpApp`. Two ways in:
 *
 * - `layerHttpClient` / `layerTest`: an in-process `HttpClient` that calls the emulator's app directly, no socket;
 *   the test layer for apps built on effect-bunq. Browser-safe.
 * - `BunqEmulatorServer.layer` (Node): an HTTP server on 127.0.0.1 with CORS, for browser tests, demos and manual use.
 *
 * The emulator signs and verifies through the abstract `Signer.Signer` service: provide
 * `@effect-bunq/signer/WebCryptoSigner` `layer` (browsers and Node) or `@effect-bunq/platform-node/NodeSigner` `layer`.
 * The test controls' models (faults, holds, the log, issued tokens) are in `BunqEmulatorTesting`.
 *
 * @since 0.1.0
 */
import type * as Signer from "@effect-bunq/signer/Signer"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Testing from "./BunqEmulatorTesting.js"
import * as internal from "./internal/emulator.js"
import * as internalClient from "./internal/inProcessClient.js"
import * as internalTags from "./internal/tags.js"

/**
 * One rate limit: at most `calls` calls per `seconds` seconds, per client IP and endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly calls: number
  readonly seconds: number
}

/**
 * Rate limits per endpoint category. `sessionServer` applies to `POST /session-server`, the others by method.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimits {
  readonly GET: RateLimit
  readonly POST: RateLimit
  readonly PUT: RateLimit
  readonly DELETE: RateLimit
  readonly sessionServer: RateLimit
}

/**
 * bunq's classic published limits: GET 3 per 3 s, POST 5 per 3 s, PUT (and DELETE) 2 per 3 s, `POST /session-server`
 * 1 per 30 s, per IP and endpoint.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bunqRateLimits: RateLimits = internal.bunqRateLimits

/**
 * How response bodies are printed. `"some"` pretty-prints (2-space indent) deterministically chosen endpoints
 * (`GET /user`, `GET /user/{id}`, `POST /session-server` and 404 errors) and sends the rest compact, the way real
 * bunq bodies vary; clients must not depend on either.
 *
 * @since 0.1.0
 * @category models
 */
export type PrettyPrint = "never" | "always" | "some"

/**
 * bunq's wire-format habits, each on by default; set one to `false` for a test that needs the plain behaviour.
 *
 * - `signatures`: a client signature is required on `POST /session-server` and on calls that move money (`payment`,
 *   `payment-batch`, `draft-payment` accept, `request-response` accept): 466 without; elsewhere it is checked when
 *   present, and a session call without one is accepted. Off: every session call needs a signature.
 * - `methodNotAllowed`: a known path with the wrong method answers 405 (off: 404).
 * - `requireUserAgent`: a request without `User-Agent` answers 400.
 * - `authorisation`: an installation token on a session endpoint answers 401 "Insufficient authorisation." (off: 403
 *   "Insufficient authentication.").
 * - `mixedContentType`: list responses carry `application/json; charset=utf-8`, the others `application/json`.
 * - `chunked`: GET bodies over 8 KiB are sent chunked (no `Content-Length`).
 * - `escapedSlashes`: payment, event and tab bodies and callbacks escape `/` as `\/`, as PHP's encoder does.
 * - `extraFields`: objects carry fields clients do not know and `null`s (off: the unknown fields go).
 *
 * @since 0.1.0
 * @category models
 */
export interface Fidelity {
  readonly signatures?: boolean | undefined
  readonly methodNotAllowed?: boolean | undefined
  readonly requireUserAgent?: boolean | undefined
  readonly authorisation?: boolean | undefined
  readonly mixedContentType?: boolean | undefined
  readonly chunked?: boolean | undefined
  readonly escapedSlashes?: boolean | undefined
  readonly extraFields?: boolean | undefined
}

/**
 * One attempt to deliver a callback (`NotificationUrl` POST) to a notification filter's URL.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallbackDelivery {
  readonly seq: number
  readonly targetUrl: string
  readonly category: string
  readonly eventType: string
  readonly eventId: number
  /** 1 for the first try, up to 1 + `callbackRetries`. */
  readonly attempt: number
  /** The receiver's status, or `0` when it could not be reached. */
  readonly status: number
  readonly delivered: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** bunq's wire-format habits (all on by default); `false` turns them all off. See `Fidelity`. */
  readonly fidelity?: Fidelity | false | undefined
  /** How often a failed callback delivery is retried. Default 5. */
  readonly callbackRetries?: number | undefined
  /** The pause between callback attempts. Default 1 second; tests use a few milliseconds. */
  readonly callbackRetrySpacing?: Duration.DurationInput | undefined
  /** The path prefix of every endpoint. Default `"/v1"`. Use `""` for none. */
  readonly basePath?: string | undefined
  /** The default `session_timeout` of new users, in seconds. Default 604800 (one week, bunq's default). */
  readonly sessionTimeout?: number | undefined
  /** Rate limits per IP and endpoint; `false` (the default) turns them off. See `bunqRateLimits`. */
  readonly rateLimits?: RateLimits | false | undefined
  /**
   * Take the client IP from the `clientIpHeader` request header when present (tests simulate other IPs this way).
   * Default `false`: the IP is the socket's remote address (or `clientIp` of the in-process client).
   */
  readonly trustClientIpHeader?: boolean | undefined
  /** The header trusted by `trustClientIpHeader`. Default `"X-Emulator-Client-Ip"`. */
  readonly clientIpHeader?: string | undefined
  /** Default `"some"`. */
  readonly prettyPrint?: PrettyPrint | undefined
  /** The emulator's server key pair; generated at start when absent. */
  readonly serverKeyPair?: Signer.KeyPair | undefined
}

/**
 * `person` and `company` are what `POST /sandbox-user-person` / `-company` create; `api-key` is an OAuth user: its
 * session returns `UserApiKey` whose `requested_by_user` holds the session timeout (the token endpoint makes them,
 * linked to the user who granted access); `payment-service-provider` is a PSD2 provider
 * (`POST /payment-service-provider-credential` makes them).
 *
 * @since 0.1.0
 * @category models
 */
export type UserType = "person" | "company" | "api-key" | "payment-service-provider"

/**
 * @since 0.1.0
 * @category models
 */
export interface SandboxUser {
  readonly id: number
  readonly type: UserType
  readonly apiKey: Redacted.Redacted<string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateUserOptions {
  /** Default `"person"`. */
  readonly type?: UserType | undefined
  /** This user's `session_timeout` in seconds; default the emulator's `sessionTimeout`. */
  readonly sessionTimeout?: number | undefined
}

/**
 * An OAuth client registered with `createOAuthClient`. The secret is `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuthClient {
  readonly id: number
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly ownerUserId: number
}

/**
 * What `authorizeOAuth` answers: the authorization `url` the app sent the user to, the user who answers, and whether
 * they refuse.
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuthAuthorization {
  readonly url: string
  readonly user: number | SandboxUser
  readonly deny?: boolean | undefined
}

/**
 * The emulator's authorization page refused the request (unknown client, unregistered redirect URI, …).
 *
 * @since 0.1.0
 * @category errors
 */
export const OAuthAuthorizationError: typeof internalTags.OAuthAuthorizationError = internalTags.OAuthAuthorizationError

/**
 * @since 0.1.0
 * @category errors
 */
export type OAuthAuthorizationError = internalTags.OAuthAuthorizationError

/**
 * Re-exported from `BunqEmulatorTesting` under their older names.
 * @since 0.1.0
 * @category models
 */
export type { AuthKind, Fault, FaultKind, FaultMatch, LogEntry, SignatureCheck } from "./BunqEmulatorTesting.js"

/**
 * The emulator app's failure: the response must not be sent, the connection is reset instead. The HTTP server layer
 * destroys the socket; the in-process client turns it into a transport error.
 *
 * @since 0.1.0
 * @category errors
 */
export const ConnectionReset: typeof internalTags.ConnectionReset = internalTags.ConnectionReset

/**
 * @since 0.1.0
 * @category errors
 */
export type ConnectionReset = internalTags.ConnectionReset

/**
 * @since 0.1.0
 * @category tags
 */
export const Emulator: typeof internalTags.Emulator = internalTags.Emulator

/**
 * @since 0.1.0
 * @category tags
 */
export type Emulator = internalTags.Emulator

/**
 * @since 0.1.0
 */
export declare namespace Emulator {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** The base path, e.g. `"/v1"`. */
    readonly basePath: string
    /**
     * The base URL clients use: the HTTP server's `http://127.0.0.1:PORT/v1` once `BunqEmulatorServer.layer` runs,
     * otherwise `http://bunq-emulator.localhost/v1` (any host works with the in-process client).
     */
    readonly url: Effect.Effect<string>
    /** Set by the server layers once listening: the origin, e.g. `http://127.0.0.1:8080`. */
    readonly setOrigin: (origin: string) => Effect.Effect<void>
    /** The emulator's server public key (SPKI PEM), as returned by `POST /installation`. */
    readonly serverPublicKeyPem: string
    /** The emulator as an `HttpApp` (serve it with any `HttpServer`). */
    readonly app: HttpApp.Default<ConnectionReset>
    /** Create a sandbox user (what `POST /sandbox-user-person` does) and return its API key. */
    readonly createSandboxUser: (options?: CreateUserOptions) => Effect.Effect<SandboxUser>
    /**
     * Apply a fault to matching requests: the next `times` (default 1), `"unlimited"` ones, or those within
     * `duration`. Faults are matched in the order they were injected.
     */
    readonly injectFault: (fault: Testing.Fault) => Effect.Effect<void>
    readonly clearFaults: Effect.Effect<void>
    /**
     * Hold matching requests (before any fault or check) until `release` or the end of the scope, counting arrivals.
     * In process only: the way to act while a client waits on bunq.
     */
    readonly hold: (match?: Testing.RequestMatch) => Effect.Effect<Testing.Hold, never, Scope.Scope>
    /** Every request handled so far, oldest first. */
    readonly log: Effect.Effect<ReadonlyArray<Testing.LogEntry>>
    readonly clearLog: Effect.Effect<void>
    /** Every installation and session token issued so far, oldest first (forgotten and expired ones too). */
    readonly tokens: Effect.Effect<ReadonlyArray<Testing.IssuedToken>>
    /** Expire every open session now: their next use answers 401 "Insufficient authorisation.". */
    readonly expireSessions: Effect.Effect<void>
    /**
     * Forget every installation, device and session (and the API keys' IP bindings), as bunq does when it drops an
     * app's registrations; users, API keys, accounts and money stay, so registering again succeeds.
     */
    readonly forgetRegistrations: Effect.Effect<void>
    /**
     * Add `count` devices to a user (by id, `SandboxUser` or API key, plain or `Redacted`), as if registered over
     * time; for pagination tests and benchmarks. Returns the new device ids, ascending. Dies for an unknown user.
     */
    readonly seedDevices: (
      user: number | string | SandboxUser | Redacted.Redacted<string>,
      count: number
    ) => Effect.Effect<ReadonlyArray<number>>
    /** Every callback delivery attempt so far, oldest first. */
    readonly deliveries: Effect.Effect<ReadonlyArray<CallbackDelivery>>
    /**
     * Pay `amount` (a decimal string, e.g. `"500.00"`) into a user's first bank account from the sandbox's sugar
     * daddy, as an accepted request would. Returns the account's new balance. Dies for an unknown user.
     */
    readonly topUp: (user: number | SandboxUser, amount: string) => Effect.Effect<string>
    /**
     * Register an OAuth client (what bunq Developer or `POST /user/{id}/oauth-client` does) with its redirect URIs,
     * owned by `owner` (default: a new person). Its `clientId` and `clientSecret` work at the emulator's OAuth host:
     * `{origin}/oauth/auth`, `{origin}/oauth/v1/token` (query) and `{origin}/oauth/token` (form).
     */
    readonly createOAuthClient: (options?: {
      readonly owner?: number | SandboxUser | undefined
      readonly redirectUris?: ReadonlyArray<string> | undefined
      readonly displayName?: string | undefined
    }) => Effect.Effect<OAuthClient>
    /**
     * Answer an authorization request as the bunq user `user` would on bunq's page: accept (or, with `deny`, refuse)
     * and return the URL bunq sends the browser back to (`redirect_uri?code=…&state=…`, or `?error=access_denied`).
     * A code can be exchanged once, within ten minutes (by the `Clock`). Fails for an unknown client, a redirect URI
     * the client did not register, or a `response_type` other than `code`.
     */
    readonly authorizeOAuth: (request: OAuthAuthorization) => Effect.Effect<string, OAuthAuthorizationError>
    /** Forget all users, accounts, payments, installations, devices, sessions, faults, the log and counters. */
    readonly reset: Effect.Effect<void>
  }
}

/**
 * Build an emulator: generates the server key pair (unless given) with the `Signer`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Emulator.Service, Signer.SignerError, Signer.Signer> =
  internal.make

/**
 * The emulator state only (no server, no client). One instance per layer build.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options?: Options) => Layer.Layer<Emulator, Signer.SignerError, Signer.Signer> = internal.layer

/**
 * Options of the in-process client.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /** The client IP the emulator sees. Default `"127.0.0.1"`. */
  readonly clientIp?: string | undefined
}

/**
 * An `HttpClient` that sends every request to the emulator in process, with no socket. Any URL works; only its path
 * and query matter. A `ConnectionReset` fault fails the request with a `RequestError` of reason `Transport`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: (options?: ClientOptions) => Layer.Layer<HttpClient.HttpClient, never, Emulator> =
  internalClient.layerHttpClient

/**
 * The in-process `HttpClient` for an emulator, as a value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHttpClient: (
  emulator: Emulator.Service,
  options?: ClientOptions
) => HttpClient.HttpClient = internalClient.makeHttpClient

/**
 * The test layer: a fresh emulator plus the in-process `HttpClient` talking to it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest: (
  options?: Options & ClientOptions
) => Layer.Layer<Emulator | HttpClient.HttpClient, Signer.SignerError, Signer.Signer> = internalClient.layerTest
