/**
 * `pnpm bench` (the generated API, `@effect-bunq/api`): how much of bunq's spec it covers, what it weighs in a
 * browser bundle, and how long `tsc` takes to check it.
 *
 * - Operations covered: the generator's `spec/coverage.json`, each program checked to exist as a function in its
 *   module; the operations left out, with the reason. Target: ≥ 470 of 480.
 * - Browser bundle: `browser/ours.ts` (the API-context app) and `browser/oursApi.ts` (the same app plus
 *   `MonetaryAccount.list` and `Payment.list`), esbuild minified, gzip -9. Targets: the app ≤ 100 KB gzipped, the
 *   two programs ≤ 15 KB more (the rest of the 711 schemas and 477 programs must be tree-shaken away).
 * - Type check: `tsc --noEmit` of the api package alone (its sources, tests and generator; the packages it depends on
 *   already built by `tsc -b`), wall time and the CPU time `tsc` reports (`--extendedDiagnostics`).
 */
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Browser from "./browser.js"

const apiDir = fileURLToPath(new URL("../../api/", import.meta.url))
const root = fileURLToPath(new URL("../../../", import.meta.url))
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

interface Coverage {
  readonly operations: number
  readonly covered: ReadonlyArray<{ readonly operationId: string; readonly module: string; readonly program: string }>
  readonly excluded: ReadonlyArray<{ readonly operationId: string; readonly reason: string }>
}

const coverage: Coverage = JSON.parse(Fs.readFileSync(Path.join(apiDir, "spec/coverage.json"), "utf8"))
const api: Record<string, Record<string, unknown>> = await import("@effect-bunq/api")
const missing = coverage.covered.filter((op) => typeof api[op.module]?.[op.program] !== "function")
const covered = coverage.covered.length - missing.length
const modules = Object.keys(api).length
const schemas = await import("@effect-bunq/api/Schemas")
const schemaCount = Object.values(schemas).filter((value) => typeof value === "function" && "ast" in value).length

console.log("== @effect-bunq/api: the generated bunq API")
console.log(
  `operations covered: ${covered} of ${coverage.operations} (target >= 470)${covered >= 470 ? "" : "  MISSED"}`
)
for (const op of missing) console.log(`  program missing: ${op.module}.${op.program} (${op.operationId})`)
for (const op of coverage.excluded) console.log(`  left out: ${op.operationId}: ${op.reason}`)
console.log(`modules: ${modules} (resource families and helpers); schemas: ${schemaCount}`)

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-api-"))
try {
  const app = await Browser.build("browser/ours.ts", Path.join(dir, "ours"))
  const withLists = await Browser.build("browser/oursApi.ts", Path.join(dir, "oursApi"))
  const added = withLists.gzipBytes - app.gzipBytes
  console.log(
    `browser bundle, API-context app: ${kb(app.gzipBytes)} gzipped (${kb(app.bytes)} minified; target <= 100 KB)${
      app.gzipBytes <= 100 * 1024 ? "" : "  MISSED"
    }`
  )
  console.log(
    `  + MonetaryAccount.list and Payment.list: ${kb(withLists.gzipBytes)} gzipped, +${kb(added)} (target <= +15 KB)${
      added <= 15 * 1024 ? "" : "  MISSED"
    }`
  )
} finally {
  Fs.rmSync(dir, { recursive: true, force: true })
}

const tsc = Path.join(root, "node_modules", ".bin", "tsc")
// the packages the api package references, built (incrementally: nothing to do when they are up to date)
spawnSync(tsc, ["-b", Path.join(root, "packages/device-server"), Path.join(root, "packages/emulator")], {
  stdio: "ignore"
})
const started = performance.now()
const checked = spawnSync(
  tsc,
  [
    "-p",
    Path.join(apiDir, "tsconfig.json"),
    "--noEmit",
    "--composite",
    "false",
    "--incremental",
    "false",
    "--extendedDiagnostics"
  ],
  { encoding: "utf8" }
)
const wall = performance.now() - started
const checkTime = /Check time:\s+([\d.]+)s/.exec(checked.stdout)?.[1]
const totalTime = /Total time:\s+([\d.]+)s/.exec(checked.stdout)?.[1]
const files = /Files:\s+(\d+)/.exec(checked.stdout)?.[1]
if (checked.status !== 0) console.log(`tsc failed:\n${checked.stdout}${checked.stderr}`)
console.log(
  `tsc --noEmit of packages/api (${files ?? "?"} files): ${(wall / 1000).toFixed(1)} s wall, tsc total ${
    totalTime ?? "?"
  } s, check ${checkTime ?? "?"} s (load ${Os.loadavg()[0]!.toFixed(2)} on ${Os.cpus().length} cores)`
)
