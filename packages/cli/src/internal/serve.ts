import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Output from "./output.js"

/**
 * `bunq emulator`: serve the emulator on 127.0.0.1 until interrupted (Ctrl-C).
 *
 * @internal
 */
export const serve = (options: {
  readonly port: number
  readonly control: boolean
  readonly rateLimits: boolean
}) =>
  Effect.gen(function*() {
    const emulator = yield* BunqEmulator.Emulator
    const url = yield* emulator.url
    yield* Output.result(
      { url, control: options.control },
      (color) =>
        [
          `bunq emulator listening on ${Output.bold(color, url)}${
            options.control ? " (control endpoints under /_emulator)" : ""
          }`,
          Output.dim(color, `create a user:  bunq --base-url ${url} sandbox create-user`),
          Output.dim(color, "Press Ctrl-C to stop.")
        ].join("\n")
    )
    return yield* Effect.never
  }).pipe(
    Effect.provide(
      BunqEmulatorServer.layer({
        port: options.port,
        control: options.control,
        ...(options.rateLimits ? { rateLimits: BunqEmulator.bunqRateLimits } : {})
      }).pipe(Layer.provide(NodeSigner.layer))
    )
  )
