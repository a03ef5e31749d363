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
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

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
export const baseUrls: { readonly production: string; readonly sandbox: string } = {
  production: "https://api.bunq.com/v1",
  sandbox: "https://public-api.sandbox.bunq.com/v1"
}

/**
 * The default `User-Agent`: this library's name and version.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultUserAgent: string = "effect-bunq/0.1.0"

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
export const classicRateLimits: RateLimits = {
  GET: { limit: 3, window: Duration.seconds(3) },
  POST: { limit: 5, window: Duration.seconds(3) },
  PUT: { limit: 2, window: Duration.seconds(3) },
  DELETE: { limit: 2, window: Duration.seconds(3) },
  sessionServer: { limit: 1, window: Duration.seconds(30) }
}

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
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelay: Duration.seconds(1),
  factor: 2,
  maxDelay: Duration.seconds(10)
}

/**
 * The default cap on a response body: 64 MiB. bunq's largest answers are exports (statements, attachments), a few
 * MiB each; the cap keeps a misbehaving server or proxy from filling memory before the signature check.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxResponseBytes: number = 64 * 1024 * 1024

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
     * without one fails as soon as it grows past the cap (`TransportError` `TooLarge`).
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

/** Whether a URL host is this machine: `localhost` (and `*.localhost`), `127.0.0.0/8`, `::1`. */
const isLoopbackHost = (hostname: string): boolean =>
  hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]" ||
  /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

// The messages never repeat the URL: it may hold credentials.
const normalizeBaseUrl = (input: string, allowInsecureHttp: boolean): Either.Either<string, string> => {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return Either.left("is not a URL")
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return Either.left("must be an http: or https: URL")
  if (url.username !== "" || url.password !== "") {
    return Either.left("must not contain credentials (user:password@): bunq authenticates with its own headers")
  }
  if (url.protocol === "http:" && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    return Either.left(
      `must be https: for ${url.hostname} (http: is allowed for loopback hosts only, unless allowInsecureHttp is set)`
    )
  }
  if (url.search !== "" || url.hash !== "") return Either.left("must not have a query or fragment")
  return Either.right(url.toString().replace(/\/+$/, ""))
}

/** An invalid option: which one, and why. */
type Invalid = readonly [option: keyof Options, message: string]

const resolve = (options: Options): Either.Either<BunqConfig.Service, Invalid> => {
  const base = options.baseUrl === undefined
    ? Either.right(baseUrls[options.environment ?? "sandbox"])
    : normalizeBaseUrl(options.baseUrl, options.allowInsecureHttp ?? false)
  if (Either.isLeft(base)) return Either.left(["baseUrl", `base URL ${base.left}`])
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes
  if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
    return Either.left(["maxResponseBytes", "maxResponseBytes must be a positive integer (bytes)"])
  }
  const retryInput = options.retry === false ? undefined : options.retry ?? {}
  const retry: RetryPolicy | undefined = retryInput === undefined ? undefined : {
    maxAttempts: retryInput.maxAttempts ?? defaultRetryPolicy.maxAttempts,
    baseDelay: Duration.decode(retryInput.baseDelay ?? defaultRetryPolicy.baseDelay),
    factor: retryInput.factor ?? defaultRetryPolicy.factor,
    maxDelay: Duration.decode(retryInput.maxDelay ?? defaultRetryPolicy.maxDelay)
  }
  if (retry !== undefined && (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1)) {
    return Either.left(["retry", "retry.maxAttempts must be an integer >= 1"])
  }
  let rateLimits: RateLimits | undefined
  if (options.rateLimits !== false) {
    const buckets: Record<string, RateLimit | undefined> = { ...classicRateLimits }
    for (const [name, bucket] of Object.entries(options.rateLimits ?? {})) {
      buckets[name] = bucket === undefined ? undefined : { limit: bucket.limit, window: Duration.decode(bucket.window) }
    }
    rateLimits = buckets as unknown as RateLimits
  }
  if (rateLimits !== undefined) {
    for (const [name, bucket] of Object.entries(rateLimits)) {
      if (bucket !== undefined && (!Number.isInteger(bucket.limit) || bucket.limit < 1)) {
        return Either.left(["rateLimits", `rateLimits.${name}.limit must be an integer >= 1`])
      }
    }
  }
  return Either.right({
    environment: options.baseUrl === undefined ? options.environment ?? "sandbox" : "custom",
    baseUrl: base.right,
    userAgent: options.userAgent ?? defaultUserAgent,
    language: options.language ?? "en_US",
    region: options.region ?? "nl_NL",
    geolocation: options.geolocation ?? "0 0 0 0 000",
    timeout: Duration.decode(options.timeout ?? Duration.seconds(30)),
    rateLimits: rateLimits?.GET === undefined && rateLimits?.POST === undefined && rateLimits?.PUT === undefined &&
        rateLimits?.DELETE === undefined && rateLimits?.sessionServer === undefined
      ? undefined
      : rateLimits,
    retry: retry === undefined || retry.maxAttempts <= 1 ? undefined : retry,
    allowUnsignedErrors: options.allowUnsignedErrors ?? false,
    requireRequestIdEcho: options.requireRequestIdEcho ?? false,
    maxResponseBytes
  })
}

/**
 * Resolve options into a configuration, filling in the defaults. Throws on an invalid base URL or limit: those are
 * programming errors in code-supplied options (use `layerConfig` for user input).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): BunqConfig.Service =>
  Either.getOrThrowWith(resolve(options), ([, message]) => new Error(`BunqConfig: ${message}`))

/**
 * Resolve options into a configuration; an invalid base URL or limit (options that came from a user: a CLI flag, a
 * settings page) is a `ConfigError` naming the option.
 *
 * @since 0.1.0
 * @category constructors
 */
export const validate = (options: Options = {}): Either.Either<BunqConfig.Service, ConfigError.ConfigError> =>
  Either.mapLeft(resolve(options), ([name, message]) => ConfigError.InvalidData([name], message))

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
export const options = (defaults: Options = {}, overrides: Options = {}): Config.Config<Options> =>
  Config.all({
    environment: Config.option(Config.literal("sandbox", "production")("BUNQ_ENVIRONMENT")),
    baseUrl: Config.option(Config.string("BUNQ_BASE_URL")),
    userAgent: Config.option(Config.string("BUNQ_USER_AGENT")),
    language: Config.option(Config.string("BUNQ_LANGUAGE")),
    region: Config.option(Config.string("BUNQ_REGION")),
    geolocation: Config.option(Config.string("BUNQ_GEOLOCATION")),
    timeout: Config.option(Config.duration("BUNQ_TIMEOUT")),
    rateLimit: Config.option(Config.boolean("BUNQ_RATE_LIMIT")),
    retryMaxAttempts: Config.option(Config.integer("BUNQ_RETRY_MAX_ATTEMPTS")),
    allowUnsignedErrors: Config.option(Config.boolean("BUNQ_ALLOW_UNSIGNED_ERRORS")),
    allowInsecureHttp: Config.option(Config.boolean("BUNQ_ALLOW_INSECURE_HTTP")),
    maxResponseBytes: Config.option(Config.integer("BUNQ_MAX_RESPONSE_BYTES"))
  }).pipe(
    Config.mapOrFail((env) => {
      const environment = Option.getOrElse(env.environment, () => defaults.environment)
      const baseUrl = Option.orElse(env.baseUrl, () =>
        // an explicit BUNQ_ENVIRONMENT beats a code default base URL
        Option.isSome(env.environment) ? Option.none() : Option.fromNullable(defaults.baseUrl))
      const retryDefaults = defaults.retry === false ? {} : defaults.retry ?? {}
      const fromEnvironment: Options = {
        ...defaults,
        environment,
        baseUrl: Option.getOrUndefined(baseUrl),
        userAgent: Option.getOrElse(env.userAgent, () => defaults.userAgent),
        language: Option.getOrElse(env.language, () => defaults.language),
        region: Option.getOrElse(env.region, () => defaults.region),
        geolocation: Option.getOrElse(env.geolocation, () => defaults.geolocation),
        timeout: Option.getOrElse(env.timeout, () => defaults.timeout),
        rateLimits: Option.match(env.rateLimit, {
          onNone: () => defaults.rateLimits,
          onSome: (on) => on ? (defaults.rateLimits === false ? undefined : defaults.rateLimits) : false
        }),
        retry: Option.match(env.retryMaxAttempts, {
          onNone: () => defaults.retry,
          onSome: (maxAttempts) => ({ ...retryDefaults, maxAttempts })
        }),
        allowUnsignedErrors: Option.getOrElse(env.allowUnsignedErrors, () => defaults.allowUnsignedErrors),
        allowInsecureHttp: Option.getOrElse(env.allowInsecureHttp, () => defaults.allowInsecureHttp),
        maxResponseBytes: Option.getOrElse(env.maxResponseBytes, () => defaults.maxResponseBytes)
      }
      const merged: Options = { ...fromEnvironment, ...definedOnly(overrides) }
      return Either.mapBoth(resolve(merged), {
        onLeft: ([name, message]) => ConfigError.InvalidData([envNames[name] ?? name], message),
        onRight: () => merged
      })
    })
  )

/**
 * Read the configuration from `BUNQ_*` variables (see `options`). `defaults` supply values for variables that are
 * not set; `overrides` win over the variables.
 *
 * @since 0.1.0
 * @category config
 */
export const config = (defaults: Options = {}, overrides: Options = {}): Config.Config<BunqConfig.Service> =>
  Config.map(options(defaults, overrides), make)

const definedOnly = (value: Options): Options =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Options

/** The variable an option is read from, for `ConfigError` paths. */
const envNames: Partial<Record<keyof Options, string>> = {
  baseUrl: "BUNQ_BASE_URL",
  retry: "BUNQ_RETRY_MAX_ATTEMPTS",
  rateLimits: "BUNQ_RATE_LIMIT",
  maxResponseBytes: "BUNQ_MAX_RESPONSE_BYTES"
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  defaults: Options = {},
  overrides: Options = {}
): Layer.Layer<BunqConfig, ConfigError.ConfigError> => Layer.effect(BunqConfig, config(defaults, overrides))
