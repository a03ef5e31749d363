/**
 * `pnpm bench` (cold start): the published `bunq` command as a user runs it, one whole process per call. The CLI is
 * bundled first (`pnpm --filter @effect-bunq/cli build`: `dist/bundle/bunq.js`, the package's published `bin`), a
 * context is registered once against the emulator (its own process, 127.0.0.1), and then `bunq user show --json`
 * restores that context from its file and sends `GET /user/{id}`, each time in a fresh `node` process. The baseline
 * is the same bare request from `node -e`: read the context file, one signed `node:http` GET with the session token,
 * print the body (no decoding, no response verification, no library).
 *
 * Printed: the median and slowest wall time of the whole process (spawn to exit, measured by this process), and the
 * peak resident memory of the child (its `maxrss`, from GNU time's `%M`). Targets: ≤ 0.5 s wall, ≤ 100 MiB peak.
 */
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Emulator from "./emulator.js"

const rounds = Number(process.env.BENCH_COLD_ROUNDS ?? (process.env.BENCH_QUICK === "1" ? 3 : 10))
const cliDir = fileURLToPath(new URL("../../cli/", import.meta.url))
const bin = Path.join(cliDir, "dist", "bundle", "bunq.js")
const gnuTime = ["/usr/bin/time", "/bin/time"].find((path) => Fs.existsSync(path))

interface Run {
  readonly millis: number
  readonly peakMiB: number | undefined
  readonly stdout: string
}

/** One whole process: wall time from spawn to exit, and its peak RSS when GNU time is there to read it. */
const measure = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): Run => {
  const rss = Path.join(dir, "rss")
  const [command, args] = gnuTime === undefined
    ? ["node", argv]
    : [gnuTime, ["-f", "%M", "-o", rss, "node", ...argv]]
  const started = performance.now()
  const result = spawnSync(command, args, { encoding: "utf8", env })
  const millis = performance.now() - started
  if (result.status !== 0) {
    throw new Error(`node ${argv.slice(0, 1).join(" ")} … exited ${result.status}: ${result.stderr.trim()}`)
  }
  const peakMiB = gnuTime === undefined ? undefined : Number(Fs.readFileSync(rss, "utf8").trim()) / 1024
  return { millis, peakMiB, stdout: result.stdout }
}

// The bare request, with nothing but Node: the session and key from the saved context file (plain JSON, store key
// "default"), the headers bunq requires and the signature over the (empty) body, the response printed as it arrives.
const baselineScript = `
const http = require("node:http")
const crypto = require("node:crypto")
const file = JSON.parse(require("node:fs").readFileSync(process.env.CONTEXT_FILE, "utf8"))
const context = file.contexts.default
const url = new URL(process.env.BASE_URL + "/user/" + context.session.userId)
http.get(url, { headers: {
  "X-Bunq-Client-Authentication": context.session.token,
  "X-Bunq-Client-Request-Id": crypto.randomUUID(),
  "X-Bunq-Client-Signature": crypto.sign("sha256", Buffer.alloc(0), context.privateKeyPem).toString("base64"),
  "X-Bunq-Geolocation": "0 0 0 0 000", "X-Bunq-Language": "en_US", "X-Bunq-Region": "en_US",
  "Cache-Control": "no-cache", "User-Agent": "bench-baseline"
} }, (response) => {
  if (response.statusCode !== 200) { console.error("status " + response.statusCode); process.exitCode = 1 }
  response.pipe(process.stdout)
})
`

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-cold-"))
const emulator = await Emulator.start()
try {
  const build = spawnSync("pnpm", ["--silent", "build"], { cwd: cliDir, encoding: "utf8" })
  if (build.status !== 0) throw new Error(`the cli build failed: ${build.stderr}`)

  const keyFile = Path.join(dir, "api-key")
  const contextFile = Path.join(dir, "context.json")
  Fs.writeFileSync(keyFile, await emulator.createUser(), { mode: 0o600 })
  const global = ["--base-url", emulator.url, "--api-key-file", keyFile, "--context", contextFile]
  measure([bin, ...global, "context", "create"]) // registers once: every measured run restores

  const rows: Array<{ readonly name: string; readonly runs: ReadonlyArray<Run> }> = []
  const series = (name: string, run: () => Run, check: (run: Run) => void) => {
    run() // a warm-up: the file system cache holds the files, as after any earlier run
    const runs = Array.from({ length: rounds }, run)
    check(runs[0]!)
    rows.push({ name, runs })
  }
  series("bunq user show --json", () => measure([bin, ...global, "user", "show", "--json"]), (run) => {
    if (typeof JSON.parse(run.stdout).id !== "number") throw new Error(`unexpected output: ${run.stdout}`)
  })
  series(
    "baseline: node -e, one signed node:http GET",
    () => measure(["-e", baselineScript], { ...process.env, CONTEXT_FILE: contextFile, BASE_URL: emulator.url }),
    (run) => {
      if (!run.stdout.includes("\"Response\"")) throw new Error(`unexpected baseline output: ${run.stdout}`)
    }
  )
  series("bunq --help", () => measure([bin, "--help"]), (run) => {
    if (!run.stdout.includes("bunq")) throw new Error("unexpected --help")
  })

  const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  const pad = (text: string, width: number) => text.padEnd(width)
  const peak = (runs: ReadonlyArray<Run>) =>
    runs.every((run) => run.peakMiB !== undefined) ? Math.max(...runs.map((run) => run.peakMiB!)) : undefined
  const show = rows[0]!
  const wall = median(show.runs.map((run) => run.millis))
  const showPeak = peak(show.runs)
  const lines = [
    "",
    `CLI cold start: a whole process per call, ${rounds} runs each, a restored context, the emulator in its own process`,
    "",
    `${pad("process", 44)} ${pad("wall median", 12)} ${pad("wall max", 10)} peak RSS (max)`,
    ...rows.map(({ name, runs }) => {
      const millis = runs.map((run) => run.millis)
      const peakMiB = peak(runs)
      return `${pad(name, 44)} ${pad(`${median(millis).toFixed(0)} ms`, 12)} ${
        pad(`${Math.max(...millis).toFixed(0)} ms`, 10)
      } ${peakMiB === undefined ? "n/a" : `${peakMiB.toFixed(0)} MiB`}`
    }),
    "",
    `target: bunq user show --json ≤ 500 ms wall: ${wall.toFixed(0)} ms ${wall <= 500 ? "holds" : "MISSED"}`,
    `target: bunq user show --json ≤ 100 MiB peak: ${
      showPeak === undefined
        ? "not measured (no GNU time at /usr/bin/time)"
        : `${showPeak.toFixed(0)} MiB ${showPeak <= 100 ? "holds" : "MISSED"}`
    }`,
    ""
  ]
  process.stdout.write(lines.join("\n") + "\n")
} finally {
  await emulator.close()
  Fs.rmSync(dir, { recursive: true, force: true })
}
