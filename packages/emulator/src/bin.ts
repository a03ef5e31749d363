/**
 * Run the emulator alone: `pnpm --filter @effect-bunq/emulator start -- --port 8080`.
 *
 * Prints the base URL and a fresh sandbox API key, then serves until Ctrl-C.
 *
 * @since 0.1.0
 */
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as BunqEmulator from "./BunqEmulator.js"
import * as BunqEmulatorServer from "./BunqEmulatorServer.js"

const usage = `Usage: bunq-emulator [--port N] [--host H] [--base-path /v1] [--rate-limits] [--session-timeout SECONDS]
                     [--trust-client-ip-header] [--pretty never|always|some] [--control]

  --port N                   port to listen on (default 8080; 0 picks a free one)
  --host H                   interface (default 127.0.0.1)
  --base-path P              path prefix (default /v1)
  --rate-limits              enforce bunq's classic rate limits (default off)
  --session-timeout S        session_timeout of new users in seconds (default 604800)
  --trust-client-ip-header   take the client IP from X-Emulator-Client-Ip
  --pretty MODE              pretty-print bodies: never, always, some (default some)
  --control                  serve the control endpoints under /_emulator (users, log, faults, expiry, reset)`

interface Parsed {
  readonly options: BunqEmulatorServer.ServerOptions
  readonly help: boolean
}

const parse = (argv: ReadonlyArray<string>): Parsed | string => {
  // pnpm passes the `--` separator through: ignore it.
  const args = argv.filter((arg) => arg !== "--")
  const options: {
    -readonly [K in keyof BunqEmulatorServer.ServerOptions]: BunqEmulatorServer.ServerOptions[K]
  } = { port: 8080 }
  let help = false
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].includes("=") ? args[i].split(/=(.*)/s, 2) : [args[i], undefined]
    const value = () => inline ?? args[++i]
    switch (flag) {
      case "--port": {
        const port = Number(value())
        if (!Number.isInteger(port) || port < 0 || port > 65535) return "--port expects a number from 0 to 65535"
        options.port = port
        break
      }
      case "--control":
        options.control = true
        break
      case "--host":
        options.host = value()
        break
      case "--base-path":
        options.basePath = value()
        break
      case "--rate-limits":
        options.rateLimits = BunqEmulator.bunqRateLimits
        break
      case "--session-timeout": {
        const seconds = Number(value())
        if (!Number.isInteger(seconds) || seconds <= 0) return "--session-timeout expects a positive number"
        options.sessionTimeout = seconds
        break
      }
      case "--trust-client-ip-header":
        options.trustClientIpHeader = true
        break
      case "--pretty": {
        const mode = value()
        if (mode !== "never" && mode !== "always" && mode !== "some") return "--pretty expects never, always or some"
        options.prettyPrint = mode
        break
      }
      case "--help":
      case "-h":
        help = true
        break
      default:
        return `unknown argument: ${args[i]}`
    }
  }
  return { options, help }
}

const parsed = parse(process.argv.slice(2))

const program = typeof parsed === "string"
  ? Effect.zipRight(Console.error(`${parsed}\n\n${usage}`), Effect.sync(() => process.exit(2)))
  : parsed.help
  ? Console.log(usage)
  : Effect.gen(function*() {
    const emulator = yield* BunqEmulator.Emulator
    const url = yield* emulator.url
    const user = yield* emulator.createSandboxUser()
    yield* Console.log(`bunq emulator listening on ${url}`)
    yield* Console.log(`sandbox API key: ${Redacted.value(user.apiKey)}`)
    yield* Console.log("Press Ctrl-C to stop.")
    return yield* Effect.never
  }).pipe(
    Effect.provide(BunqEmulatorServer.layer(parsed.options).pipe(Layer.provide(WebCryptoSigner.layer)))
  )

NodeRuntime.runMain(program)
