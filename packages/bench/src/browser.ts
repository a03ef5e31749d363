/**
 * Browser weight: bundle each minimal app with esbuild (browser platform, ESM, minified, tree-shaken) and gzip it
 * (level 9). Node built-ins that bunqJSClient's dependencies import (`socks-proxy-agent` and friends) are replaced
 * by empty modules and listed: a real browser build has to stub or polyfill them, so its true size is at least this.
 */
import * as esbuild from "esbuild"
import { builtinModules } from "node:module"
import * as Path from "node:path"
import * as Zlib from "node:zlib"
import * as Files from "./files.js"

export interface Bundle {
  readonly bytes: number
  readonly gzipBytes: number
  /** Node built-ins replaced by empty modules. */
  readonly stubbed: ReadonlyArray<string>
}

export interface BrowserResult {
  readonly ours: Bundle
  readonly bunqJSClient: Bundle
  /** `@effect/platform`'s fetch client alone: the part of ours that any Effect app using `HttpClient` ships. */
  readonly floor: Bundle
}

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))

/**
 * esbuild's options for one browser app of `src/` (minified, tree-shaken, ESM, es2022), with Node built-ins replaced
 * by empty modules; each one replaced is added to `stubbed`.
 */
export const buildOptions = (entry: string, outdir: string, stubbed: Set<string>) => ({
  entryPoints: [Files.source(entry)],
  outdir,
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  logLevel: "silent",
  define: { "process.env.NODE_ENV": "\"production\"" },
  plugins: [{
    name: "stub-node-builtins",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!builtins.has(args.path)) return undefined
        stubbed.add(args.path)
        return { path: args.path, namespace: "stub" }
      })
      build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: "module.exports = {}", loader: "js" }))
    }
  }]
} satisfies esbuild.BuildOptions & { readonly write: false })

/** Gzip -9 size, the measure of every browser row. */
export const gzipBytes = (code: Uint8Array | string): number => Zlib.gzipSync(code, { level: 9 }).byteLength

/** Bundle one entry of `src/` for the browser (minified) and gzip it. */
export const build = async (entry: string, outdir: string): Promise<Bundle> => {
  const stubbed = new Set<string>()
  const result = await esbuild.build(buildOptions(entry, outdir, stubbed))
  const code = result.outputFiles.find((file) => file.path.endsWith(".js"))!.contents
  return {
    bytes: code.byteLength,
    gzipBytes: gzipBytes(code),
    stubbed: [...stubbed].sort()
  }
}

export const measure = async (dir: string): Promise<BrowserResult> => ({
  ours: await build("browser/ours.ts", Path.join(dir, "browser-ours")),
  bunqJSClient: await build("browser/bunqjs.js", Path.join(dir, "browser-bunqjs")),
  floor: await build("browser/floor.ts", Path.join(dir, "browser-floor"))
})
