/**
 * `pnpm bench`: effect-bunq (`BunqNode`) vs a hand-written baseline vs bunqJSClient 1.1.2, against one emulator
 * over loopback (in its own process), interleaved. Prints tables and writes `docs/performance.md`.
 * `BENCH_QUICK=1` for a fast smoke run (prints only; `BENCH_WRITE=1` writes `docs/performance.md` anyway).
 */
import { execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Browser from "./browser.js"
import type { Client, Target } from "./clients/types.js"
import * as Contenders from "./contenders.js"
import * as Emulator from "./emulator.js"
import * as Files from "./files.js"
import * as Phases from "./phases.js"
import * as Report from "./report.js"

const quick = process.env.BENCH_QUICK === "1"
const config = quick
  ? {
    rounds: 3,
    sequential: 20,
    concurrent: 64,
    bootstrapRounds: 2,
    bunqjsBootstrapRounds: 1,
    restoreRounds: 3,
    devices: 2000,
    warmupGets: 100,
    warmupPosts: 50
  }
  : {
    rounds: 8,
    sequential: 60,
    concurrent: 256,
    bootstrapRounds: 15,
    bunqjsBootstrapRounds: 2,
    restoreRounds: 8,
    devices: 10000,
    warmupGets: 1000,
    warmupPosts: 500
  }
/** bunqJSClient signs in JavaScript (~40× slower): it runs a fifth of the requests per batch to bound the time. */
const share = (name: Contenders.Name, n: number) => (name === "bunqJSClient" ? Math.max(4, Math.round(n / 5)) : n)
const inFlight = 16

const log = (line: string) => process.stderr.write(line + "\n")

/** Rotate the order each round so no contender always runs first (or right after the slow one). */
const rotate = <A>(items: ReadonlyArray<A>, round: number): Array<A> =>
  items.map((_, i) => items[(i + round) % items.length]!)

/** A request that has not settled after this long is counted as stalled and the batch moves on without it. */
const stallMillis = 30_000

const runBatch = async (
  label: string,
  n: number,
  concurrency: number,
  call: () => Promise<void>
): Promise<Report.Batch> => {
  const latencies: Array<number> = []
  let started = 0
  let stalled = 0
  let failed = 0
  const worker = async () => {
    // After a stall the batch stops starting requests: a client that stalls once usually stalls again.
    while (started < n && stalled === 0) {
      started++
      const t = performance.now()
      let timer: ReturnType<typeof setTimeout> | undefined
      const settled = await Promise.race([
        call().then(
          () => true as const,
          (error: unknown) => {
            // A failed request (e.g. bunqJSClient's "socket hang up" on a keep-alive socket the server is closing)
            // is counted and kept out of the latencies; the batch goes on.
            if (failed++ === 0) log(`  ${label}: a request failed: ${String((error as Error)?.message ?? error)}`)
            return "failed" as const
          }
        ),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), stallMillis)))
      ])
      clearTimeout(timer)
      if (settled === true) latencies.push(performance.now() - t)
      else if (settled === false) {
        stalled++
        log(`  ${label}: a request has not settled after ${stallMillis / 1000} s; counted as stalled, batch stopped`)
      }
    }
  }
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  const wallMillis = performance.now() - t0
  const used = process.cpuUsage(cpu)
  return { latencies, wallMillis, cpuMicros: used.user + used.system, requests: latencies.length, stalled, failed }
}

const main = async () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-bench-"))
  const started = new Date()
  log(`effect-bunq bench${quick ? " (BENCH_QUICK)" : ""}: starting the emulator`)
  const emulator = await Emulator.start()
  const target: Target = { url: emulator.url, origin: emulator.origin }
  const contenders = Contenders.names.map((name) => [name, Contenders.make(name, dir)] as const)

  try {
    // --- Signed requests -------------------------------------------------------------------------------------
    log("bootstrapping one client per contender")
    const clients = new Map<Contenders.Name, Client>()
    for (const [name, contender] of contenders) {
      clients.set(name, await contender.bootstrap(target, await emulator.createUser()))
    }
    log("warming up (JIT, connection pools)")
    for (const [name, client] of clients) {
      // Ours has the most code to compile: CPU per request keeps falling for the first ~2,000 requests.
      await runBatch(name, share(name, config.warmupGets), 1, () => client.get(client.deviceId))
      await runBatch(name, share(name, config.warmupPosts), 1, () => client.post())
    }
    const requests: Array<Report.RequestResult> = []
    for (const operation of ["GET", "POST"] as const) {
      for (const mode of ["sequential", "16 in flight"] as const) {
        const result: Report.RequestResult = { operation, mode, batches: { baseline: [], ours: [], bunqJSClient: [] } }
        for (let round = 0; round < config.rounds; round++) {
          for (const name of rotate(Contenders.names, round)) {
            if (result.batches[name].some((batch) => batch.stalled > 0)) continue
            const client = clients.get(name)!
            const call = Contenders.call(client, operation)
            const n = share(name, mode === "sequential" ? config.sequential : config.concurrent)
            result.batches[name].push(
              await runBatch(`${name} ${operation} ${mode}`, n, mode === "sequential" ? 1 : inFlight, call)
            )
          }
          await emulator.clearLog()
        }
        log(`  ${operation} ${mode}: done`)
        requests.push(result)
      }
    }

    // --- Phases of a sequential request (undici's diagnostics channels; ours and the baseline) ------------------
    log("phases of a sequential request (undici diagnostics channels)")
    const phases: Array<Report.PhaseResult> = []
    for (const operation of ["GET", "POST"] as const) {
      const result: Report.PhaseResult = { operation, timelines: { baseline: [], ours: [] } }
      for (let round = 0; round < config.rounds; round++) {
        for (const name of rotate(Phases.contenders, round)) {
          const call = Contenders.call(clients.get(name)!, operation)
          result.timelines[name].push(...(await Phases.record(config.sequential, call)))
        }
        await emulator.clearLog()
      }
      phases.push(result)
    }
    const ours = clients.get("ours")!
    const effectOps = {
      GET: await ours.effectOps!("GET", config.sequential),
      POST: await ours.effectOps!("POST", config.sequential)
    }
    for (const client of clients.values()) await client.close()

    // --- Bootstrap -------------------------------------------------------------------------------------------
    log("bootstrap (key generation + installation + device + session)")
    const bootstrap: Record<Contenders.Name, Array<number>> = { baseline: [], ours: [], bunqJSClient: [] }
    for (let round = 0; round < config.bootstrapRounds; round++) {
      for (const [name, contender] of rotate(contenders, round)) {
        if (name === "bunqJSClient" && bootstrap.bunqJSClient.length >= config.bunqjsBootstrapRounds) continue
        const apiKey = await emulator.createUser()
        const t = performance.now()
        const client = await contender.bootstrap(target, apiKey)
        bootstrap[name].push(performance.now() - t)
        await client.close()
      }
    }

    // --- Restore ---------------------------------------------------------------------------------------------
    log("restore from a saved context (+ one signed GET)")
    const restoreUsers = new Map<Contenders.Name, string>()
    for (const [name, contender] of contenders) {
      const apiKey = await emulator.createUser()
      restoreUsers.set(name, apiKey)
      await contender.prepareRestore(target, apiKey)
    }
    const restore: Record<Contenders.Name, Array<number>> = { baseline: [], ours: [], bunqJSClient: [] }
    for (let round = 0; round < config.restoreRounds; round++) {
      for (const [name, contender] of rotate(contenders, round)) {
        const t = performance.now()
        const client = await contender.restore(target, restoreUsers.get(name)!)
        restore[name].push(performance.now() - t)
        await client.close()
      }
    }

    // --- Listing -------------------------------------------------------------------------------------------
    log(`listing ${config.devices} devices, one child process per contender (--expose-gc)`)
    const listing = {} as Record<Contenders.Name, Report.Listing>
    for (const [name] of contenders) {
      const apiKey = restoreUsers.get(name)!
      await emulator.seedDevices(apiKey, config.devices)
      listing[name] = await listChild(name, dir, target.url, apiKey)
      log(`  ${name}: ${listing[name].devices} devices in ${listing[name].millis.toFixed(0)} ms`)
    }

    // --- Browser weight --------------------------------------------------------------------------------------
    log("browser bundles (esbuild, minified, gzip -9)")
    const browser = await Browser.measure(dir)

    const machine = {
      nproc: Os.cpus().length,
      cpu: Os.cpus()[0]?.model ?? "unknown",
      node: process.version,
      os: `${Os.type()} ${Os.release()}`,
      load: Os.loadavg().map((l) => l.toFixed(2)).join(" ")
    }
    const report = Report.render({
      quick,
      started,
      finished: new Date(),
      machine,
      config: { ...config, inFlight },
      requests,
      phases,
      effectOps,
      bootstrap,
      restore,
      listing,
      browser,
      commit: gitCommit()
    })
    process.stdout.write(report.console + "\n")
    const docs = fileURLToPath(new URL("../../../docs/performance.md", import.meta.url))
    if (quick && process.env.BENCH_WRITE !== "1") {
      // A smoke run's rough numbers must not replace the full run's: set BENCH_WRITE=1 to write them anyway.
      log(`BENCH_QUICK: not writing ${Path.relative(process.cwd(), docs)} (set BENCH_WRITE=1 to write it)`)
    } else {
      Fs.writeFileSync(docs, report.markdown)
      log(`wrote ${Path.relative(process.cwd(), docs)}`)
    }
  } finally {
    await emulator.close()
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

const listChild = (name: Contenders.Name, dir: string, url: string, apiKey: string): Promise<Report.Listing> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--expose-gc",
        ...Files.execArgv,
        Files.script("listChild"),
        name,
        dir,
        url,
        apiKey
      ],
      { stdio: ["ignore", "pipe", "inherit"] }
    )
    let out = ""
    child.stdout.on("data", (chunk) => (out += chunk))
    child.on("error", reject)
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`list child ${name} exited with ${code}`))
      resolve(JSON.parse(out.trim().split("\n").pop()!))
    })
  })

const gitCommit = (): string => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim()
  } catch {
    return "unknown"
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
