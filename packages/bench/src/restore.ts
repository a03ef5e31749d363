/**
 * Where a restore's time goes: `pnpm --filter @effect-bunq/bench restore [rounds] [warm-up GETs]` (defaults 15 and
 * 1000).
 *
 * Against the emulator (in another process), each round restores the baseline and ours from their saved context
 * files (as `pnpm bench`'s restore row: from the file to the first verified `GET /device-server/{id}`), and then
 * takes ours apart: building `BunqNode.layer` (store: lock, read, parse, private key import; the API key's
 * fingerprint; the client) and the first `DeviceServer.get` (session check, signing, the server key's import, the
 * connection, verification). Prints the median of each, in ms.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Contenders from "./contenders.js"
import * as Emulator from "./emulator.js"

const rounds = Number(process.argv[2] ?? 15)
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-restore-"))
const emulator = await Emulator.start()
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const contenders = { baseline: Contenders.make("baseline", dir), ours: Contenders.make("ours", dir) }
const keys = { baseline: await emulator.createUser(), ours: await emulator.createUser() }
await contenders.baseline.prepareRestore(emulator, keys.baseline)
await contenders.ours.prepareRestore(emulator, keys.ours)
// A copy of the context ours saved (`ours-context.json`, see `clients/ours.ts`), for the phase-by-phase rounds.
// Warm up as `pnpm bench` does before its restore row (the emulator's and both clients' request paths, JIT-compiled):
// against a cold emulator every GET is slower and the ratio looks better than `pnpm bench` will report it.
const warmupGets = Number(process.argv[3] ?? 1000)
for (const name of ["baseline", "ours"] as const) {
  const client = await contenders[name].restore(emulator, keys[name])
  for (let i = 0; i < warmupGets; i++) await client.get(client.deviceId)
  await client.close()
}
const contextFile = Path.join(dir, "phases-context.json")
Fs.copyFileSync(Path.join(dir, "ours-context.json"), contextFile)
Fs.chmodSync(contextFile, 0o600)

const phases = {
  baseline: [] as Array<number>,
  ours: [] as Array<number>,
  build: [] as Array<number>,
  get: [] as Array<number>,
  second: [] as Array<number>
}
const cpus = { baseline: [] as Array<number>, ours: [] as Array<number> }
const ratios: Array<number> = []
for (let round = 0; round < rounds; round++) {
  for (const name of ["baseline", "ours"] as const) {
    const cpu = process.cpuUsage()
    const t = performance.now()
    const client = await contenders[name].restore(emulator, keys[name])
    phases[name].push(performance.now() - t)
    const used = process.cpuUsage(cpu)
    cpus[name].push((used.user + used.system) / 1000)
    await client.close()
  }
  ratios.push(phases.ours[round]! / phases.baseline[round]!)
  const runtime = ManagedRuntime.make(BunqNode.layer({
    apiKey: Redacted.make(keys.ours),
    baseUrl: emulator.url,
    contextFile,
    permittedIps: ["*"],
    description: "bench",
    rateLimits: false,
    retry: false
  }))
  const t0 = performance.now()
  const context = await runtime.runPromise(ApiContext.ApiContext)
  const t1 = performance.now()
  const deviceId = Option.getOrThrow((await runtime.runPromise(context.snapshot)).deviceId)
  const t2 = performance.now()
  await runtime.runPromise(Effect.asVoid(DeviceServer.get(deviceId)))
  const t3 = performance.now()
  await runtime.runPromise(Effect.asVoid(DeviceServer.get(deviceId)))
  const t4 = performance.now()
  phases.build.push(t1 - t0)
  phases.get.push(t3 - t2)
  phases.second.push(t4 - t3)
  await runtime.dispose()
}
const b = median(phases.baseline)
const o = median(phases.ours)
console.log(
  `restore, median of ${rounds} rounds (ms): baseline ${b.toFixed(2)}, ours ${o.toFixed(2)}; ` +
    `ours/baseline per round ${median(ratios).toFixed(2)}×; CPU ms baseline ${median(cpus.baseline).toFixed(2)}, ours ${
      median(cpus.ours).toFixed(2)
    }`
)
console.log(
  `ours: build BunqNode.layer ${median(phases.build).toFixed(2)}, first DeviceServer.get ${
    median(phases.get).toFixed(2)
  }, second ${median(phases.second).toFixed(2)}`
)
await emulator.close()
Fs.rmSync(dir, { recursive: true, force: true })
