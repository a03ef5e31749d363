/**
 * What every subcommand shares: the global options (the root `bunq` command), the handler that resolves settings and
 * reports failures in one line, `withApi` (run with the API context) and `idArg`.
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
import * as Redacted from "effect/Redacted"
import { render } from "./errors.js"
import * as Output from "./output.js"
import { apiLayer, argvSecretWarning, Recorder, requireApiKey, resolve, type Settings } from "./settings.js"

// ---------------------------------------------------------------------------------------------------------------
// Global options
// ---------------------------------------------------------------------------------------------------------------

const globalOptions = {
  baseUrl: Options.text("base-url").pipe(
    Options.withPseudoName("URL"),
    Options.withDescription("Any bunq-compatible base URL (e.g. http://127.0.0.1:8080/v1). Env: BUNQ_BASE_URL"),
    Options.optional
  ),
  environment: Options.choice("environment", ["sandbox", "production"]).pipe(
    Options.withDescription("bunq environment when no --base-url is given (default sandbox). Env: BUNQ_ENVIRONMENT"),
    Options.optional
  ),
  apiKey: Options.redacted("api-key").pipe(
    Options.withPseudoName("KEY"),
    Options.withDescription("The API key (visible in ps and shell history: prefer --api-key-file). Env: BUNQ_API_KEY"),
    Options.optional
  ),
  apiKeyFile: Options.text("api-key-file").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription("Read the API key from FILE, or from standard input with -"),
    Options.optional
  ),
  context: Options.text("context").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription(
      "The context file (default ~/.config/effect-bunq/context.json). Env: BUNQ_CONTEXT_FILE"
    ),
    Options.optional
  ),
  passphrase: Options.redacted("passphrase").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription(
      "Encrypt the context file with this passphrase (prefer --passphrase-file). Env: BUNQ_CONTEXT_PASSPHRASE"
    ),
    Options.optional
  ),
  passphraseFile: Options.text("passphrase-file").pipe(
    Options.withPseudoName("FILE"),
    Options.withDescription("Read the context file's passphrase from FILE, or from standard input with -"),
    Options.optional
  ),
  storeKey: Options.text("store-key").pipe(
    Options.withPseudoName("NAME"),
    Options.withDescription("The entry in the context file to use (default: default). Env: BUNQ_CONTEXT_KEY"),
    Options.optional
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
