/**
 * `BunqConfig`: where `BunqClient` sends requests and how it behaves — the environment (or any base URL), the values
 * of bunq's fixed headers, the request timeout, the client-side rate limits and the retry policy for `GET`.
 *
 * Build it from code with `layer(options)` or from the environment with `layerConfig()`:
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `BUNQ_ENVIRONMENT` | `sandbox` or `production` | `sandbox` |
 * | `BUNQ_BASE_URL` | any base URL (a proxy, the emulator); wins over `BUNQ_ENVIRONMENT` | the environment's URL |
 * | `BUNQ_USER_AGENT` | `User-Agent` | `effect-bunq/0.1.0` |
 * | `BUNQ_LANGUAGE` | `X-Bunq-Language` | `en_US` |
 * | `BUNQ_REGION` | `X-Bunq-Region` | `nl_NL` |
 * | `BUNQ_GEOLOCATION` | `X-Bunq-Geolocation` (`lng lat alt radius CC`) | `0 0 0 0 000` |
 * | `BUNQ_TIMEOUT` | per-attempt timeout, a duration such as `30 seconds` or `500 millis` | `30 seconds` |
 * | `BUNQ_RATE_LIMIT` | `true`/`false`: the client-side rate limiter on or off | `true` |
 * | `BUNQ_RETRY_MAX_ATTEMPTS` | attempts for a `GET` (1 turns retries off) | `4` |
 * | `BUNQ_ALLOW_UNSIGNED_ERRORS` | `true`: accept unsigned 429/5xx error bodies | `false` |
 * | `BUNQ_ALLOW_INSECURE_HTTP` | `true`: allow an `http:` base URL to a host that is not loopback | `false` |
 * | `BUNQ_MAX_RESPONSE_BYTES` | the largest response body read, in bytes | `67108864` (64 MiB) |
 *
 * The header variables (`BUNQ_USER_AGENT`, `BUNQ_LANGUAGE`, `BUNQ_REGION`, `BUNQ_GEOLOCATION`) count as unset when
 * empty: bunq never gets an empty header. Any other variable that is set must hold a usable value: an empty or
 * invalid one is a `ConfigError` naming it.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as internal from "./internal/bunqConfig.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Environment = "sandbox" | "production"

/**
 * The base URL of each bunq environment.
 *
 * @since 0.1.0
 * @category constants
 */
export const baseUrls: { readonly production: string; readonly sandbox: string } = internal.baseUrls

/**
 * The default `User-Agent`: this library's name and version.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultUserAgent: string = internal.defaultUserAgent

/**
 * At most `limit` requests within any `window` (a sliding window): a request holds its slot from when it is sent until
 * `window` after its response came back.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimit {
  readonly limit: number
  readonly window: Duration.Duration
}

/**
 * The client-side rate limits, one bucket per method category plus `POST /session-server`. A bucket set to
 * `undefined` does not limit. A `POST /session-server` takes a slot in both its own bucket and the `POST` bucket.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimits {
  readonly GET: RateLimit | undefined
  readonly POST: RateLimit | undefined
  readonly PUT: RateLimit | undefined
  readonly DELETE: RateLimit | undefined
  readonly sessionServer: RateLimit | undefined
}

/**
 * bunq's classic limits: `GET` 3 per 3 s, `POST` 5 per 3 s, `PUT` 2 per 3 s, `POST /session-server` 1 per 30 s.
 * bunq documents no `DELETE` limit; this library uses `PUT`'s (2 per 3 s), the most conservative one.
 *
 * @since 0.1.0
 * @category constants
 */
export const classicRateLimits: RateLimits = internal.classicRateLimits

/**
 * Retries for `GET` only (never `POST`, `PUT` or `DELETE`): on 429, on 5xx and on transport failures, with
 * exponential backoff `baseDelay * factor^n`, capped at `maxDelay`. `maxAttempts` counts the first attempt too.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  readonly maxAttempts: number
  readonly baseDelay: Duration.Duration
  readonly factor: number
  readonly maxDelay: Duration.Duration
}

/**
 * The default retry policy: 4 attempts, waiting 1 s, 2 s and 4 s (bunq's rate-limit windows are 3 s long).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRetryPolicy: RetryPolicy = internal.defaultRetryPolicy

/**
 * The default cap on a response body: 64 MiB. bunq's largest answers are exports (statements, attachments), a few
 * MiB each; the cap keeps a misbehaving server or proxy from filling memory before the signature check.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxResponseBytes: number = internal.defaultMaxResponseBytes

/**
 * @since 0.1.0
 * @category tags
 */
export class BunqConfig extends Context.Tag("@effect-bunq/http/BunqConfig")<BunqConfig, BunqConfig.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace BunqConfig {
  /**
   * The resolved configuration.
   *
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** `"custom"` when a base URL was given. */
    readonly environment: Environment | "custom"
    /** Without a trailing slash, e.g. `https://api.bunq.com/v1`. */
    readonly baseUrl: string
    readonly userAgent: string
    readonly language: string
    readonly region: string
    readonly geolocation: string
    /** Per attempt, covering the request and reading the response body. */
    readonly timeout: Duration.Duration
    /** `undefined`: no client-side rate limiting. */
    readonly rateLimits: RateLimits | undefined
    /** `undefined`: no retries. */
    readonly retry: RetryPolicy | undefined
    /**
     * Accept a 429 or 5xx response without `X-Bunq-Server-Signature` (it is still decoded into an `ApiError`).
     * A 429/5xx that does carry a signature is always verified. Default `false`.
     */
    readonly allowUnsignedErrors: boolean
    /**
     * Fail with `RequestIdMismatch` when the response does not echo `X-Bunq-Client-Request-Id`. Default `false`: a
     * missing echo is accepted (the header is not covered by the server signature, so its absence proves nothing),
     * while an echo that differs from the id sent is always rejected.
     */
    readonly requireRequestIdEcho: boolean
    /**
     * The largest response body read, in bytes: a larger `content-length` fails before the body is read, and a body
     * without one fails as soon as it grows past the cap (`TransportError` `TooLarge`). A compressed body
     * (`content-encoding`) is counted as the transport hands it out, decoded with `fetch`: its `content-length` is
     * the compressed size.
     */
    readonly maxResponseBytes: number
  }
}

/**
 * A `RateLimit` as given in options: the window as any duration input (`"3 seconds"`, milliseconds).
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimitInput {
  readonly limit: number
  readonly window: Duration.DurationInput
}

/**
 * Fields of a `RetryPolicy` as given in options; durations as any duration input.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicyInput {
  readonly maxAttempts?: number | undefined
  readonly baseDelay?: Duration.DurationInput | undefined
  readonly factor?: number | undefined
  readonly maxDelay?: Duration.DurationInput | undefined
}

/**
 * Options for `make` / `layer`; everything is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default `"sandbox"`. Ignored when `baseUrl` is given. */
  readonly environment?: Environment | undefined
  /**
   * Any `https:` base URL (a proxy for browsers), or an `http:` one to a loopback host (the emulator, a local proxy).
   * It must not carry credentials (`user:password@`).
   */
  readonly baseUrl?: string | undefined
  /** Allow an `http:` base URL to a host that is not loopback (plain text over the network). Default `false`. */
  readonly allowInsecureHttp?: boolean | undefined
  readonly userAgent?: string | undefined
  readonly language?: string | undefined
  readonly region?: string | undefined
  readonly geolocation?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * `false` turns the limiter off; an object overrides single buckets of `classicRateLimits` (a bucket set to
   * `undefined` is unlimited).
   */
  readonly rateLimits?: false | Partial<Record<keyof RateLimits, RateLimitInput | undefined>> | undefined
  /** `false` turns retries off; an object overrides fields of `defaultRetryPolicy`. */
  readonly retry?: false | RetryPolicyInput | undefined
  readonly allowUnsignedErrors?: boolean | undefined
  readonly requireRequestIdEcho?: boolean | undefined
  /** See `BunqConfig.Service.maxResponseBytes`. Default `defaultMaxResponseBytes` (64 MiB). */
  readonly maxResponseBytes?: number | undefined
}

/**
 * Resolve options into a configuration, filling in the defaults. Throws on an invalid base URL or limit: those are
 * programming errors in code-supplied options (use `layerConfig` for user input).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): BunqConfig.Service =>
  Either.getOrThrowWith(internal.resolve(options), ([, message]) => new Error(`BunqConfig: ${message}`))

/**
 * Resolve options into a configuration; an invalid base URL or limit (options that came from a user: a CLI flag, a
 * settings page) is a `ConfigError` naming the option.
 *
 * @since 0.1.0
 * @category constructors
 */
export const validate = (options: Options = {}): Either.Either<BunqConfig.Service, ConfigError.ConfigError> =>
  Either.mapLeft(internal.resolve(options), ([name, message]) => ConfigError.InvalidData([name], message))

/**
 * The configuration as a layer. Invalid options fail the layer with a `ConfigError` (never a defect).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<BunqConfig, ConfigError.ConfigError> =>
  Layer.effect(BunqConfig, validate(options))

/**
 * The options the `BUNQ_*` variables describe (see the module documentation), validated: `defaults` fill what the
 * environment leaves out, and `overrides` (command-line flags, say) win over it. The one `Config` description of the
 * variables: `config`, `layerConfig`, `ApiContext.layerConfig`, `BunqNode.layerConfig` and the CLI all read them
 * through it.
 *
 * @since 0.1.0
 * @category config
 */
export const options: (defaults?: Options, overrides?: Options) => Config.Config<Options> = internal.options

/**
 * Read the configuration from `BUNQ_*` variables (see `options`). `defaults` supply values for variables that are
 * not set; `overrides` win over the variables.
 *
 * @since 0.1.0
 * @category config
 */
export const config = (defaults: Options = {}, overrides: Options = {}): Config.Config<BunqConfig.Service> =>
  Config.map(options(defaults, overrides), make)

/**
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  defaults: Options = {},
  overrides: Options = {}
): Layer.Layer<BunqConfig, ConfigError.ConfigError> => Layer.effect(BunqConfig, config(defaults, overrides))
