/**
 * `bunq oauth url` and `bunq oauth exchange`: connect a bunq user's account to an OAuth app from the command line.
 * The access token is then an API key like any other (`--api-key-file`), and every command works with it.
 */
import * as OAuth from "@effect-bunq/device-server/OAuth"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as NodeFs from "node:fs/promises"
import { handler, optionalText, requireSecret, secretOptions } from "./command.js"
import { UsageError } from "./errors.js"
import * as Output from "./output.js"
import { httpLayer, type SecretNames, type Settings, variable } from "./settings.js"

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
  code: optionalText("code", "CODE", "The code from the redirect (or give --callback)"),
  callback: optionalText(
    "callback",
    "URL",
    "The whole redirect URL: its state is checked against --state, its code is used"
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
      const secret = yield* requireSecret(
        options.clientSecret,
        options.clientSecretFile,
        clientSecretNames,
        "client secret"
      )
      const code = yield* codeOf(options)
      const token = yield* OAuth.exchange({ ...client, clientSecret: secret }, code).pipe(
        Effect.provide(httpLayer(settings))
      )
      if (Option.isSome(options.output)) {
        const path = options.output.value
        yield* Effect.tryPromise({
          try: () => NodeFs.writeFile(path, `${Redacted.value(token.accessToken)}\n`, { mode: 0o600, flag: "wx" }),
          catch: (error) =>
            new UsageError({
              description: `--output ${path}: ${
                (error as NodeJS.ErrnoException).code === "EEXIST"
                  ? "exists already (never overwritten)"
                  : "cannot be written"
              }`
            })
        })
        yield* Output.result(
          { output: path, tokenType: token.tokenType },
          (color) =>
            `${Output.green(color, "✓")} access token written to ${path}\n${
              Output.dim(color, `use it as an API key: bunq --api-key-file ${path} --store-key NAME user show`)
            }`
        )
        return
      }
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

const codeOf = (options: {
  readonly code: Option.Option<string>
  readonly callback: Option.Option<string>
  readonly state: Option.Option<string>
}): Effect.Effect<Redacted.Redacted<string>, UsageError | OAuth.OAuthError> => {
  if (Option.isSome(options.code)) {
    return Option.isSome(options.callback)
      ? Effect.fail(new UsageError({ description: "give --code or --callback, not both" }))
      : Effect.succeed(Redacted.make(options.code.value))
  }
  if (Option.isNone(options.callback)) {
    return Effect.fail(new UsageError({ description: "give --code CODE, or --callback URL with --state STATE" }))
  }
  if (Option.isNone(options.state)) {
    return Effect.fail(new UsageError({ description: "--callback needs --state (what bunq oauth url printed)" }))
  }
  return OAuth.parseCallback(options.callback.value, options.state.value)
}
