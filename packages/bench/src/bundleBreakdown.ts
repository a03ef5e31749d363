/**
 * What each source file costs a browser app, gzipped (by hand, not part of `pnpm bench`):
 *
 *   pnpm --filter @effect-bunq/bench bundle-breakdown [entry] [--all]
 *
 * `entry` is a browser app of `src/` (default `browser/ours.ts`, the API-context app of the "Browser weight" row).
 * The app is bundled exactly as `pnpm bench` does (`Browser.buildOptions`) with a source map; each output character is
 * assigned to the source file it came from, and a file's cost is the gzip -9 size of the whole bundle minus that of
 * the bundle without its characters. That is its marginal cost: what removing its code would save, with gzip's
 * shared dictionary taken into account (the costs sum to less than the bundle). effect-bunq's files are listed;
 * `--all` adds `effect` and `@effect/*`.
 */
import { decode } from "@jridgewell/sourcemap-codec"
import * as esbuild from "esbuild"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Browser from "./browser.js"

const args = process.argv.slice(2)
const all = args.includes("--all")
const entry = args.find((arg) => !arg.startsWith("--")) ?? "browser/ours.ts"

const result = await esbuild.build({
  ...Browser.buildOptions(entry, Path.join(Os.tmpdir(), "effect-bunq-bundle-breakdown"), new Set()),
  sourcemap: "external"
})
const code = new TextDecoder().decode(result.outputFiles.find((file) => file.path.endsWith(".js"))!.contents)
const map = JSON.parse(
  new TextDecoder().decode(result.outputFiles.find((file) => file.path.endsWith(".map"))!.contents)
) as {
  readonly sources: ReadonlyArray<string>
  readonly mappings: string
}

// The source index of every character of the output (-1 where no mapping reaches): a segment's source holds until
// the next segment of the line.
const lines = code.split("\n")
const segments = decode(map.mappings)
const owner = new Int32Array(code.length).fill(-1)
let position = 0
lines.forEach((line, index) => {
  const segs = segments[index] ?? []
  let current = -1
  let next = 0
  for (let column = 0; column < line.length; column++) {
    while (next < segs.length && segs[next]![0] <= column) {
      const source = segs[next]![1]
      if (source !== undefined) current = source
      next++
    }
    owner[position + column] = current
  }
  position += line.length + 1
})

const name = (source: string): string => {
  const modules = source.lastIndexOf("node_modules/")
  if (modules >= 0) return source.slice(modules + "node_modules/".length)
  const packages = source.indexOf("packages/")
  return packages >= 0 ? source.slice(packages + "packages/".length) : source
}

const whole = Browser.gzipBytes(code)
const rows: Array<{ readonly file: string; readonly bytes: number; readonly gzip: number }> = []
map.sources.forEach((source, index) => {
  if (!all && source.includes("node_modules/")) return
  let bytes = 0
  let kept = ""
  for (let i = 0; i < code.length; i++) {
    if (owner[i] === index) bytes++
    else kept += code[i]
  }
  if (bytes === 0) return
  rows.push({ file: name(source), bytes, gzip: whole - Browser.gzipBytes(kept) })
})
rows.sort((a, b) => b.gzip - a.gzip)

const sum = rows.reduce((total, row) => total + row.gzip, 0)
const column = (value: string | number, width: number) => String(value).padStart(width)
// one write: the report is often piped to `head`
process.stdout.write(
  [
    `${entry}: ${code.length} bytes minified, ${whole} gzipped (${(whole / 1024).toFixed(1)} KB)`,
    "",
    `${column("gzip", 6)} ${column("minified", 9)}  file`,
    ...rows.map((row) => `${column(row.gzip, 6)} ${column(row.bytes, 9)}  ${row.file}`),
    `${column(sum, 6)} ${column("", 9)}  sum of the rows listed`
  ].join("\n") + "\n"
)
