/**
 * What every subcommand shares: the global options (the root `bunq` command), the handler that resolves settings and
 * reports failures in one line, `withApi` (run with the API context), `idArg`, and `secretOptions` /
 * `requireSecret` for a secret given by file, standard input, variable or (with a warning) argv.
 *
 * @internal
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { render, UsageError } from "./errors.js"
import * as Output from "./output.js"
import {
  apiKeyNames,
  apiLayer,
  argvSecretWarning,
  passphraseNames,
  Recorder,
  requireApiKey,
  resolve,
  resolveSecret,
  type SecretNames,
  type Settings
} from "./settings.js"

/**
 * An optional text option with its placeholder and help line (`--client-id ID`): how most options are declared.
 *
 * @internal
 */
export const optionalText = (name: string, pseudoName: string, description: string) =>
  Options.text(name).pipe(Options.withPseudoName(pseudoName), Options.withDescription(description), Options.optional)

/**
 * The two options of one secret: the plain one (`--api-key KEY`, visible in `ps`: the help says so) and the file one
 * (`--api-key-file FILE`, `-` for standard input).
 *
 * @internal
 */
export const secretOptions = (
  names: SecretNames,
  help: {
    /** The plain option's placeholder (`KEY`). */
    readonly pseudoName: string
    /** What the plain option is, as the start of its help line (`The API key`). */
    readonly description: string
    /** The secret after "Read" in the file option's help line (`the API key`). */
    readonly read: string
  }
) => ({
  plain: Options.redacted(names.plain.replace(/^--/, "")).pipe(
    Options.withPseudoName(help.pseudoName),
    Options.withDescription(
      `${help.description} (visible in ps and shell history: prefer ${names.file}). Env: ${names.env}`
    ),
    Options.optional
  ),
  file: optionalText(
    names.file.replace(/^--/, ""),
    "FILE",
    `Read ${help.read} from FILE, or from standard input with -`
  )
})

/**
 * A secret a subcommand needs (not one of the global ones): from its file option, its plain option (with the argv
 * warning on stderr) or its variable; none of them is a usage error naming the safe forms.
 *
 * @internal
 */
export const requireSecret = (
  plain: Option.Option<Redacted.Redacted<string>>,
  file: Option.Option<string>,
  names: SecretNames,
  what: string
): Effect.Effect<Redacted.Redacted<string>, UsageError> =>
  Effect.gen(function*() {
    const secret = yield* resolveSecret(plain, file, names, Redacted.make)
    if (Option.isSome(plain)) yield* Output.writeErr(argvSecretWarning(names))
    if (Option.isNone(secret)) {
      return yield* new UsageError({
        description: `no ${what}: pass ${names.file} FILE (- for standard input) or set ${names.env}`
      })
    }
    return secret.value
  })

// ---------------------------------------------------------------------------------------------------------------
// Global options
// ---------------------------------------------------------------------------------------------------------------

const apiKey = secretOptions(apiKeyNames, { pseudoName: "KEY", description: "The API key", read: "the API key" })

const passphrase = secretOptions(passphraseNames, {
  pseudoName: "TEXT",
  description: "Encrypt the context file with this passphrase",
  read: "the context file's passphrase"
})

const globalOptions = {
  baseUrl: optionalText(
    "base-url",
    "URL",
    "Any bunq-compatible base URL (e.g. http://127.0.0.1:8080/v1). Env: BUNQ_BASE_URL"
  ),
  environment: Options.choice("environment", ["sandbox", "production"]).pipe(
    Options.withDescription("bunq environment when no --base-url is given (default sandbox). Env: BUNQ_ENVIRONMENT"),
    Options.optional
  ),
  apiKey: apiKey.plain,
  apiKeyFile: apiKey.file,
  context: optionalText(
    "context",
    "FILE",
    "The context file (default ~/.config/effect-bunq/context.json). Env: BUNQ_CONTEXT_FILE"
  ),
  passphrase: passphrase.plain,
  passphraseFile: passphrase.file,
  storeKey: optionalText(
    "store-key",
    "NAME",
    "The entry in the context file to use (default: default). Env: BUNQ_CONTEXT_KEY"
  ),
  json: Options.boolean("json").pipe(Options.withDescription("Print one JSON document on stdout")),
  verbose: Options.boolean("verbose").pipe(
    Options.withDescription("Log every request on stderr (method, path, status, ids, timing; never secrets)")
  )
}

/** @internal */
export const bunq = Command.make("bunq", globalOptions)

/**
 * A failure that has been reported already; carries the exit code.
 *
 * @internal
 */
export class Reported {
  readonly _tag = "Reported"
  constructor(readonly exitCode: number) {}
}

/**
 * Run a subcommand body with the resolved settings, the output service and a request recorder; report its failure
 * (one line, or a JSON object on stderr with `--json`) and fail with `Reported`.
 *
 * @internal
 */
export const handler = <A, E, R>(
  body: (settings: Settings, args: A) => Effect.Effect<void, E, R>
) =>
(args: A) =>
  Effect.gen(function*() {
    const resolved = yield* Effect.either(resolve(yield* bunq, Redacted.make))
    if (Either.isLeft(resolved)) {
      return yield* report({ json: (yield* bunq).json }, resolved.left)
    }
    const settings = resolved.right
    for (const option of settings.argvSecrets) yield* Output.writeErr(argvSecretWarning(option))
    return yield* body(settings, args).pipe(
      Effect.provide(Layer.merge(Output.layer(settings), Recorder.Default)),
      Effect.catchAll((error) => report(settings, error))
    )
  })

/**
 * Like `handler`, for a command that needs no setting (offline: no API key, no context, nothing sent, such as `bunq
 * callback parse`): it reads only `--json` and `--verbose`, so that an unrelated setting it would not use
 * (`BUNQ_TIMEOUT=abc`, `BUNQ_ENVIRONMENT=bogus`, `--api-key-file /nonexistent`) cannot stop it. A secret given on the
 * command line is still warned about: it is in `ps` and the shell history all the same.
 *
 * @internal
 */
export const offlineHandler = <A, E, R>(body: (args: A) => Effect.Effect<void, E, R>) => (args: A) =>
  Effect.gen(function*() {
    const globals = yield* bunq
    if (Option.isSome(globals.apiKey)) yield* Output.writeErr(argvSecretWarning(apiKeyNames))
    if (Option.isSome(globals.passphrase)) yield* Output.writeErr(argvSecretWarning(passphraseNames))
    return yield* body(args).pipe(
      Effect.provide(Output.layer(globals)),
      Effect.catchAll((error) => report(globals, error))
    )
  })

/** @internal */
export const report = (settings: Pick<Settings, "json">, error: unknown): Effect.Effect<never, Reported> => {
  const rendered = render(error)
  const print = settings.json
    ? Output.writeErr(JSON.stringify(rendered.json))
    : Output.writeErr(Output.red(Output.stderrColor(), rendered.line))
  return Effect.zipRight(print, Effect.fail(new Reported(rendered.exitCode)))
}

/**
 * Run `effect` with the API context (restored, or registered and saved), with a progress line on a TTY while it
 * waits (registration, a session refresh, the client's rate limiter).
 *
 * @internal
 */
export const withApi = <A, E, R>(settings: Settings, effect: Effect.Effect<A, E, R>, label = "waiting for bunq") =>
  Effect.flatMap(
    requireApiKey(settings),
    (apiKey) => Output.withSpinner(label, Effect.provide(effect, apiLayer(settings, apiKey)))
  )

/**
 * Like `withApi`, for a body that talks to the user between its bunq calls (a confirmation): the progress line shows
 * only while the API context is built; the body puts `Output.withSpinner` around each of its own calls, never around a
 * question (a spinner redraws its line and would overwrite it).
 *
 * @internal
 */
export const withApiSteps = <A, E, R>(settings: Settings, body: Effect.Effect<A, E, R>) =>
  Effect.flatMap(
    requireApiKey(settings),
    (apiKey) =>
      Effect.scoped(
        Effect.flatMap(
          Output.withSpinner("waiting for bunq", Layer.build(apiLayer(settings, apiKey))),
          (context) => Effect.provide(body, context)
        )
      )
  )

/** A bunq object id: a positive integer, checked here so that `0` or `-1` is never sent. */
/** @internal */
export const idArg = (name: string) =>
  Args.text({ name }).pipe(
    Args.mapEffect((text) => {
      const id = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN
      return Number.isSafeInteger(id) && id >= 1
        ? Effect.succeed(id)
        : Effect.fail(HelpDoc.p(`${name} must be a positive integer, got "${text}"`))
    })
  )
