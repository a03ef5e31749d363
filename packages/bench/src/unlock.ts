/**
 * `pnpm bench` (last part): what encryption at rest costs. A saved context in a file encrypted with a passphrase
 * (AES-256-GCM under a scrypt key, N = 2^17, r = 8, p = 1: 128 MiB), opened by a fresh store (`load`: derive the
 * key, decrypt, decode) and written (`save`: a fresh salt, derive, encrypt, atomic replace), against the same file
 * without a passphrase. Every process that restores an encrypted context pays the unlock once at start.
 *
 * Printed: the median and the slowest of the rounds, and the process's peak resident memory.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as NodeContextStore from "@effect-bunq/platform-node/NodeContextStore"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const rounds = 7
const passphrase = Redacted.make("bench passphrase, not a secret")
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-unlock-"))

/** A real saved context, made against the emulator over loopback. */
const snapshot = Effect.gen(function*() {
  const emulator = yield* BunqEmulator.Emulator
  const user = yield* emulator.createSandboxUser()
  const url = yield* emulator.url
  return yield* Effect.flatMap(ApiContext.ApiContext, (context) => context.snapshot).pipe(
    Effect.provide(BunqNode.layer({ apiKey: user.apiKey, baseUrl: url, contextFile: false }))
  )
}).pipe(
  Effect.provide(BunqEmulatorServer.layer({}).pipe(Layer.provide(NodeSigner.layer)))
)

const time = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const started = performance.now()
    yield* effect
    return performance.now() - started
  })

const measure = (context: ContextStore.SavedContext, encrypted: boolean) =>
  Effect.gen(function*() {
    const path = Path.join(dir, encrypted ? "encrypted.json" : "plain.json")
    const options = encrypted ? { path, passphrase } : { path }
    const store = (effect: (store: ContextStore.ContextStore.Service) => Effect.Effect<unknown, unknown>) =>
      Effect.flatMap(ContextStore.ContextStore, effect).pipe(
        Effect.provide(NodeContextStore.layerFile(options).pipe(Layer.provide(NodeSigner.layer)))
      )
    const saves: Array<number> = []
    const loads: Array<number> = []
    for (let i = 0; i < rounds; i++) {
      saves.push(yield* time(store((s) => s.save("default", context))))
      // A fresh store each round, as a new process would open it.
      loads.push(yield* time(store((s) => Effect.filterOrDie(s.load("default"), Option.isSome, () => "not saved"))))
    }
    return { encrypted, saves, loads }
  })

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const program = Effect.gen(function*() {
  const context = yield* snapshot
  return [yield* measure(context, false), yield* measure(context, true)]
})

try {
  const runs = await Effect.runPromise(program)
  const pad = (text: string, width: number) => text.padEnd(width)
  const ms = (values: ReadonlyArray<number>) =>
    `${median(values).toFixed(1)} ms (max ${Math.max(...values).toFixed(1)})`
  const lines = [
    "",
    `Context file at rest: ${rounds} rounds each, a fresh store per load (scrypt N = 2^17, r = 8, p = 1)`,
    "",
    `${pad("file", 34)} ${pad("load (unlock + decode)", 26)} save (derive + encrypt + write)`,
    ...runs.map((run) =>
      `${pad(run.encrypted ? "encrypted (passphrase)" : "plain (no passphrase)", 34)} ${pad(ms(run.loads), 26)} ${
        ms(run.saves)
      }`
    ),
    `peak resident memory of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
    ""
  ]
  process.stdout.write(lines.join("\n") + "\n")
} finally {
  Fs.rmSync(dir, { recursive: true, force: true })
}
