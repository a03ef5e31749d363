/**
 * Builds the benchmark for `pnpm bench`: `src/main.ts` and the two scripts it forks (`emulatorProcess.ts`,
 * `listChild.ts`) are bundled by esbuild into `dist/*.js`, with the effect-bunq workspace packages inlined from their
 * TypeScript sources and every other package (`effect`, `@effect/*`, undici, bunqJSClient, esbuild) left to
 * `node_modules`. The result runs on plain `node`, the way an application ships, without tsx's loader and the source
 * maps it turns on (with source maps on, an Effect fiber that suspends around an undici request keeps far more
 * alive per young-generation collection; see "How the benchmark runs" in `docs/performance.md`).
 */
import * as esbuild from "esbuild"
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const outdir = fileURLToPath(new URL("../dist", import.meta.url))

Fs.rmSync(outdir, { recursive: true, force: true })
await esbuild.build({
  absWorkingDir: root,
  entryPoints: [
    "src/main.ts",
    "src/emulatorProcess.ts",
    "src/listChild.ts",
    "src/profile.ts",
    "src/layers.ts",
    "src/overhead.ts",
    "src/rateLimits.ts",
    "src/unlock.ts",
    "src/coldStart.ts",
    "src/api.ts",
    "src/signers.ts",
    "src/restore.ts",
    "src/ops.ts",
    "src/rows.ts",
    "src/fleet.ts",
    "src/fleetMember.ts"
  ],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  plugins: [{
    name: "external-node-modules",
    setup(build) {
      // Bare specifiers stay imports, except the workspace's own packages (whose `exports` point at `.ts`).
      build.onResolve(
        { filter: /^[^./]/ },
        (args) => args.path.startsWith("@effect-bunq/") ? undefined : { path: args.path, external: true }
      )
    }
  }]
})
