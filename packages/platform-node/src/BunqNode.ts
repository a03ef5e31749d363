/**
 * Everything a Node app needs to talk to bunq, in one layer: the Node HTTP client (`UndiciHttpClient`), the `node:crypto`
 * signer, the file context store, `BunqConfig`, `BunqClient` and the `ApiContext`. Given a Redis URL (the `redis`
 * option, `BUNQ_REDIS_URL`), the context, the session and bunq's rate budget are shared with the other processes on
 * the same API key instead: `RedisContextStore` and `RedisRateLimiter` over one connection.
 *
 * ```ts
 * import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
 * import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
 * import { Effect, Redacted } from "effect"
 *
 * const program = DeviceServer.get(42)
 *
 * program.pipe(
 *   Effect.provide(BunqNode.layer({ apiKey: Redacted.make("sandbox_…"), environment: "sandbox" }))
 * )
 * ```
 *
 * `BunqBrowser.layer` (in `@effect-bunq/platform-browser`) provides the same services, so a program runs in either.
 *
 * @since 0.1.0
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import type * as Signer from "@effect-bunq/signer/Signer"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as NodeContextStore from "./NodeContextStore.js"
import * as NodeSigner from "./NodeSigner.js"
import * as UndiciHttpClient from "./UndiciHttpClient.js"

/**
 * The services every runtime layer provides: `ApiContext.RuntimeServices`, the same for Node and the browser.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = ApiContext.RuntimeServices

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends ApiContext.Options, BunqConfig.Options {
  /**
   * Where the context is saved: a file path, or `false` to keep it in memory only. Default `defaultContextFile`
   * (`$XDG_CONFIG_HOME/effect-bunq/context.json` or `~/.config/effect-bunq/context.json`).
   */
  readonly contextFile?: string | false | undefined
  /** Encrypt the saved context at rest with this passphrase (AES-256-GCM, scrypt), in the file or in Redis. */
  readonly passphrase?: Redacted.Redacted<string> | undefined
  /**
   * Share the context, the session and bunq's rate budget with the other processes on this API key through Redis
   * (see the "Running a fleet" guide). Without it: the context file and the in-process rate limiter.
   */
  readonly redis?: RedisOptions | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RedisOptions {
  /** `redis://[:password@]host[:port][/db]`, or `rediss://…` for TLS. */
  readonly url: Redacted.Redacted<string>
  /** Prefix of every key written. Default `"effect-bunq:"`. */
  readonly keyPrefix?: string | undefined
  /** Use TLS even with a `redis:` URL. */
  readonly tls?: boolean | undefined
  /** How long a process killed while it registers keeps the others waiting. Default 15 seconds. */
  readonly lockTtl?: Duration.DurationInput | undefined
  /**
   * How long a Redis command waits for its reply before the call fails (a Redis that hangs): `ContextStoreError`
   * `Io`, or `TransportError` `Network` for a request, which is then not sent. Default 5 seconds.
   */
  readonly commandTimeout?: Duration.DurationInput | undefined
  /** Keep the private key and tokens in Redis unencrypted when no `passphrase` is given. Default `false`. */
  readonly allowPlaintext?: boolean | undefined
}

/**
 * The default context file: `$XDG_CONFIG_HOME/effect-bunq/context.json`, or `~/.config/effect-bunq/context.json` when
 * `XDG_CONFIG_HOME` is unset or empty. The variable is read through the current `ConfigProvider`, like the `BUNQ_*`
 * variables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultContextFile: Effect.Effect<string> = Effect.map(
  Effect.orElseSucceed(Config.option(Config.nonEmptyString("XDG_CONFIG_HOME")), () => Option.none<string>()),
  (configHome) =>
    NodePath.join(
      Option.getOrElse(configHome, () => NodePath.join(NodeOs.homedir(), ".config")),
      "effect-bunq",
      "context.json"
    )
)

/**
 * The store a `contextFile` option names (the file store, or memory with `false`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerContextStore = (
  options: Pick<Options, "contextFile" | "passphrase">
): Layer.Layer<ContextStore.ContextStore, never, Signer.Signer> =>
  Layer.effect(ContextStore.ContextStore, makeContextStore(options))

/**
 * The store a `contextFile` option names, as an effect (what `layer` builds it with).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeContextStore = (
  options: Pick<Options, "contextFile" | "passphrase">
): Effect.Effect<ContextStore.ContextStore.Service, never, Signer.Signer> =>
  options.contextFile === false
    ? ContextStore.ContextStore.pipe(Effect.provide(ContextStore.layerMemory))
    : options.contextFile === undefined
    ? Effect.flatMap(defaultContextFile, (path) => NodeContextStore.makeFile({ path, passphrase: options.passphrase }))
    : NodeContextStore.makeFile({ path: options.contextFile, passphrase: options.passphrase })

type HttpClientSource = Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> | undefined

// The services are given to `ApiContext.layerRuntime` as effects, not layers: a restore then builds one layer (see
// `ApiContext.layerRuntime`). The Redis store and limiter stay layers, built in the memo map over one connection.
const build = <H extends HttpClientSource = undefined>(
  config: Effect.Effect<BunqConfig.BunqConfig.Service, ConfigError.ConfigError>,
  options: ApiContext.Options & Pick<Options, "contextFile" | "passphrase" | "redis">,
  httpClient?: H
): Layer.Layer<
  Services,
  ApiContext.ApiContextError | ConfigError.ConfigError,
  H extends undefined ? HttpClient.HttpClient : never
> => {
  type Out = Layer.Layer<
    Services,
    ApiContext.ApiContextError | ConfigError.ConfigError,
    H extends undefined ? HttpClient.HttpClient : never
  >
  const redis = options.redis
  if (redis === undefined) {
    return ApiContext.layerRuntime(options, {
      config,
      signer: NodeSigner.make,
      store: makeContextStore(options),
      httpClient
    }) as Out
  }
  // Loaded only when asked for: an app (or the bundled CLI) without Redis never loads ioredis.
  return Layer.unwrapEffect(
    Effect.map(
      Effect.promise(() => import("./internal/redisRuntime.js")),
      (module) =>
        ApiContext.layerRuntime(options, {
          config,
          signer: NodeSigner.make,
          ...module.platform(redis, options.passphrase),
          httpClient
        })
    )
  ) as Out
}

/**
 * Every service over an `HttpClient` you bring (passed through to the output), for apps with their own client (a proxy-aware one, or the emulator's
 * in-process client in tests).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutHttpClient = (
  options: Options
): Layer.Layer<
  Services,
  ApiContext.ApiContextError | ConfigError.ConfigError,
  HttpClient.HttpClient
> => build(BunqConfig.validate(options), options)

/**
 * All services, with `UndiciHttpClient`. Invalid options (a base URL that is not a URL) fail with
 * `ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Services, ApiContext.ApiContextError | ConfigError.ConfigError> =>
  // The HTTP client is made inside the one runtime layer rather than `Layer.provide`d (see `ApiContext.layerRuntime`).
  build(BunqConfig.validate(options), options, UndiciHttpClient.scoped)

/**
 * The `redis` option from the environment: `BUNQ_REDIS_URL` (turns it on), `BUNQ_REDIS_PREFIX`, `BUNQ_REDIS_TLS`,
 * `BUNQ_REDIS_LOCK_TTL` and `BUNQ_REDIS_COMMAND_TIMEOUT` (durations), `BUNQ_REDIS_ALLOW_PLAINTEXT`. An empty
 * `BUNQ_REDIS_PREFIX` counts as unset; an empty `BUNQ_REDIS_URL` fails the layer as a URL that is not one, never "no
 * Redis".
 *
 * @since 0.1.0
 * @category config
 */
export const redisConfig: Config.Config<Option.Option<RedisOptions>> = Config.all({
  url: Config.option(Config.redacted("BUNQ_REDIS_URL")),
  keyPrefix: Config.option(Config.nonEmptyString("BUNQ_REDIS_PREFIX")),
  tls: Config.option(Config.boolean("BUNQ_REDIS_TLS")),
  lockTtl: Config.option(Config.duration("BUNQ_REDIS_LOCK_TTL")),
  commandTimeout: Config.option(Config.duration("BUNQ_REDIS_COMMAND_TIMEOUT")),
  allowPlaintext: Config.option(Config.boolean("BUNQ_REDIS_ALLOW_PLAINTEXT"))
}).pipe(Config.map((env) =>
  Option.map(env.url, (url): RedisOptions => ({
    url,
    keyPrefix: Option.getOrUndefined(env.keyPrefix),
    tls: Option.getOrUndefined(env.tls),
    lockTtl: Option.getOrUndefined(env.lockTtl),
    commandTimeout: Option.getOrUndefined(env.commandTimeout),
    allowPlaintext: Option.getOrUndefined(env.allowPlaintext)
  }))
))

/**
 * All services with options from the environment: `BUNQ_API_KEY` (required), `BUNQ_ENVIRONMENT`, `BUNQ_BASE_URL`,
 * `BUNQ_CONTEXT_FILE`, `BUNQ_CONTEXT_PASSPHRASE`, the Redis variables of `redisConfig`, and the other variables of
 * `BunqConfig.config` and `ApiContext.config`. `defaults` fill what the environment leaves out. An empty
 * `BUNQ_CONTEXT_FILE` counts as unset (`defaultContextFile`); an empty `BUNQ_CONTEXT_PASSPHRASE` is not "no
 * passphrase": the store refuses it (`ContextStoreError` `Unsafe`) before anything is read, written or sent.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  defaults: Partial<Options> = {}
): Layer.Layer<Services, ApiContext.ApiContextError | ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.map(
      Config.all({
        context: ApiContext.config,
        contextFile: Config.option(Config.nonEmptyString("BUNQ_CONTEXT_FILE")),
        passphrase: Config.option(Config.redacted("BUNQ_CONTEXT_PASSPHRASE")),
        redis: redisConfig
      }),
      ({ context, contextFile, passphrase, redis }) =>
        build(BunqConfig.config(defaults), {
          ...defaults,
          ...context,
          contextFile: Option.getOrElse(contextFile, () => defaults.contextFile),
          passphrase: Option.getOrElse(passphrase, () => defaults.passphrase),
          redis: Option.getOrElse(redis, () => defaults.redis)
        }, UndiciHttpClient.scoped)
    )
  )
