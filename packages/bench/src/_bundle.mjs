import * as esbuild from "esbuild"
import * as Zlib from "node:zlib"
const r = await esbuild.build({
  entryPoints: [process.argv[2]],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  metafile: true,
  logLevel: "silent",
  outdir: "/tmp/bundle-out",
  define: { "process.env.NODE_ENV": "\"production\"" }
})
const code = r.outputFiles.find((f) => f.path.endsWith(".js")).contents
console.log("bytes", code.byteLength, "gzip", Zlib.gzipSync(code, { level: 9 }).byteLength)
const inputs = Object.entries(r.metafile.outputs).find(([k]) => k.endsWith(".js"))[1].inputs
const byPkg = new Map()
for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
  const key = file.replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "").replace(/^\.\.\/\.\.\//, "")
  byPkg.set(key, bytesInOutput)
}
const top = [...byPkg].sort((a, b) => b[1] - a[1])
console.log(top.slice(0, Number(process.argv[3] ?? 40)).map(([k, v]) => String(v).padStart(7) + " " + k).join("\n"))
