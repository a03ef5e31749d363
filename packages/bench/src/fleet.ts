/**
 * `pnpm bench` (fleet): four Node processes on one API key and one IP, each sending `FLEET_GETS` (50) signed
 * `GET /user/{id}` (one endpoint), against the emulator with bunq's rate limits on (GET 3 per 3 s per IP and
 * endpoint, `POST /session-server` 1 per 30 s). Run twice:
 *
 * - **Redis**: every process with `BUNQ_REDIS_URL` (a throwaway `redis-server` started here, loopback, no
 *   persistence): one context, one session and one rate budget for the fleet;
 * - **file**: every process with a context file of its own and the in-process limiter (separate containers, each
 *   with its own disk: what the fleet gets without Redis).
 *
 * Printed per run, from the emulator's request log and the members' reports: 429s that reached a caller (target 0),
 * 429s the emulator sent per 100 requests (target ≤ 1), the achieved GET rate against the rate bunq allows (the
 * shortest time bunq's window allows for all the GETs, `(ceil(n / 3) - 1) × 3 s`, over the time from the first GET
 * sent to the last answered; target ≥ 0.9), installations and device registrations (target 1 each), and
 * `POST /session-server` calls against the sessions used (target 1 per session).
 *
 * The emulator runs in this process; the members are plain `node` processes on the bundled `fleetMember.js`.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { startRedisServer } from "../../../scripts/redis-server.mjs"

const members = Number(process.env.FLEET_MEMBERS ?? 4)
const gets = Number(process.env.FLEET_GETS ?? 50)
const memberScript = fileURLToPath(new URL("./fleetMember.js", import.meta.url))
const limits = BunqEmulator.bunqRateLimits

interface MemberReport {
  readonly ready: number
  readonly starts: ReadonlyArray<number>
  readonly ends: ReadonlyArray<number>
  readonly tooMany: number
  readonly failed: number
  readonly firstFailure?: string
}

const runtime = ManagedRuntime.make(
  BunqEmulatorServer.layer({ rateLimits: limits }).pipe(Layer.provide(NodeSigner.layer))
)
const emulator = <A>(f: (emulator: BunqEmulator.Emulator.Service) => Effect.Effect<A>): Promise<A> =>
  runtime.runPromise(Effect.flatMap(BunqEmulator.Emulator, f))

const member = (env: NodeJS.ProcessEnv): Promise<MemberReport> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [memberScript], { env, stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout.on("data", (data: Buffer) => (out += data.toString("utf8")))
    child.once("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as MemberReport) : reject(
        new Error(`a fleet member exited with ${code}`)
      ))
  })

interface Row {
  readonly name: string
  readonly calls: number
  readonly callerTooMany: number
  readonly failed: number
  readonly serverTooMany: number
  readonly serverRequests: number
  readonly seconds: number
  readonly idealSeconds: number
  readonly installations: number
  readonly devices: number
  readonly sessionCalls: number
  readonly sessionsOk: number
}

const run = async (name: string, envFor: (index: number) => NodeJS.ProcessEnv): Promise<Row> => {
  const apiKey = await emulator((e) => Effect.map(e.createSandboxUser(), (user) => Redacted.value(user.apiKey)))
  const baseUrl = await emulator((e) => e.url)
  await emulator((e) => e.clearLog)
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    BUNQ_API_KEY: apiKey,
    BUNQ_BASE_URL: baseUrl,
    BUNQ_PERMITTED_IPS: "*",
    FLEET_GETS: String(gets)
  }
  const reports = await Promise.all(Array.from({ length: members }, (_, i) => member({ ...base, ...envFor(i) })))
  const log = await emulator((e) => e.log)
  const starts = reports.flatMap((r) => r.starts)
  const ends = reports.flatMap((r) => r.ends)
  const calls = starts.length
  const posts = (path: string) => log.filter((e) => e.method === "POST" && e.path === path)
  for (const report of reports) {
    if (report.firstFailure !== undefined) process.stderr.write(`  ${name}: ${report.firstFailure}\n`)
  }
  return {
    name,
    calls,
    callerTooMany: reports.reduce((n, r) => n + r.tooMany, 0),
    failed: reports.reduce((n, r) => n + r.failed, 0),
    serverTooMany: log.filter((e) => e.status === 429).length,
    serverRequests: log.length,
    seconds: (Math.max(...ends) - Math.min(...starts)) / 1000,
    idealSeconds: (Math.ceil(calls / limits.GET.calls) - 1) * limits.GET.seconds,
    installations: posts("/installation").filter((e) => e.status === 200).length,
    devices: posts("/device-server").filter((e) => e.status === 200).length,
    sessionCalls: posts("/session-server").length,
    sessionsOk: posts("/session-server").filter((e) => e.status === 200).length
  }
}

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-fleet-"))
const redis = await startRedisServer()
const rows: Array<Row> = []
try {
  rows.push(
    await run("Redis store + Redis limiter", () => ({
      BUNQ_REDIS_URL: redis.url,
      BUNQ_REDIS_PREFIX: "fleet-bench:",
      BUNQ_CONTEXT_PASSPHRASE: "fleet bench passphrase"
    }))
  )
  rows.push(
    await run("file store + in-process limiter", (i) => ({
      BUNQ_CONTEXT_FILE: Path.join(dir, `member-${i}`, "context.json"),
      BUNQ_CONTEXT_PASSPHRASE: "fleet bench passphrase"
    }))
  )
} finally {
  await redis.stop()
  await runtime.dispose()
  Fs.rmSync(dir, { recursive: true, force: true })
}

const pad = (text: string, width: number) => text.padEnd(width)
const header = [
  pad("run", 32),
  pad("429s at callers", 16),
  pad("429s at emulator", 17),
  pad("GET time (bunq min)", 20),
  pad("achieved/allowed", 17),
  pad("installations", 14),
  pad("devices", 8),
  "session-server calls/sessions"
].join(" ")
const lines = [
  "",
  `A fleet on one API key: ${members} processes × ${gets} signed GET /user/{id}, emulator with bunq's rate limits`,
  "(targets: 0 429s at callers, ≤ 1 429 per 100 requests at the emulator, ≥ 0.9 of the allowed rate, 1 installation,",
  "1 device, 1 session-server call per session)",
  "",
  header,
  ...rows.map((row) =>
    [
      pad(row.name, 32),
      pad(
        `${row.callerTooMany}${row.failed > row.callerTooMany ? ` (+${row.failed - row.callerTooMany} other)` : ""}`,
        16
      ),
      pad(
        `${row.serverTooMany}/${row.serverRequests} (${(100 * row.serverTooMany / row.serverRequests).toFixed(1)}/100)`,
        17
      ),
      pad(`${row.seconds.toFixed(1)} s (${row.idealSeconds} s)`, 20),
      pad((row.idealSeconds / row.seconds).toFixed(3), 17),
      pad(String(row.installations), 14),
      pad(String(row.devices), 8),
      `${row.sessionCalls}/${row.sessionsOk}`
    ].join(" ")
  ),
  ""
]
process.stdout.write(lines.join("\n") + "\n")
