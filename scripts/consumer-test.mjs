// The consumer test: what a user outside this repository gets from `npm install`.
//
// Builds and packs every public package (`pnpm pack`), checks each tarball (no `workspace:` left, no tests, fixtures,
// keys or tsconfig), lints it (publint, attw), then makes a scratch app in a temporary folder outside the workspace and
// installs into it, with npm, exactly the packages a user names. Third-party packages come from the npm registry;
// our own packages come from the local tarballs: the app's `overrides` map every `@effect-bunq/*` name to its tarball,
// standing in for the registry they would be published to (so an internal dependency that is not published with the
// others, or still says `workspace:`, fails the install as it would for a user). In the app:
//   1. the program of docs/getting-started.md, compiled by tsc and run with plain `node` against the emulator started
//      from its installed `bunq-emulator` bin; and the same program with a wrong key exits 1;
//   2. the browser example of docs/browser.md bundled by esbuild for the browser platform: no Node built-in;
//   3. `tsc` under `module: NodeNext`, then under `moduleResolution: Bundler`, with strict flags (no skipLibCheck);
//   4. the installed `bunq` bin: `--help`, `context create` and `user show --json` against the emulator, `demo`.
// Every temporary folder is removed at the end (also on failure). Nothing but the npm registry is reached.
//
//   node scripts/consumer-test.mjs [--no-build] [--keep]
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { builtinModules } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..")
const args = new Set(process.argv.slice(2))
const started = Date.now()
const rootManifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))

const publicPackages = fs.readdirSync(path.join(root, "packages")).flatMap((dir) => {
  const file = path.join(root, "packages", dir, "package.json")
  if (!fs.existsSync(file)) return []
  const manifest = JSON.parse(fs.readFileSync(file, "utf8"))
  return manifest.private ? [] : [{ dir: path.join(root, "packages", dir), manifest }]
})
const byName = new Map(publicPackages.map((p) => [p.manifest.name, p]))
const peerRange = (name) => {
  for (const { manifest } of publicPackages) {
    const range = manifest.peerDependencies?.[name]
    if (range !== undefined) return range
  }
  throw new Error(`no public package has a peer dependency on ${name}`)
}
const devRange = (name) => {
  const range = rootManifest.devDependencies?.[name]
  if (range === undefined) throw new Error(`the root package.json has no devDependency ${name}`)
  return range
}

// --- output and processes -------------------------------------------------------------------------------------------

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`
let stepStarted = Date.now()
const step = (title) => {
  stepStarted = Date.now()
  console.log(`\n== ${title}`)
}
const ok = (line) => console.log(`   ok  ${line}`)
class Failure extends Error {}
const fail = (message) => {
  throw new Failure(message)
}
const check = (condition, message) => {
  if (!condition) fail(message)
}

const tail = (text, lines = 40) => text.trimEnd().split("\n").slice(-lines).map((line) => `   | ${line}`).join("\n")

/** Runs a command to completion; on a non-zero exit (unless allowed) fails with the end of its output. */
const run = (command, argv, options = {}) => {
  const t0 = Date.now()
  const result = spawnSync(command, argv, {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    input: options.input,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  if (result.error) throw result.error
  const output = `${result.stdout}${result.stderr}`
  const shown = `${command} ${argv.join(" ")}`.replaceAll(os.tmpdir() + path.sep, "$TMP/")
  if (result.status !== 0 && !options.allowFailure) {
    fail(`\`${shown}\` exited ${result.status}:\n${tail(output)}`)
  }
  if (options.quiet !== true) console.log(`   $ ${shown}  (${seconds(Date.now() - t0)})`)
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output }
}

const temps = []
const tempDir = (prefix) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  temps.push(dir)
  return dir
}
const children = []
let install = () => fail("no app yet")

// npm without its side trips: no audit or funding requests, no update check, no scripts from the registry's packages.
const npmEnv = {
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  npm_config_loglevel: "warn",
  npm_config_progress: "false"
}

// --- the steps ------------------------------------------------------------------------------------------------------

const tarballs = new Map() // package name -> absolute .tgz path

const buildAndPack = () => {
  if (!args.has("--no-build")) {
    step("build (tsc -b, the cli bundle)")
    run("pnpm", ["-s", "build"])
  }
  step(`pack ${publicPackages.length} public packages (pnpm pack)`)
  const out = tempDir("effect-bunq-tarballs-")
  for (const { dir, manifest } of publicPackages) {
    const before = new Set(fs.readdirSync(out))
    run("pnpm", ["pack", "--pack-destination", out], { cwd: dir, quiet: true })
    const created = fs.readdirSync(out).filter((name) => !before.has(name))
    check(created.length === 1, `pnpm pack of ${manifest.name} made ${created.length} files`)
    const tgz = path.join(out, created[0])
    tarballs.set(manifest.name, tgz)

    const files = run("tar", ["-tzf", tgz], { quiet: true }).stdout.split("\n").filter(Boolean)
    const forbidden = files.filter((file) =>
      /^package\/(test|tests|fixtures|__tests__)\//.test(file) || /\/tsconfig[^/]*\.json$/.test(file) ||
      /\.(pem|key|tsbuildinfo)$/.test(file) || /\.test\.[cm]?[jt]s$/.test(file)
    )
    check(forbidden.length === 0, `${manifest.name}'s tarball ships ${forbidden.join(", ")}`)
    for (const needed of ["package/README.md", "package/CHANGELOG.md", "package/package.json"]) {
      check(files.includes(needed), `${manifest.name}'s tarball has no ${needed.slice("package/".length)}`)
    }
    const packed = JSON.parse(run("tar", ["-xzOf", tgz, "package/package.json"], { quiet: true }).stdout)
    const sections = ["dependencies", "peerDependencies", "optionalDependencies"]
    for (const section of sections) {
      for (const [name, range] of Object.entries(packed[section] ?? {})) {
        check(!String(range).startsWith("workspace:"), `${manifest.name}: ${section}.${name} is still ${range}`)
        if (name.startsWith("@effect-bunq/")) {
          check(byName.has(name), `${manifest.name} depends on ${name}, which is not a public package`)
          check(
            range === `^${byName.get(name).manifest.version}`,
            `${manifest.name}: ${name} is ${range}, expected ^${byName.get(name).manifest.version}`
          )
        }
      }
    }
    check(
      !JSON.stringify(packed.exports ?? {}).includes("/src/"),
      `${manifest.name}'s published exports point into src/`
    )
    for (
      const [bin, target] of Object.entries(typeof packed.bin === "string" ? { bin: packed.bin } : packed.bin ?? {})
    ) {
      const entry = `package/${target.replace(/^\.\//, "")}`
      check(files.includes(entry), `${manifest.name}: bin ${bin} -> ${target} is not in the tarball`)
      const head = run("tar", ["-xzOf", tgz, entry], { quiet: true }).stdout.slice(0, 64)
      check(head.startsWith("#!/usr/bin/env node"), `${manifest.name}: bin ${bin} has no node shebang`)
    }
    const internal = Object.keys(packed.dependencies ?? {}).filter((name) => name.startsWith("@effect-bunq/"))
    ok(
      `${path.basename(tgz)}: ${files.length} files, internal deps ${
        internal.length === 0
          ? "none"
          : internal.map((name) => `${name.slice("@effect-bunq/".length)}@${packed.dependencies[name]}`).join(" ")
      }`
    )
  }
}

const lint = () => {
  step("publint --strict and attw --profile esm-only, on each tarball")
  for (const [name, tgz] of tarballs) {
    const publint = run("pnpm", ["exec", "publint", "run", "--strict", tgz], { quiet: true, allowFailure: true })
    check(
      publint.status === 0 && /All good!/.test(publint.output),
      `publint reports problems for ${name}:\n${tail(publint.output)}`
    )
    // attw finds no module behind a wildcard export: name every public module (the built top-level files).
    const files = run("tar", ["-tzf", tgz], { quiet: true }).stdout.split("\n")
    const modules = files.flatMap((file) => {
      const match = /^package\/dist\/([^/]+)\.d\.ts$/.exec(file)
      return match === null ? [] : [match[1] === "index" ? "." : `./${match[1]}`]
    })
    if (modules.length === 0) {
      ok(`${name}: publint clean; no types to check (a bin only)`)
      continue
    }
    // esm-only: the packages are ES modules only (no require(), no node10 resolution), like the rest of the app.
    const attw = run(
      "pnpm",
      ["exec", "attw", tgz, "--profile", "esm-only", "--format", "ascii", "--no-color", "--entrypoints", ...modules],
      { quiet: true, allowFailure: true }
    )
    check(attw.status === 0, `attw reports problems for ${name}:\n${tail(attw.output, 60)}`)
    ok(`${name}: publint clean, attw clean on ${modules.length} entry points`)
  }
}

/** The first ```ts block after `heading` in a docs page. */
const docsExample = (page, heading) => {
  const text = fs.readFileSync(path.join(root, "docs", page), "utf8")
  const at = text.indexOf(`\n${heading}\n`)
  check(at !== -1, `docs/${page} has no "${heading}" section`)
  const match = /^```ts\n([\s\S]*?)^```/m.exec(text.slice(at))
  check(match !== null, `docs/${page} has no ts example under "${heading}"`)
  return match[1]
}

const strictFlags = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  noUncheckedIndexedAccess: true,
  erasableSyntaxOnly: true,
  noImplicitOverride: true,
  noFallthroughCasesInSwitch: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: false,
  target: "ES2022",
  lib: ["ES2022", "DOM"],
  types: ["node"]
}

const makeApp = () => {
  step("scratch app outside the workspace: npm install platform-node, device-server, emulator")
  const app = tempDir("effect-bunq-consumer-")
  check(path.relative(root, app).startsWith(".."), "the scratch app is inside the workspace")
  fs.mkdirSync(path.join(app, "src"))
  const manifestFile = path.join(app, "package.json")
  fs.writeFileSync(
    manifestFile,
    JSON.stringify({ name: "consumer-app", version: "0.0.0", private: true, type: "module" }, null, 2) + "\n"
  )
  install = (packages, flags = []) => {
    // `overrides` stand in for the registry: every @effect-bunq package the app does not name itself resolves to its
    // tarball (npm refuses an override of a direct dependency, so the named ones are left to the install line).
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"))
    const direct = new Set([
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.devDependencies ?? {}),
      ...packages.filter((p) => tarballs.has(p))
    ])
    manifest.overrides = Object.fromEntries(
      [...tarballs].filter(([name]) => !direct.has(name)).map(([name, tgz]) => [name, `file:${tgz}`])
    )
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n")
    const specs = packages.map((p) => (tarballs.has(p) ? tarballs.get(p) : p))
    const result = run("npm", ["install", ...flags, ...specs], { cwd: app, env: npmEnv })
    // (npm 11 lists packages whose install scripts it did not run: msgpackr-extract and @parcel/watcher, optional
    // native parts of @effect/platform-node's dependencies with JavaScript fallbacks; not shown.)
    const warnings = result.output.split("\n").filter((line) =>
      /npm (warn|error)/i.test(line) && !/install-scripts/.test(line)
    )
    for (const line of warnings) console.log(`   | ${line}`)
    return result
  }
  install([
    "@effect-bunq/platform-node",
    "@effect-bunq/device-server",
    `effect@${peerRange("effect")}`,
    `@effect/platform@${peerRange("@effect/platform")}`,
    `@effect/platform-node@${peerRange("@effect/platform-node")}`
  ])
  install(["@effect-bunq/emulator", `typescript@${devRange("typescript")}`, `@types/node@${devRange("@types/node")}`], [
    "--save-dev"
  ])
  const manifest = JSON.parse(fs.readFileSync(path.join(app, "package.json"), "utf8"))
  console.log(`   dependencies: ${Object.keys(manifest.dependencies).join(", ")}`)
  console.log(`   devDependencies: ${Object.keys(manifest.devDependencies).join(", ")}`)

  // One copy of effect: ours are peers, so the app's is the one everything uses.
  const copies = run("npm", ["ls", "effect", "--all", "--parseable"], { cwd: app, env: npmEnv, quiet: true })
    .stdout.split("\n").filter((line) => line.endsWith(`${path.sep}effect`))
  check(new Set(copies).size === 1, `more than one copy of effect installed:\n${copies.join("\n")}`)
  const installed = fs.readdirSync(path.join(app, "node_modules", "@effect-bunq")).sort()
  ok(`node_modules/@effect-bunq: ${installed.join(", ")}; one copy of effect`)
  return app
}

const startEmulator = (app) =>
  new Promise((resolve, reject) => {
    const bin = path.join(app, "node_modules", ".bin", "bunq-emulator")
    check(fs.existsSync(bin), "the emulator tarball installed no bunq-emulator bin")
    const child = spawn(bin, ["--port", "0"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] })
    children.push(child)
    let output = ""
    const timer = setTimeout(() => reject(new Failure(`the emulator did not start in 30 s:\n${tail(output)}`)), 30_000)
    const onData = (chunk) => {
      output += chunk
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
      const apiKey = /sandbox API key: (\S+)/.exec(output)?.[1]
      if (url !== undefined && apiKey !== undefined) {
        clearTimeout(timer)
        resolve({ url, apiKey, child })
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Failure(`the emulator exited ${code}:\n${tail(output)}`))
    })
  })

const nodeProgram = async (app) => {
  step("1. the getting-started program, compiled by tsc, run with plain node against the installed emulator")
  fs.writeFileSync(path.join(app, "src", "app.ts"), docsExample("getting-started.md", "## A Node app"))
  fs.writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: { ...strictFlags, module: "NodeNext", moduleResolution: "NodeNext", outDir: "build" },
        include: ["src/app.ts"]
      },
      null,
      2
    ) + "\n"
  )
  run("npx", ["tsc", "-p", "tsconfig.json"], { cwd: app })
  const emulator = await startEmulator(app)
  ok(`npx bunq-emulator --port 0: ${emulator.url}`)
  const env = {
    BUNQ_BASE_URL: emulator.url,
    BUNQ_API_KEY: emulator.apiKey,
    BUNQ_PERMITTED_IPS: "*",
    BUNQ_CONTEXT_FILE: path.join(app, "bunq-context.json")
  }
  const first = run("node", ["build/app.js"], { cwd: app, env })
  const lines = first.stdout.trimEnd().split("\n")
  for (const line of lines) console.log(`   > ${line}`)
  check(/^signed in as User\w+ \d+$/.test(lines[0] ?? ""), `unexpected first line: ${lines[0]}`)
  check(lines.some((line) => /^device \d+: .+ ACTIVE$/.test(line)), "no device line in the output")
  const mode = fs.statSync(env.BUNQ_CONTEXT_FILE).mode & 0o777
  check(mode === 0o600, `the context file has mode ${mode.toString(8)}`)
  const again = run("node", ["build/app.js"], { cwd: app, env, quiet: true })
  check(again.stdout.split("\n")[0] === lines[0], "the restored run signed in as someone else")
  ok("output checked; the context file is 0600; a second run restores it")
  const wrong = run("node", ["build/app.js"], {
    cwd: app,
    env: { ...env, BUNQ_API_KEY: "sandbox_not-a-key", BUNQ_CONTEXT_FILE: path.join(app, "other.json") },
    allowFailure: true,
    quiet: true
  })
  check(wrong.status === 1, `with a wrong key the program exited ${wrong.status}, expected 1`)
  check(/bunq answered 4\d\d/.test(wrong.stderr), `with a wrong key: ${wrong.stderr.trim()}`)
  ok(`a wrong key: exit 1, "${wrong.stderr.trim().split("\n")[0]}"`)
  return emulator
}

const typeCheck = (app) => {
  step("3. tsc --noEmit under module NodeNext and under moduleResolution Bundler (strict, no skipLibCheck)")
  const configs = {
    "tsconfig.nodenext.json": { module: "NodeNext", moduleResolution: "NodeNext" },
    "tsconfig.bundler.json": { module: "ESNext", moduleResolution: "Bundler" }
  }
  for (const [file, resolution] of Object.entries(configs)) {
    fs.writeFileSync(
      path.join(app, file),
      JSON.stringify({ compilerOptions: { ...strictFlags, ...resolution, noEmit: true }, include: ["src"] }, null, 2)
    )
    run("npx", ["tsc", "-p", file], { cwd: app })
  }
  const shown = Object.keys(strictFlags).filter((flag) => strictFlags[flag] === true).join(", ")
  ok(`src/app.ts and src/browser.ts type-check both ways (${shown}; skipLibCheck false)`)
}

const browserBundle = (app) => {
  step("2. esbuild --platform=browser of the docs/browser.md example (npm install platform-browser)")
  install([
    "@effect-bunq/platform-browser",
    `@effect/platform-browser@${peerRange("@effect/platform-browser")}`,
    `esbuild@${devRange("esbuild")}`
  ])
  fs.writeFileSync(path.join(app, "src", "browser.ts"), docsExample("browser.md", "## The layer"))
  // Resolve esbuild from the app, as the app's own build would.
  const script = `
    import * as esbuild from "esbuild"
    import { builtinModules } from "node:module"
    const builtins = new Set(${JSON.stringify(builtinModules)})
    const pulled = new Set()
    const result = await esbuild.build({
      entryPoints: ["src/browser.ts"], bundle: true, platform: "browser", format: "esm", target: "es2022",
      outfile: "build/browser.js", metafile: true, logLevel: "silent",
      plugins: [{ name: "no-node-builtins", setup(build) {
        build.onResolve({ filter: /.*/ }, (args) => {
          const bare = args.path.replace(/^node:/, "").split("/")[0]
          if (args.path.startsWith("node:") || builtins.has(bare)) {
            pulled.add(args.path + " (from " + args.importer.replace(process.cwd() + "/", "") + ")")
            return { path: args.path, external: true }
          }
        })
      }}]
    })
    const inputs = Object.keys(result.metafile.inputs)
    const bytes = result.metafile.outputs["build/browser.js"].bytes
    console.log(JSON.stringify({ pulled: [...pulled], inputs: inputs.length, bytes,
      ours: inputs.filter((i) => i.includes("@effect-bunq/")).map((i) => i.split("@effect-bunq/")[1].split("/")[0]) }))
  `
  const result = JSON.parse(run("node", ["--input-type=module", "-e", script], { cwd: app, quiet: true }).stdout)
  check(result.pulled.length === 0, `the browser bundle pulls in Node built-ins:\n${result.pulled.join("\n")}`)
  check(result.ours.includes("platform-browser"), "the browser bundle does not contain platform-browser")
  ok(
    `build/browser.js: ${(result.bytes / 1024).toFixed(0)} KiB from ${result.inputs} modules (${
      [...new Set(result.ours)].sort().join(", ")
    }), no Node built-in`
  )
}

const cliBin = (app, emulator) => {
  step("4. the bunq bin (npm install the cli tarball)")
  install(["@effect-bunq/cli"], ["--save-dev"])
  const help = run("npx", ["--no-install", "bunq", "--help"], { cwd: app, quiet: true })
  const helpLines = help.stdout.trimEnd().split("\n")
  check(/\bbunq\b/.test(help.stdout) && /device/.test(help.stdout) && /--json/.test(help.stdout), "unexpected --help")
  ok(`npx bunq --help: ${helpLines.length} lines, first: "${helpLines[0]}"`)
  const keyFile = path.join(app, "api-key")
  fs.writeFileSync(keyFile, emulator.apiKey, { mode: 0o600 })
  const common = ["--base-url", emulator.url, "--api-key-file", keyFile, "--context", path.join(app, "cli.json")]
  const t0 = Date.now()
  const created = run("npx", ["--no-install", "bunq", ...common, "context", "create"], { cwd: app, quiet: true })
  ok(`bunq context create (${seconds(Date.now() - t0)}): ${created.stdout.trim().split("\n")[0]}`)
  const t1 = Date.now()
  const shown = run("npx", ["--no-install", "bunq", ...common, "user", "show", "--json"], { cwd: app, quiet: true })
  const user = JSON.parse(shown.stdout)
  check(typeof user === "object" && user !== null, "bunq user show --json printed no object")
  ok(`bunq user show --json (${seconds(Date.now() - t1)}): ${JSON.stringify(user)}`)
  check(!shown.output.includes(emulator.apiKey), "the API key appears in the cli's output")
  const t2 = Date.now()
  const demo = run("npx", ["--no-install", "bunq", "demo"], { cwd: app, quiet: true })
  check(/Restored from the saved file without registering again/.test(demo.stdout), "bunq demo did not restore")
  check(/Next: bunq --help/.test(demo.stdout), "bunq demo does not name the installed bunq as the next command")
  ok(`bunq demo (${seconds(Date.now() - t2)}): ${demo.stdout.trim().split("\n").at(-2)}`)
}

// --- main -----------------------------------------------------------------------------------------------------------

let exitCode = 0
try {
  buildAndPack()
  lint()
  const app = makeApp()
  const emulator = await nodeProgram(app)
  browserBundle(app)
  typeCheck(app)
  cliBin(app, emulator)
  console.log(`\nconsumer test passed in ${seconds(Date.now() - started)}`)
} catch (error) {
  exitCode = 1
  console.error(`\nconsumer test FAILED (${seconds(Date.now() - stepStarted)} into the step):`)
  console.error(error instanceof Failure ? error.message : error)
} finally {
  for (const child of children) child.kill("SIGTERM")
  if (args.has("--keep")) console.log(`kept: ${temps.join(" ")}`)
  else for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true })
}
process.exit(exitCode)
