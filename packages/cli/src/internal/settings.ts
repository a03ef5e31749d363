import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import type * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import type * as Signer from "@effect-bunq/signer/Signer"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { UsageError } from "./errors.js"
import * as Http from "./http.js"

/**
 * The global options, with the environment variables filled in.
 *
 * @internal
 */
export interface Settings {
  readonly baseUrl: Option.Option<string>
  readonly environment: BunqConfig.Environment
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly contextFile: string
  readonly passphrase: Option.Option<Redacted.Redacted<string>>
  readonly json: boolean
  readonly verbose: boolean
}

/** What the parser gives. @internal */
export interface RawGlobals {
  readonly baseUrl: Option.Option<string>
  readonly environment: Option.Option<BunqConfig.Environment>
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly context: Option.Option<string>
  readonly passphrase: Option.Option<Redacted.Redacted<string>>
  readonly json: boolean
  readonly verbose: boolean
}

const env = (name: string): Option.Option<string> => {
  const value = process.env[name]
  return value === undefined || value === "" ? Option.none() : Option.some(value)
}

/** @internal */
export const resolve = (raw: RawGlobals, redact: (value: string) => Redacted.Redacted<string>): Settings => {
  const environment = Option.getOrElse(
    Option.orElse(
      raw.environment,
      () =>
        Option.filter(
          env("BUNQ_ENVIRONMENT"),
          (e): e is BunqConfig.Environment => e === "sandbox" || e === "production"
        )
    ),
    (): BunqConfig.Environment => "sandbox"
  )
  return {
    baseUrl: Option.orElse(raw.baseUrl, () => env("BUNQ_BASE_URL")),
    environment,
    apiKey: Option.orElse(raw.apiKey, () => Option.map(env("BUNQ_API_KEY"), redact)),
    contextFile: Option.getOrElse(
      Option.orElse(raw.context, () => env("BUNQ_CONTEXT_FILE")),
      BunqNode.defaultContextFile
    ),
    passphrase: Option.orElse(raw.passphrase, () => Option.map(env("BUNQ_CONTEXT_PASSPHRASE"), redact)),
    json: raw.json,
    verbose: raw.verbose
  }
}

/** The base URL requests go to. @internal */
export const targetUrl = (settings: Pick<Settings, "baseUrl" | "environment">): string =>
  Option.getOrElse(settings.baseUrl, () => BunqConfig.baseUrls[settings.environment]).replace(/\/+$/, "")

/** @internal */
export const requireApiKey = (settings: Settings): Effect.Effect<Redacted.Redacted<string>, UsageError> =>
  Option.match(settings.apiKey, {
    onNone: () => Effect.fail(new UsageError({ description: "no API key: pass --api-key KEY or set BUNQ_API_KEY" })),
    onSome: (key) =>
      Redacted.value(key).trim() === ""
        ? Effect.fail(new UsageError({ description: "the API key is empty: pass --api-key KEY or set BUNQ_API_KEY" }))
        : Effect.succeed(key)
  })

/** @internal */
export const configOptions = (
  settings: Pick<Settings, "baseUrl" | "environment">,
  extra: Partial<BunqConfig.Options> = {}
): BunqConfig.Options => ({
  environment: settings.environment,
  ...Option.match(settings.baseUrl, { onNone: () => ({}), onSome: (baseUrl) => ({ baseUrl }) }),
  ...extra
})

/** The saved-context store the settings name (no API key needed). @internal */
export const storeLayer = (settings: Settings): Layer.Layer<ContextStore.ContextStore | Signer.Signer> =>
  BunqNode.layerContextStore({
    contextFile: settings.contextFile,
    passphrase: Option.getOrUndefined(settings.passphrase)
  }).pipe(Layer.provideMerge(NodeSigner.layer))

/** A record of every HTTP exchange of this run. @internal */
export class Recorder extends Effect.Service<Recorder>()("@effect-bunq/cli/Recorder", {
  effect: Effect.map(Ref.make<ReadonlyArray<Http.Exchange>>([]), (ref) => ({ ref }))
}) {}

/** The HTTP client of this run: node:http, recorded, logged with `--verbose`. @internal */
export const httpLayer = (settings: Pick<Settings, "verbose">) =>
  Layer.unwrapEffect(Effect.map(Recorder, ({ ref }) => Http.layer({ verbose: settings.verbose, record: ref })))

/** `BunqClient` without an API context (sandbox users). @internal */
export const clientLayer = (settings: Settings, extra: Partial<BunqConfig.Options> = {}) =>
  BunqClient.layer.pipe(
    Layer.provideMerge(Layer.mergeAll(BunqConfig.layer(configOptions(settings, extra)), NodeSigner.layer)),
    Layer.provide(httpLayer(settings))
  )

/** The full API context: restored from the context file, or registered and saved. @internal */
export const apiLayer = (
  settings: Settings,
  apiKey: Redacted.Redacted<string>,
  extra: Partial<BunqNode.Options> = {}
) =>
  BunqNode.layerWithoutHttpClient({
    ...configOptions(settings),
    apiKey,
    description: "effect-bunq cli",
    contextFile: settings.contextFile,
    passphrase: Option.getOrUndefined(settings.passphrase),
    ...extra
  }).pipe(Layer.provide(httpLayer(settings)))

/** @internal */
export const storeKey: string = ApiContext.defaultStoreKey
