import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import { afterAll, beforeAll } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { runtimeConformance } from "../../device-server/test/RuntimeConformance.js"

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-node-"))
const runtime = ManagedRuntime.make(BunqEmulatorServer.layer().pipe(Layer.provide(NodeSigner.layer)))
beforeAll(() => runtime.runPromise(Effect.void))
afterAll(() => runtime.dispose())

const emulator = <A>(f: (emulator: BunqEmulator.Emulator.Service) => Effect.Effect<A>) =>
  Effect.promise(() => runtime.runPromise(Effect.flatMap(BunqEmulator.Emulator, f)))

runtimeConformance(
  "BunqNode",
  {
    baseUrl: emulator((e) => e.url),
    createUser: emulator((e) => Effect.map(e.createSandboxUser(), (user) => user.apiKey)),
    log: emulator((e) => e.log),
    clearLog: emulator((e) => e.clearLog),
    expireSessions: emulator((e) => e.expireSessions),
    tamperNext: (method, path) => emulator((e) => e.injectFault({ _tag: "TamperedBody", method, path }))
  },
  (options) =>
    BunqNode.layer({
      apiKey: options.apiKey,
      baseUrl: options.baseUrl,
      contextFile: Path.join(dir, `${options.store}.json`),
      permittedIps: ["*"],
      rateLimits: false
    })
)
