/**
 * Everything a Node app needs to talk to bunq, in one layer: the Node HTTP client (`UndiciHttpClient`), the `node:crypto`
 * signer, the file context store, `BunqConfig`, `BunqClient` and the `ApiContext`.
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
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
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
   * Where the context is saved: a file path, or `false` to keep it in memory only. Default
   * `~/.config/effect-bunq/context.json`.
   */
  readonly contextFile?: string | false | undefined
  /** Encrypt the context file at rest with this passphrase (AES-256-GCM, scrypt). */
  readonly passphrase?: Redacted.Redacted<string> | undefined
}

/**
 * The default context file: `$XDG_CONFIG_HOME/effect-bunq/context.json`, or `~/.config/effect-bunq/context.json`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultContextFile = (): string =>
  NodePath.join(
    process.env.XDG_CONFIG_HOME ?? NodePath.join(NodeOs.homedir(), ".config"),
    "effect-bunq",
    "context.json"
  )

/**
 * The store a `contextFile` option names.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerContextStore = (
  options: Pick<Options, "contextFile" | "passphrase">
): Layer.Layer<ContextStore.ContextStore, never, Signer.Signer> =>
  options.contextFile === false
    ? ContextStore.layerMemory
    : NodeContextStore.layerFile({
      path: options.contextFile ?? defaultContextFile(),
      passphrase: options.passphrase
    })

const build = (
  config: Layer.Layer<BunqConfig.BunqConfig, ConfigError.ConfigError>,
  options: ApiContext.Options & Pick<Options, "contextFile" | "passphrase">
): Layer.Layer<
  Services,
  ApiContext.ApiContextError | ConfigError.ConfigError,
  HttpClient.HttpClient
> => ApiContext.layerRuntime(options, { config, signer: NodeSigner.layer, store: layerContextStore(options) })

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
> => build(BunqConfig.layer(options), options)

/**
 * All services, with `UndiciHttpClient`. Invalid options (a base URL that is not a URL) fail with
 * `ConfigError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Services, ApiContext.ApiContextError | ConfigError.ConfigError> =>
  layerWithoutHttpClient(options).pipe(Layer.provide(UndiciHttpClient.layer))

/**
 * All services with options from the environment: `BUNQ_API_KEY` (required), `BUNQ_ENVIRONMENT`, `BUNQ_BASE_URL`,
 * `BUNQ_CONTEXT_FILE`, `BUNQ_CONTEXT_PASSPHRASE`, and the other variables of `BunqConfig.config` and
 * `ApiContext.config`. `defaults` fill what the environment leaves out.
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
        contextFile: Config.option(Config.string("BUNQ_CONTEXT_FILE")),
        passphrase: Config.option(Config.redacted("BUNQ_CONTEXT_PASSPHRASE"))
      }),
      ({ context, contextFile, passphrase }) =>
        build(BunqConfig.layerConfig(defaults), {
          ...defaults,
          ...context,
          contextFile: Option.getOrElse(contextFile, () => defaults.contextFile),
          passphrase: Option.getOrElse(passphrase, () => defaults.passphrase)
        })
    )
  ).pipe(Layer.provide(UndiciHttpClient.layer))
