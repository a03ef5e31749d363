// Bundles the `bunq` command (src/bin.ts and, through the workspace, our packages' sources) into one self-contained ES module,
// dist/bundle/bunq.js (plus chunks loaded on demand), the published package's `bin`: effect, @effect/* and our packages are inlined, so an installed
// `bunq` loads one file (a cold start of a few hundred milliseconds instead of seconds spent resolving and compiling
// over a thousand modules) and the published CLI has no dependencies to resolve.
import * as esbuild from "esbuild"
import * as fs from "node:fs/promises"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))

await fs.rm(`${root}/dist/bundle`, { recursive: true, force: true })
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ["src/bin.ts"],
  outdir: "dist/bundle",
  entryNames: "bunq",
  chunkNames: "chunks/[name]-[hash]",
  // `bunq emulator` and `bunq demo` load the emulator on demand: separate chunks, not parsed by the other commands.
  splitting: true,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  legalComments: "eof",
  // CommonJS dependencies (undici, ws) call require() for Node built-ins.
  banner: {
    js:
      "import { createRequire as __createRequire } from \"node:module\"; const require = __createRequire(import.meta.url);"
  },
  // Native addons with JavaScript fallbacks: msgpackr-extract (msgpackr) and @parcel/watcher (not used by the CLI).
  external: ["msgpackr-extract", "@parcel/watcher"],
  logLevel: "warning"
})
