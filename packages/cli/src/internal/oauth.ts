/**
 * `bunq oauth url` and `bunq oauth exchange`: connect a bunq user's account to an OAuth app from the command line.
 * The access token is then an API key like any other (`--api-key-file`), and every command works with it.
 *
 * A code works once: `exchange` checks everything it can before it spends it. The `--output` file is created
 * (exclusively, 0600) before the exchange and removed when the exchange fails, so a file that exists or cannot be
 * written never costs the code and the token.
 */
import * as OAuth from "@effect-bunq/device-server/OAuth"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as NodeFs from "node:fs/promises"
import { handler, optionalText, requireSecret, secretOptions } from "./command.js"
import { CliError, UsageError } from "./errors.js"
import * as Output from "./output.js"
import { httpLayer, readSecretFile, type SecretNames, type Settings, variable } from "./settings.js"

const clientSecretNames: SecretNames = {
  plain: "--client-secret",
  file: "--client-secret-file",
  env: "BUNQ_OAUTH_CLIENT_SECRET"
}

const clientSecret = secretOptions(clientSecretNames, {
  pseudoName: "SECRET",
  description: "The client secret",
  read: "the client secret"
})

const clientOptions = {
  clientId: optionalText("client-id", "ID", "The OAuth client id. Env: BUNQ_OAUTH_CLIENT_ID"),
  redirectUri: optionalText("redirect-uri", "URI", "One of the client's redirect URIs. Env: BUNQ_OAUTH_REDIRECT_URI"),
  oauthUrl: optionalText(
    "oauth-url",
    "URL",
    "The OAuth server's base URL when it is not bunq's (the emulator: http://127.0.0.1:8080/oauth); needed with --base-url"
  ),
  tokenRequest: Options.choice("token-request", ["query", "form"]).pipe(
    Options.withDescription(
      "How the code is sent: query (api.oauth.bunq.com/v1/token, default) or form (oauth.bunq.com/token)"
    ),
    Options.withDefault("query" as const)
  )
}

const fromEnv = (option: Option.Option<string>, name: string, flag: string) =>
  Effect.flatMap(
    Option.isSome(option) ? Effect.succeed(option) : variable(name),
    Option.match({
      onNone: () => Effect.fail(new UsageError({ description: `${flag} is required (or set ${name})` })),
      onSome: Effect.succeed
    })
  )

const endpointsOf = (
  settings: Settings,
  oauthUrl: Option.Option<string>,
  tokenRequest: OAuth.TokenRequest
): Effect.Effect<OAuth.Endpoints, UsageError> => {
  if (Option.isSome(oauthUrl)) {
    if (!URL.canParse(oauthUrl.value)) {
      return Effect.fail(new UsageError({ description: `--oauth-url ${oauthUrl.value} is not a URL` }))
    }
    return Effect.succeed(OAuth.customEndpoints(oauthUrl.value, tokenRequest))
  }
  if (Option.isSome(settings.baseUrl)) {
    return Effect.fail(
      new UsageError({ description: "with --base-url, give --oauth-url too (where that server's OAuth endpoints are)" })
    )
  }
  return Effect.succeed(OAuth.endpoints(settings.environment, tokenRequest))
}

const clientOf = (
  settings: Settings,
  options: {
    readonly clientId: Option.Option<string>
    readonly redirectUri: Option.Option<string>
    readonly oauthUrl: Option.Option<string>
    readonly tokenRequest: OAuth.TokenRequest
  }
) =>
  Effect.all({
    clientId: fromEnv(options.clientId, "BUNQ_OAUTH_CLIENT_ID", "--client-id"),
    redirectUri: fromEnv(options.redirectUri, "BUNQ_OAUTH_REDIRECT_URI", "--redirect-uri"),
    endpoints: endpointsOf(settings, options.oauthUrl, options.tokenRequest)
  })

const url = Command.make("url", clientOptions).pipe(
  Command.withDescription("Print the authorization URL to send a bunq user to, and the state to check on return"),
  Command.withHandler(handler((settings, options) =>
    Effect.gen(function*() {
      const client = yield* clientOf(settings, options)
      const authorization = yield* OAuth.authorize(client)
      yield* Output.result(
        { url: authorization.url, state: authorization.state },
        (color) =>
          `${authorization.url}\n${
            Output.dim(color, `state ${authorization.state}: check it on the redirect (bunq oauth exchange --state)`)
          }`
      )
    })
  ))
)

const exchange = Command.make("exchange", {
  ...clientOptions,
  code: optionalText(
    "code",
    "CODE",
    "The code from the redirect (or give --callback); - reads it from standard input (not visible in ps)"
  ),
  callback: optionalText(
    "callback",
    "URL",
    "The whole redirect URL (or the path with its query): its state is checked against --state, its code is used; " +
      "- reads it from standard input (not visible in ps: preferred)"
  ),
  state: optionalText("state", "STATE", "The state `bunq oauth url` printed (with --callback)"),
  clientSecret: clientSecret.plain,
  clientSecretFile: clientSecret.file,
  output: optionalText(
    "output",
    "FILE",
    "Write the access token to FILE (created with mode 0600; never overwritten) instead of stdout"
  )
}).pipe(
  Command.withDescription(
    "Exchange the code for an access token: print it, or write it to --output; then use it as --api-key-file"
  ),
  Command.withHandler(handler((settings, options) =>
    Effect.gen(function*() {
      const client = yield* clientOf(settings, options)
      const stdinReaders = [
        ...(Option.contains(options.clientSecretFile, "-") ? [clientSecretNames.file] : []),
        ...(Option.contains(options.code, "-") ? ["--code"] : []),
        ...(Option.contains(options.callback, "-") ? ["--callback"] : [])
      ]
      if (stdinReaders.length > 1) {
        return yield* new UsageError({
          description: `only one of ${stdinReaders.join(", ")} can read standard input (-)`
        })
      }
      const secret = yield* requireSecret(
        options.clientSecret,
        options.clientSecretFile,
        clientSecretNames,
        "client secret"
      )
      // Not sent: bunq would spend the code on it. (An empty variable or file that was meant to hold the secret.)
      if (Redacted.value(secret).trim() === "") {
        return yield* new UsageError({
          description: `the client secret is empty (${clientSecretNames.plain}, ${clientSecretNames.file} or ` +
            `${clientSecretNames.env}): give the OAuth client's secret`
        })
      }
      const code = yield* codeOf(options)
      const exchanged = OAuth.exchange({ ...client, clientSecret: secret }, code).pipe(
        Effect.provide(httpLayer(settings))
      )
      if (Option.isSome(options.output)) {
        const path = options.output.value
        const tokenType = yield* Effect.scoped(Effect.gen(function*() {
          // Before the exchange: a file that exists or cannot be created must not cost the code.
          const file = yield* createOutput(path)
          const removeOnFailure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
            Effect.onExit(effect, (exit) => Exit.isFailure(exit) ? removeOutput(path) : Effect.void)
          const token = yield* removeOnFailure(exchanged)
          yield* removeOnFailure(Effect.tryPromise({
            try: () => file.writeFile(`${Redacted.value(token.accessToken)}\n`),
            catch: () =>
              new CliError({
                description: `--output ${path}: the access token could not be written, and the code is spent; ` +
                  "start again with bunq oauth url"
              })
          }))
          return token.tokenType
        }))
        yield* Output.result(
          { output: path, tokenType },
          (color) =>
            `${Output.green(color, "✓")} access token written to ${path}\n${
              Output.dim(color, `use it as an API key: bunq --api-key-file ${path} --store-key NAME user show`)
            }`
        )
        return
      }
      const token = yield* exchanged
      // The user asked for the token: the one place it is printed.
      yield* Output.result(
        { accessToken: Redacted.value(token.accessToken), tokenType: token.tokenType },
        (color) =>
          `${Redacted.value(token.accessToken)}\n${
            Output.dim(color, "an access token: use it as an API key (keep it like a password)")
          }`
      )
    })
  ))
)

/** `bunq oauth`. @internal */
export const command = Command.make("oauth").pipe(
  Command.withDescription("OAuth: url, exchange (connect a bunq user's account to your app)"),
  Command.withSubcommands([url, exchange])
)

/**
 * Create the `--output` file: exclusively (an existing file or symbolic link is never followed or replaced), mode
 * 0600, open until the scope closes.
 */
const createOutput = (path: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => NodeFs.open(path, "wx", 0o600),
      catch: (error) =>
        new UsageError({
          description: `--output ${path}: ${describeCreateError(error)}; nothing was sent, the code is unused`
        })
    }),
    (file) => Effect.promise(() => file.close().catch(() => undefined))
  )

const removeOutput = (path: string) => Effect.promise(() => NodeFs.unlink(path).catch(() => undefined))

const describeCreateError = (error: unknown): string => {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case "EEXIST":
      return "exists already (never overwritten)"
    case "ENOENT":
      return "its directory does not exist"
    case "EACCES":
    case "EPERM":
      return "permission denied"
    case "EISDIR":
      return "it is a directory"
    default:
      return "cannot be created"
  }
}

/** `--code` or `--callback`, each from standard input for `-`. */
const codeOf = (options: {
  readonly code: Option.Option<string>
  readonly callback: Option.Option<string>
  readonly state: Option.Option<string>
}): Effect.Effect<Redacted.Redacted<string>, UsageError | OAuth.OAuthError> => {
  const read = (option: string, value: string) =>
    value === "-"
      ? Effect.map(readSecretFile(option, "-", Redacted.make), trimmed)
      : Effect.succeed(Redacted.make(value))
  if (Option.isSome(options.code)) {
    return Option.isSome(options.callback)
      ? Effect.fail(new UsageError({ description: "give --code or --callback, not both" }))
      : read("--code", options.code.value)
  }
  if (Option.isNone(options.callback)) {
    return Effect.fail(new UsageError({ description: "give --callback URL with --state STATE, or --code CODE" }))
  }
  if (Option.isNone(options.state)) {
    return Effect.fail(new UsageError({ description: "--callback needs --state (what bunq oauth url printed)" }))
  }
  const state = options.state.value
  return Effect.flatMap(
    read("--callback", options.callback.value),
    (callback) => OAuth.parseCallback(Redacted.value(callback), state)
  )
}

const trimmed = (text: Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.make(Redacted.value(text).trim())
