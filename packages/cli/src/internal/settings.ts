import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import type * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import type * as Signer from "@effect-bunq/signer/Signer"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as NodeFs from "node:fs/promises"
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
  /** The client options from the `BUNQ_*` variables (timeout, retries, rate limits, …), with the flags applied. */
  readonly config: BunqConfig.Options
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly contextFile: string
  readonly passphrase: Option.Option<Redacted.Redacted<string>>
  /** The entry in the context file (default `default`): several contexts, e.g. one per API key, can share a file. */
  readonly storeKey: string
  readonly json: boolean
  readonly verbose: boolean
  /** Secrets that came from the command line (visible in `ps` and shell history): warned about. */
  readonly argvSecrets: ReadonlyArray<SecretNames>
  /** The option that read its secret from standard input (`--api-key-file -`), if one did: stdin is used up. */
  readonly stdinSecret: Option.Option<string>
}

/** What the parser gives. @internal */
export interface RawGlobals {
  readonly baseUrl: Option.Option<string>
  readonly environment: Option.Option<BunqConfig.Environment>
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly context: Option.Option<string>
  readonly passphrase: Option.Option<Redacted.Redacted<string>>
  readonly apiKeyFile: Option.Option<string>
  readonly passphraseFile: Option.Option<string>
  readonly storeKey: Option.Option<string>
  readonly json: boolean
  readonly verbose: boolean
}

/**
 * An environment variable, read through the current `ConfigProvider` as the library reads the `BUNQ_*` settings (so
 * a test or an embedding app can give its own). Unset and empty are both none, unless `empty` is `"kept"`: for the
 * secrets, where an empty API key or passphrase is an error where it is used, not "none".
 *
 * @internal
 */
export const variable = (name: string, empty: "none" | "kept" = "none"): Effect.Effect<Option.Option<string>> =>
  Effect.orElseSucceed(
    Config.option(empty === "none" ? Config.nonEmptyString(name) : Config.string(name)),
    () => Option.none<string>()
  )

/** A `ConfigError` as one line: the variable and what is wrong with it (`BUNQ_TIMEOUT: Expected a duration …`). */
const describeConfigError = (error: ConfigError.ConfigError): string =>
  ConfigError.reduceWithContext(error, undefined, {
    andCase: (_, left: string, right: string) => `${left}; ${right}`,
    orCase: (_, left: string, right: string) => `${left}; ${right}`,
    invalidDataCase: (_, path, message) => `${path.join(".")}: ${message}`,
    missingDataCase: (_, path, message) => `${path.join(".")}: ${message}`,
    sourceUnavailableCase: (_, path, message) => `${path.join(".")}: ${message}`,
    unsupportedCase: (_, path, message) => `${path.join(".")}: ${message}`
  })

const readStdin = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk))
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    process.stdin.on("error", reject)
  })

const describeReadError = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === "ENOENT"
    ? "no such file"
    : code === "EACCES"
    ? "permission denied"
    : code === "EISDIR"
    ? "it is a directory"
    : "it cannot be read"
}

/**
 * Read a secret from a file, or from standard input for `-`. One trailing line break is dropped (what `echo` and
 * editors add); the rest is kept as written. Read errors name the option and the path, never any content.
 *
 * @internal
 */
export const readSecretFile = (
  option: string,
  path: string,
  redact: (value: string) => Redacted.Redacted<string>
): Effect.Effect<Redacted.Redacted<string>, UsageError> =>
  Effect.tryPromise({
    try: () => path === "-" ? readStdin() : NodeFs.readFile(path, "utf8"),
    catch: (error) =>
      new UsageError({
        description: `${option} ${path === "-" ? "- (standard input)" : path}: ${describeReadError(error)}`
      })
  }).pipe(Effect.map((text) => redact(text.replace(/\r?\n$/, ""))))

/**
 * The names one secret goes by: the plain option (on argv, visible in `ps`), the file option (`-` for standard
 * input) and the environment variable.
 *
 * @internal
 */
export interface SecretNames {
  readonly plain: string
  readonly file: string
  readonly env: string
}

/** @internal */
export const apiKeyNames: SecretNames = { plain: "--api-key", file: "--api-key-file", env: "BUNQ_API_KEY" }

/** @internal */
export const passphraseNames: SecretNames = {
  plain: "--passphrase",
  file: "--passphrase-file",
  env: "BUNQ_CONTEXT_PASSPHRASE"
}

/**
 * One secret from its three sources: the file option, the plain option (argv), the environment variable. Giving
 * both the file and the plain option is a usage error.
 *
 * @internal
 */
export const resolveSecret = (
  plain: Option.Option<Redacted.Redacted<string>>,
  file: Option.Option<string>,
  names: SecretNames,
  redact: (value: string) => Redacted.Redacted<string>
): Effect.Effect<Option.Option<Redacted.Redacted<string>>, UsageError> => {
  if (Option.isSome(file)) {
    return Option.isSome(plain)
      ? Effect.fail(new UsageError({ description: `give ${names.plain} or ${names.file}, not both` }))
      : Effect.asSome(readSecretFile(names.file, file.value, redact))
  }
  return Option.isSome(plain) ? Effect.succeed(plain) : Effect.map(variable(names.env, "kept"), Option.map(redact))
}

/**
 * The settings: options first, then the environment, then the defaults. Secrets may come from a file or standard
 * input (`--api-key-file`, `--passphrase-file`; `-` is stdin, for one of them at most).
 *
 * @internal
 */
export const resolve = (
  raw: RawGlobals,
  redact: (value: string) => Redacted.Redacted<string>
): Effect.Effect<Settings, UsageError> =>
  Effect.gen(function*() {
    if (Option.contains(raw.apiKeyFile, "-") && Option.contains(raw.passphraseFile, "-")) {
      return yield* new UsageError({
        description: "only one of --api-key-file and --passphrase-file can read standard input (-)"
      })
    }
    const apiKey = yield* resolveSecret(raw.apiKey, raw.apiKeyFile, apiKeyNames, redact)
    const passphrase = yield* resolveSecret(raw.passphrase, raw.passphraseFile, passphraseNames, redact)
    // Not "no passphrase": an empty one is a variable or a file that was meant to hold one. (The stores refuse it
    // too; this names where it came from.)
    if (Option.isSome(passphrase) && Redacted.value(passphrase.value) === "") {
      return yield* new UsageError({
        description: `the passphrase is empty (${passphraseNames.plain}, ${passphraseNames.file} or ` +
          `${passphraseNames.env}): give one, or none to keep the context file unencrypted`
      })
    }
    const storeKey = Option.getOrElse(
      Option.isSome(raw.storeKey) ? raw.storeKey : yield* variable("BUNQ_CONTEXT_KEY"),
      () => ApiContext.defaultStoreKey
    )
    if (storeKey.trim() === "") {
      return yield* new UsageError({ description: "--store-key must not be empty" })
    }
    if (Option.isSome(raw.baseUrl) && Either.isLeft(BunqConfig.validate({ baseUrl: raw.baseUrl.value }))) {
      return yield* new UsageError({ description: `--base-url ${raw.baseUrl.value} is not a usable URL` })
    }
    // The BUNQ_* variables through the library's one description of them; the flags win.
    const config = yield* Effect.mapError(
      BunqConfig.options({}, {
        environment: Option.getOrUndefined(raw.environment),
        baseUrl: Option.getOrUndefined(raw.baseUrl)
      }),
      (error) => new UsageError({ description: describeConfigError(error) })
    )
    const contextFile = Option.isSome(raw.context) ? raw.context.value : yield* Effect.flatMap(
      variable("BUNQ_CONTEXT_FILE"),
      Option.match({ onNone: () => BunqNode.defaultContextFile, onSome: Effect.succeed })
    )
    return {
      baseUrl: Option.fromNullable(config.baseUrl),
      environment: config.environment ?? "sandbox",
      config,
      apiKey,
      contextFile,
      passphrase,
      storeKey,
      json: raw.json,
      verbose: raw.verbose,
      argvSecrets: [
        ...(Option.isSome(raw.apiKey) ? [apiKeyNames] : []),
        ...(Option.isSome(raw.passphrase) ? [passphraseNames] : [])
      ],
      stdinSecret: Option.contains(raw.apiKeyFile, "-")
        ? Option.some(apiKeyNames.file)
        : Option.contains(raw.passphraseFile, "-")
        ? Option.some(passphraseNames.file)
        : Option.none()
    }
  })

/**
 * The warning printed when a secret was given on the command line.
 *
 * @internal
 */
export const argvSecretWarning = (names: SecretNames): string =>
  `warning: ${names.plain} on the command line can be read by other users (ps) and stays in your shell history; ` +
  `use ${names.file} FILE, ${names.file} - (standard input) or ${names.env}`

/** The base URL requests go to. @internal */
export const targetUrl = (settings: Pick<Settings, "baseUrl" | "environment">): string =>
  Option.getOrElse(settings.baseUrl, () => BunqConfig.baseUrls[settings.environment]).replace(/\/+$/, "")

/** @internal */
export const requireApiKey = (settings: Settings): Effect.Effect<Redacted.Redacted<string>, UsageError> =>
  Option.match(settings.apiKey, {
    onNone: () =>
      Effect.fail(
        new UsageError({
          description: "no API key: pass --api-key-file FILE (- for standard input) or set BUNQ_API_KEY"
        })
      ),
    onSome: (key) =>
      Redacted.value(key).trim() === ""
        ? Effect.fail(
          new UsageError({
            description: "the API key is empty: pass --api-key-file FILE (- for standard input) or set BUNQ_API_KEY"
          })
        )
        : Effect.succeed(key)
  })

/** @internal */
export const configOptions = (
  settings: Pick<Settings, "baseUrl" | "environment" | "config">,
  extra: Partial<BunqConfig.Options> = {}
): BunqConfig.Options => ({
  ...settings.config,
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
    storeKey: settings.storeKey,
    ...extra
  }).pipe(Layer.provide(httpLayer(settings)))
