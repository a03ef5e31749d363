/**
 * The signed-request rows of `pnpm bench`, quickly: `pnpm --filter @effect-bunq/bench rows [rounds] [sequential]
 * [concurrent]` (defaults 8, 60, 256; about a minute). Ours (`BunqNode.layer`) and the baseline against the emulator
 * process, each warmed up, then interleaved rounds of signed `GET /device-server/{id}` and `POST /device-server`, one
 * at a time and 16 in flight; prints the median per-round ratio ours/baseline of the time per request and of the
 * client CPU per request (the targets are ≤ 1.3× time). `pnpm bench` measures the same with more rounds, latency
 * percentiles and bunqJSClient; this is the check of a change to the request path that takes a minute, not four.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Contenders from "./contenders.js"
import * as Emulator from "./emulator.js"

const rounds = Number(process.argv[2] ?? 8)
const sequential = Number(process.argv[3] ?? 60)
const concurrent = Number(process.argv[4] ?? 256)
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-rows-"))
const emulator = await Emulator.start()
const clients = {
  baseline: await Contenders.make("baseline", dir).bootstrap(emulator, await emulator.createUser()),
  ours: await Contenders.make("ours", dir).bootstrap(emulator, await emulator.createUser())
}
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const run = async (call: () => Promise<void>, n: number, inFlight: number) => {
  const cpu = process.cpuUsage()
  const t = performance.now()
  let started = 0
  const worker = async () => {
    while (started < n) {
      started++
      await call()
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  const used = process.cpuUsage(cpu)
  return { time: (performance.now() - t) / n, cpu: (used.user + used.system) / 1000 / n }
}
for (const name of ["baseline", "ours"] as const) {
  for (let i = 0; i < 200; i++) await Contenders.call(clients[name], "GET")()
  for (let i = 0; i < 100; i++) await Contenders.call(clients[name], "POST")()
}
for (const operation of ["GET", "POST"] as const) {
  for (const inFlight of [1, 16]) {
    const time: Array<number> = []
    const cpu: Array<number> = []
    for (let r = 0; r < rounds; r++) {
      const n = inFlight === 1 ? sequential : concurrent
      const b = await run(Contenders.call(clients.baseline, operation), n, inFlight)
      const o = await run(Contenders.call(clients.ours, operation), n, inFlight)
      time.push(o.time / b.time)
      cpu.push(o.cpu / b.cpu)
    }
    console.log(
      `${operation} ${inFlight === 1 ? "sequential" : "16 in flight"}: ours/baseline time ${
        median(time).toFixed(2)
      }×, CPU ${median(cpu).toFixed(2)}×`
    )
  }
}
await clients.baseline.close()
await clients.ours.close()
await emulator.close()
Fs.rmSync(dir, { recursive: true, force: true })
