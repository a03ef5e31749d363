/**
 * The `bunq` command: the subcommands of `contextCommands.ts` (context), `sessionCommands.ts` (device, session,
 * user), `money.ts`, `oauth.ts` and `callback.ts`, with `sandbox`, `emulator` and `demo` here.
 *
 * @internal
 */
import * as SandboxUser from "@effect-bunq/device-server/SandboxUser"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as CallbackCommand from "./callback.js"
import { bunq, handler, offlineHandler } from "./command.js"
import { context } from "./contextCommands.js"
import { UsageError } from "./errors.js"
import * as Money from "./money.js"
import * as OAuthCommands from "./oauth.js"
import * as Output from "./output.js"
import { device, session, user } from "./sessionCommands.js"
import { clientLayer, targetUrl } from "./settings.js"

// ---------------------------------------------------------------------------------------------------------------
// sandbox, emulator, demo
// ---------------------------------------------------------------------------------------------------------------

const sandboxCreateUser = Command.make("create-user", {}).pipe(
  Command.withDescription("Create a sandbox user and print its new API key (sandbox or a custom --base-url only)"),
  Command.withHandler(handler((settings) =>
    Effect.gen(function*() {
      if (Option.isNone(settings.baseUrl) && settings.environment === "production") {
        return yield* new UsageError({ description: "sandbox create-user works against the sandbox only" })
      }
      const apiKey = yield* SandboxUser.create().pipe(Effect.provide(clientLayer(settings)))
      // The one place a secret is printed: the user asked for a new key. On stdout the key alone, so that
      // `bunq sandbox create-user > key` makes a key file; the note goes to stderr.
      yield* Output.result(
        { apiKey: Redacted.value(apiKey), baseUrl: targetUrl(settings) },
        () => Redacted.value(apiKey)
      )
      if (!settings.json) {
        yield* Output.writeErr(
          Output.dim(Output.stderrColor(), `a new sandbox API key for ${targetUrl(settings)}; keep it like a password`)
        )
      }
    })
  ))
)

const sandbox = Command.make("sandbox").pipe(
  Command.withDescription("The sandbox: create-user, top-up"),
  Command.withSubcommands([sandboxCreateUser, Money.sandboxTopUp])
)

const emulator = Command.make("emulator", {
  port: Options.integer("port").pipe(
    Options.withPseudoName("N"),
    Options.withDescription("Port to listen on, on 127.0.0.1 (0 picks a free one)"),
    Options.withDefault(8080)
  ),
  control: Options.boolean("control").pipe(
    Options.withDescription("Serve the control endpoints under /_emulator (users, log, faults, expiry, reset)")
  ),
  rateLimits: Options.boolean("rate-limits").pipe(Options.withDescription("Enforce bunq's classic rate limits"))
}).pipe(
  Command.withDescription("Run the bunq emulator until Ctrl-C"),
  Command.withHandler(handler((settings, { control, port, rateLimits }) =>
    Effect.gen(function*() {
      if (port < 0 || port > 65535) return yield* new UsageError({ description: "--port must be 0 to 65535" })
      // Loaded on demand: the emulator's modules are only needed by `emulator` and `demo`.
      const Serve = yield* Effect.promise(() => import("./serve.js"))
      return yield* Serve.serve({ port, control, rateLimits })
    })
  ))
)

const demo = Command.make("demo", {}).pipe(
  Command.withDescription(
    "A guided tour: embedded emulator (or --base-url/--api-key), sandbox user, context, devices, restore, close"
  ),
  Command.withHandler(
    handler((settings) => Effect.flatMap(Effect.promise(() => import("./demo.js")), (Demo) => Demo.run(settings)))
  )
)

/**
 * The `bunq` command.
 *
 * @internal
 */
export const command = bunq.pipe(
  Command.withDescription("The bunq API from the command line (effect-bunq)"),
  Command.withSubcommands([
    context,
    device,
    session,
    user,
    Money.account,
    Money.payment,
    Money.request,
    Money.event,
    OAuthCommands.command,
    sandbox,
    emulator,
    demo,
    CallbackCommand.command(offlineHandler),
    Money.webhook
  ])
)
