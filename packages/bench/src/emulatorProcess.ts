/**
 * The emulator in its own process (forked by `emulator.ts`), so the benchmark process measures only client CPU and
 * client memory. `BunqEmulatorServer.layer` on 127.0.0.1 (free port), rate limits off, NodeSigner for the server key.
 * Commands arrive over the IPC channel: `createUser`, `seedDevices`, `clearLog`.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"

type Command =
  | { readonly id: number; readonly op: "createUser" }
  | { readonly id: number; readonly op: "seedDevices"; readonly apiKey: string; readonly count: number }
  | { readonly id: number; readonly op: "clearLog" }

const runtime = ManagedRuntime.make(
  BunqEmulatorServer.layer({ rateLimits: false }).pipe(Layer.provide(NodeSigner.layer))
)

const run = <A>(f: (emulator: BunqEmulator.Emulator.Service) => Effect.Effect<A>): Promise<A> =>
  runtime.runPromise(Effect.flatMap(BunqEmulator.Emulator, f))

const handle = (command: Command): Promise<unknown> => {
  switch (command.op) {
    case "createUser":
      return run((e) => Effect.map(e.createSandboxUser(), (user) => Redacted.value(user.apiKey)))
    case "seedDevices":
      return run((e) => Effect.map(e.seedDevices(command.apiKey, command.count), (ids) => ids.length))
    case "clearLog":
      return run((e) => e.clearLog)
  }
}

process.on("message", (command: Command) => {
  handle(command).then(
    (result) => process.send!({ id: command.id, result }),
    (error) => process.send!({ id: command.id, error: String(error) })
  )
})
process.on("disconnect", () => {
  void runtime.dispose().then(() => process.exit(0))
})

run((e) => e.url).then((url) => process.send!({ ready: url }))
