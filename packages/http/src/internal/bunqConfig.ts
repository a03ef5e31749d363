/**
 * `BunqConfig`'s implementation: the defaults, the validation of `Options` into a `BunqConfig.Service` (`resolve`), and
 * the one `Config` description of the `BUNQ_*` variables (`options`). The public module holds the models, the tag and
 * the constructors.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { BunqConfig, Options, RateLimit, RateLimitInput, RateLimits, RetryPolicy } from "../BunqConfig.js"

/** @internal */
export const baseUrls: { readonly production: string; readonly sandbox: string } = {
  production: "https://api.bunq.com/v1",
  sandbox: "https://public-api.sandbox.bunq.com/v1"
}

/** @internal */
export const defaultUserAgent: string = "effect-bunq/0.1.0"

/** @internal */
export const classicRateLimits: RateLimits = {
  GET: { limit: 3, window: Duration.seconds(3) },
  POST: { limit: 5, window: Duration.seconds(3) },
  PUT: { limit: 2, window: Duration.seconds(3) },
  DELETE: { limit: 2, window: Duration.seconds(3) },
  sessionServer: { limit: 1, window: Duration.seconds(30) }
}

/** @internal */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelay: Duration.seconds(1),
  factor: 2,
  maxDelay: Duration.seconds(10)
}

/** @internal */
export const defaultMaxResponseBytes: number = 64 * 1024 * 1024

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

/** @internal */
export const resolve = (options: Options): Either.Either<BunqConfig.Service, Invalid> => {
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
    // the given buckets over bunq's; each one checked, then its window decoded in place
    const buckets: Record<string, RateLimit | RateLimitInput | undefined> = {
      ...classicRateLimits,
      ...options.rateLimits
    }
    for (const [name, bucket] of Object.entries(buckets)) {
      if (bucket === undefined) continue
      if (!Number.isInteger(bucket.limit) || bucket.limit < 1) {
        return Either.left(["rateLimits", `rateLimits.${name}.limit must be an integer >= 1`])
      }
      buckets[name] = { limit: bucket.limit, window: Duration.decode(bucket.window) }
      // at least one bucket limits: otherwise there is no limiter at all
      rateLimits = buckets as unknown as RateLimits
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
    rateLimits,
    retry: retry === undefined || retry.maxAttempts <= 1 ? undefined : retry,
    allowUnsignedErrors: options.allowUnsignedErrors ?? false,
    requireRequestIdEcho: options.requireRequestIdEcho ?? false,
    maxResponseBytes
  })
}

/** @internal */
export const options = (defaults: Options = {}, overrides: Options = {}): Config.Config<Options> =>
  Config.all({
    environment: Config.option(Config.literal("sandbox", "production")("BUNQ_ENVIRONMENT")),
    baseUrl: Config.option(Config.string("BUNQ_BASE_URL")),
    userAgent: Config.option(Config.nonEmptyString("BUNQ_USER_AGENT")),
    language: Config.option(Config.nonEmptyString("BUNQ_LANGUAGE")),
    region: Config.option(Config.nonEmptyString("BUNQ_REGION")),
    geolocation: Config.option(Config.nonEmptyString("BUNQ_GEOLOCATION")),
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

const definedOnly = (value: Options): Options =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Options

/** The variable an option is read from, for `ConfigError` paths. */
const envNames: Partial<Record<keyof Options, string>> = {
  baseUrl: "BUNQ_BASE_URL",
  retry: "BUNQ_RETRY_MAX_ATTEMPTS",
  rateLimits: "BUNQ_RATE_LIMIT",
  maxResponseBytes: "BUNQ_MAX_RESPONSE_BYTES"
}
