/**
 * The `bunq` command run as a child process (`node --import tsx src/bin.ts …`) against an emulator served over
 * loopback from this test process. Child processes are slow to start on a loaded machine, so independent runs go in
 * parallel and each run carries several assertions.
 */
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as SdkContext from "@effect-bunq/device-server/SdkContext"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as NodeContextStore from "@effect-bunq/platform-node/NodeContextStore"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import { Context, Effect, Exit, Layer, Option, Redacted, Scope } from "effect"
import { execFile, spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const hasScript = ["/usr/bin/script", "/bin/script"].some((path) => NodeFs.existsSync(path))
const timeout = 240_000

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Every output of every run, to check for secrets at the end. */
const outputs: Array<Run> = []

/** The environment without any BUNQ_* variable, no colors, and a HOME that is not the user's. */
const baseEnv = (home: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("BUNQ_") && key !== "FORCE_COLOR") env[key] = value
  }
  return { ...env, NO_COLOR: "1", HOME: home, XDG_CONFIG_HOME: NodePath.join(home, ".config") }
}

let dir: string
let url: string
let apiKey: string
let emulator: BunqEmulator.Emulator["Type"]
let scope: Scope.CloseableScope

/** The command with `input` on its standard input. */
const cliWithStdin = (args: ReadonlyArray<string>, input: string): Promise<Run> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/bin.ts", ...args], {
      cwd: packageDir,
      env: baseEnv(dir)
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("close", (code) => {
      const run = { code, stdout, stderr }
      outputs.push(run)
      resolve(run)
    })
    child.stdin.end(input)
  })

/** The command with standard input read from the file at `path` (not a pipe, not a terminal); killed after 60 s. */
const cliWithStdinFile = (args: ReadonlyArray<string>, path: string): Promise<Run> =>
  new Promise((resolve) => {
    const input = NodeFs.openSync(path, "r")
    const child = spawn(process.execPath, ["--import", "tsx", "src/bin.ts", ...args], {
      cwd: packageDir,
      env: baseEnv(dir),
      stdio: [input, "pipe", "pipe"]
    })
    NodeFs.closeSync(input)
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (chunk) => (stdout += chunk))
    child.stderr!.on("data", (chunk) => (stderr += chunk))
    child.on("close", (code) => {
      clearTimeout(timer)
      const run = { code, stdout, stderr }
      outputs.push(run)
      resolve(run)
    })
  })

const cli = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/bin.ts", ...args],
      { cwd: packageDir, env: { ...baseEnv(dir), ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
        const run = { code, stdout, stderr }
        outputs.push(run)
        resolve(run)
      }
    )
  })

const contextFile = () => NodePath.join(dir, "context.json")
const target = () => ["--base-url", url, "--context", contextFile()]
/** The API key from a file (mode 0600), as docs/cli.md shows it: never on argv. */
const keyFile = () => NodePath.join(dir, "api-key")
const withKey = () => [...target(), "--api-key-file", keyFile()]

const countLog = (
  log: ReadonlyArray<BunqEmulator.LogEntry>,
  method: string,
  path: RegExp
) => log.filter((entry) => entry.method === method && path.test(entry.path)).length

/** Secrets of the saved context: tokens and the private key (from the file the CLI wrote). */
const savedSecrets = (): Array<string> => {
  const found: Array<string> = []
  const walk = (value: unknown, key: string) => {
    if (typeof value === "string" && (key === "token" || key === "privateKeyPem")) {
      // For a PEM, a line from the middle of the body is enough to spot a leak.
      found.push(key === "privateKeyPem" ? value.split("\n")[5]! : value)
    } else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, k)
    }
  }
  walk(JSON.parse(NodeFs.readFileSync(contextFile(), "utf8")), "")
  return found
}
const secrets = new Set<string>()

beforeAll(async () => {
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "effect-bunq-cli-test-"))
  scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(
    Layer.buildWithScope(BunqEmulatorServer.layer({}).pipe(Layer.provide(NodeSigner.layer)), scope)
  )
  emulator = Context.get(context, BunqEmulator.Emulator)
  url = await Effect.runPromise(emulator.url)
  apiKey = Redacted.value((await Effect.runPromise(emulator.createSandboxUser())).apiKey)
  secrets.add(apiKey)
  NodeFs.writeFileSync(keyFile(), `${apiKey}\n`, { mode: 0o600 })
}, timeout)

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  NodeFs.rmSync(dir, { recursive: true, force: true })
})

describe("bunq against the emulator", () => {
  it("device list creates the context, then restores it (human, --verbose, key from BUNQ_API_KEY)", async () => {
    const first = await cli([...withKey(), "device", "list", "--json"])
    expect(first.stderr).toBe("")
    expect(first.code).toBe(0)
    const devices = JSON.parse(first.stdout).devices
    expect(devices).toHaveLength(1)
    expect(devices[0]).toMatchObject({ description: "effect-bunq cli", status: "ACTIVE" })
    expect(NodeFs.statSync(contextFile()).mode & 0o777).toBe(0o600)
    for (const secret of savedSecrets()) secrets.add(secret)

    const before = await Effect.runPromise(emulator.log)
    // Global options after the subcommand, the API key from the environment.
    const second = await cli(["device", "list", "--verbose", ...target()], { BUNQ_API_KEY: apiKey })
    expect(second.code).toBe(0)
    const lines = second.stdout.trim().split("\n")
    expect(lines[0]).toMatch(/^ID\s+DESCRIPTION\s+IP\s+STATUS\s+CREATED$/)
    expect(lines[1]).toContain(String(devices[0].id))
    expect(lines[1]).toContain("effect-bunq cli")
    // Columns line up: every value starts where its header does.
    expect(lines[1].indexOf("effect-bunq cli")).toBe(lines[0].indexOf("DESCRIPTION"))
    expect(second.stderr).toMatch(/\[http\] GET \/v1\/device-server → 200 \(\d+ ms\) request-id=\S+ response-id=\S+/)
    expect(second.stderr).not.toContain("/installation")
    const after = (await Effect.runPromise(emulator.log)).slice(before.length)
    expect(countLog(after, "POST", /installation|device-server|session-server/)).toBe(0)
  }, timeout)

  it("context create (restore and fresh), context show, device get, user show in both output modes", async () => {
    const saved = JSON.parse(NodeFs.readFileSync(contextFile(), "utf8")).contexts.default
    const deviceId = saved.deviceId as number
    // A second user, registered from scratch into its own file.
    const otherKey = Redacted.value((await Effect.runPromise(emulator.createSandboxUser())).apiKey)
    secrets.add(otherKey)
    const otherFile = NodePath.join(dir, "other.json")
    const [showHuman, showJson, getJson, userHuman, createRestored, createFresh] = await Promise.all([
      cli([...target(), "context", "show"]),
      cli([...target(), "context", "show", "--json"]),
      cli([...withKey(), "device", "get", String(deviceId), "--json"]),
      cli([...withKey(), "user", "show"]),
      cli([...withKey(), "context", "create"]),
      cli(["--base-url", url, "--context", otherFile, "--api-key", otherKey, "context", "create", "--json"])
    ])
    for (const run of [showHuman, showJson, getJson, userHuman, createRestored, createFresh]) expect(run.code).toBe(0)
    expect(createRestored.stdout).toContain("Restored the saved context (nothing registered).")
    const created = JSON.parse(createFresh.stdout)
    expect(created).toMatchObject({ registered: true, file: otherFile, environment: url })
    expect(created.deviceId).toBeTypeOf("number")
    expect(created.deviceId).not.toBe(deviceId)
    expect(created.session.id).toBeTypeOf("number")

    const shown = JSON.parse(showJson.stdout)
    expect(shown).toMatchObject({ file: contextFile(), environment: url, deviceId })
    expect(shown.session.userId).toBeTypeOf("number")
    expect(showHuman.stdout).toMatch(new RegExp(`device\\s+${deviceId}`))
    expect(showHuman.stdout).toContain(`expires ${shown.session.expiresAt}`)

    expect(JSON.parse(getJson.stdout)).toMatchObject({ id: deviceId, description: "effect-bunq cli" })
    expect(userHuman.stdout).toMatch(new RegExp(`id\\s+${shown.session.userId}`))
    expect(userHuman.stdout).toMatch(/type\s+UserPerson/)
  }, timeout)

  it("context refresh opens a new session", async () => {
    const before = await Effect.runPromise(emulator.log)
    const oldSession = JSON.parse(NodeFs.readFileSync(contextFile(), "utf8")).contexts.default.session
    const run = await cli([...withKey(), "context", "refresh", "--json"])
    expect(run.code).toBe(0)
    const refreshed = JSON.parse(run.stdout)
    expect(refreshed.session.id).not.toBe(oldSession.id)
    const after = (await Effect.runPromise(emulator.log)).slice(before.length)
    expect(countLog(after, "POST", /session-server$/)).toBe(1)
    expect(countLog(after, "POST", /installation$|device-server$/)).toBe(0)
    for (const secret of savedSecrets()) secrets.add(secret)
  }, timeout)

  it("exit codes: 1 for a bunq error (JSON on stderr), 2 for usage errors", async () => {
    const [notFound, notANumber, noKey, unknown, help] = await Promise.all([
      cli([...withKey(), "--json", "device", "get", "999999"]),
      cli([...withKey(), "device", "get", "abc", "--json"]),
      cli([...target(), "device", "list"]),
      cli(["frobnicate"]),
      cli(["device", "--help"])
    ])
    expect(notFound.code).toBe(1)
    expect(notFound.stdout).toBe("")
    const error = JSON.parse(notFound.stderr)
    expect(error).toMatchObject({ error: "ApiError", status: 404, method: "GET", path: "/device-server/999999" })
    expect(error.responseId).toBeTypeOf("string")
    expect(error.descriptions[0]).toContain("not found")

    expect(notANumber.code).toBe(2)
    expect(notANumber.stdout).toBe("")
    expect(JSON.parse(notANumber.stderr)).toMatchObject({ error: "UsageError", reason: "InvalidArgument" })
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toContain("no API key")
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("Invalid subcommand")
    // Help exits 0, on stdout, without colors when stdout is not a terminal.
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("Usage: bunq device [global options]")
    expect(help.stdout).toContain("bunq device get <ID>")
    expect(help.stdout).not.toContain("\u001b[")
  }, timeout)

  it(
    "reads the BUNQ_* variables as the library does: a bad one is a usage error naming it; BUNQ_TIMEOUT applies",
    async () => {
      const [environment, timeoutValue, fromEnv] = await Promise.all([
        cli([...withKey(), "device", "list"], { BUNQ_ENVIRONMENT: "staging" }),
        cli([...withKey(), "device", "list"], { BUNQ_TIMEOUT: "soon" }),
        cli(["--context", contextFile(), "--api-key-file", keyFile(), "device", "list", "--json"], {
          BUNQ_BASE_URL: url
        })
      ])
      expect(environment.code).toBe(2)
      expect(environment.stderr.trim().split("\n")).toHaveLength(1)
      expect(environment.stderr).toContain("BUNQ_ENVIRONMENT")
      expect(timeoutValue.code).toBe(2)
      expect(timeoutValue.stderr).toContain("BUNQ_TIMEOUT")
      expect(fromEnv.code).toBe(0)
      expect(JSON.parse(fromEnv.stdout).devices).toBeInstanceOf(Array)

      // A response slower than BUNQ_TIMEOUT fails the command (one attempt: BUNQ_RETRY_MAX_ATTEMPTS=1).
      await Effect.runPromise(
        emulator.injectFault({ _tag: "Latency", millis: 5_000, method: "GET", path: "/device-server", times: 1 })
      )
      const slow = await cli([...withKey(), "device", "list"], {
        BUNQ_TIMEOUT: "300 millis",
        BUNQ_RETRY_MAX_ATTEMPTS: "1"
      })
      expect(slow.code).toBe(1)
      expect(slow.stderr).toMatch(/timed out|timeout/i)
    },
    timeout
  )

  it(
    "help reads like a tool's: an overview with the commands and the global options once; a command's names bunq",
    async () => {
      const [root, leaf, json] = await Promise.all([
        cli(["--help"]),
        cli(["--context", "x.json", "device", "get", "--help"]),
        cli(["device", "list", "-h", "--json"])
      ])
      expect(root.code).toBe(0)
      const lines = root.stdout.trim().split("\n")
      expect(lines[0]).toMatch(/^bunq \d+\.\d+\.\d+: /)
      // One line per command (two for a long usage) and the global options once: 17 commands and 12 options fit in 60.
      expect(lines.length).toBeLessThan(60)
      for (const command of ["context create", "device list [--limit N]", "user show", "emulator", "demo"]) {
        expect(root.stdout).toContain(`  ${command}`)
      }
      // Each global option once; none of @effect/cli's built-ins or type sentences.
      expect(root.stdout.match(/--base-url URL/g)).toHaveLength(1)
      expect(root.stdout).not.toMatch(/--completions|--wizard|--log-level|A user-defined piece of text|This setting/)
      expect(leaf.code).toBe(0)
      expect(leaf.stdout.split("\n")[0]).toBe("Usage: bunq device get <ID> [global options]")
      expect(leaf.stdout).toContain("Show one device server")
      expect(leaf.stdout).toContain("see `bunq --help`")
      expect(leaf.stdout).not.toMatch(/--completions|\$ get/)
      expect(json.code).toBe(0)
      expect(json.stdout).toMatch(/^Usage: bunq device list \[--limit N\] \[global options\]/)
      expect(json.stdout).toMatch(/--limit N\s+At most this many devices/)
    },
    timeout
  )

  it(
    "bad input is refused before anything is sent: ids that are not positive integers, an empty key or passphrase",
    async () => {
      const before = (await Effect.runPromise(emulator.log)).length
      const runs = await Promise.all([
        cli([...withKey(), "device", "get", "0"]),
        cli([...withKey(), "device", "get", "-1"]),
        cli([...withKey(), "device", "get", "1.5"]),
        cli([...target(), "--api-key", "", "device", "list"]),
        cli([...target(), "--api-key", "   ", "user", "show"]),
        cli([...target(), "device", "list"], { BUNQ_API_KEY: "" }),
        cli([...withKey(), "device", "list"], { BUNQ_CONTEXT_PASSPHRASE: "" }),
        cli([...withKey(), "--passphrase", "", "user", "show"])
      ])
      for (const run of runs.slice(0, 3)) {
        expect(run.code).toBe(2)
        expect(run.stderr).toContain("ID must be a positive integer")
        expect(run.stderr).not.toContain("a integer")
      }
      for (const run of runs.slice(3, 6)) {
        expect(run.code).toBe(2)
        expect(run.stderr).toContain("the API key is empty")
        expect(run.stderr).not.toContain("internal error")
      }
      // an empty passphrase (a variable meant to hold one) is refused, not taken as "keep the file unencrypted"
      for (const run of runs.slice(6)) {
        expect(run.code).toBe(2)
        expect(run.stderr).toContain("the passphrase is empty")
      }
      expect((await Effect.runPromise(emulator.log)).length).toBe(before)
    },
    timeout
  )

  it("a reader that closes stdout early (| head) ends the command quietly, no EPIPE stack", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/bin.ts", ...withKey(), "device", "list", "--json"], {
      cwd: packageDir,
      env: baseEnv(dir)
    })
    // like `| head -c 0`: the reading end is gone before the command writes
    child.stdout.destroy()
    let stderr = ""
    child.stderr.on("data", (chunk) => stderr += String(chunk))
    const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)))
    expect(stderr).not.toContain("EPIPE")
    expect(stderr).not.toContain("at ")
    expect(code).toBe(0)
  }, timeout)

  it("an unreachable server: the message names the URL and the cause", async () => {
    const run = await cli([
      "--base-url",
      "http://127.0.0.1:9/v1",
      "--api-key",
      "sandbox_unreachable",
      "--context",
      NodePath.join(NodeOs.tmpdir(), `bunq-unreachable-${process.pid}.json`),
      "user",
      "show"
    ])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("http://127.0.0.1:9/v1/installation")
    expect(run.stderr).toContain("connection refused (ECONNREFUSED)")
    expect(run.stderr).not.toContain("sandbox_unreachable")
  }, timeout)

  it("a tampered response fails with exit 1 and says the signature did not verify", async () => {
    const deviceId = JSON.parse(NodeFs.readFileSync(contextFile(), "utf8")).contexts.default.deviceId
    await Effect.runPromise(
      emulator.injectFault({ _tag: "TamperedBody", method: "GET", path: "/device-server/*", times: 1 })
    )
    const run = await cli([...withKey(), "device", "get", String(deviceId)])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    const lines = run.stderr.trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/response signature did not verify/)
    expect(lines[0]).toContain("InvalidSignature")
    expect(lines[0]).toContain(`/device-server/${deviceId}`)
  }, timeout)

  it.skipIf(!hasScript)("on a terminal: colors, and the progress line stops when the work is done", async () => {
    // `script` gives the child a pseudo-terminal for stdout and stderr.
    const command = [process.execPath, "--import", "tsx", "src/bin.ts", ...withKey(), "device", "list"]
      .map((arg) => `'${arg}'`).join(" ")
    const env = { ...baseEnv(dir) }
    delete env.NO_COLOR
    const run = await new Promise<Run>((resolve) => {
      execFile(
        "script",
        ["-qec", command, "/dev/null"],
        { cwd: packageDir, env, timeout: 120_000 },
        (error, stdout) => {
          const result = {
            code: error === null ? 0 : typeof error.code === "number" ? error.code : null,
            stdout,
            stderr: ""
          }
          outputs.push(result)
          resolve(result)
        }
      )
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("\u001b[1mID")
    expect(run.stdout).toContain("\u001b[32mACTIVE\u001b[39m") // a painted cell keeps its color
    expect(run.stdout).toContain("effect-bunq cli")
  }, timeout)

  it("session close, SDK import and forget", async () => {
    const before = await Effect.runPromise(emulator.log)
    const closed = await cli([...withKey(), "session", "close", "--json"])
    expect(closed.code).toBe(0)
    expect(JSON.parse(closed.stdout)).toMatchObject({ closed: true })
    const afterClose = (await Effect.runPromise(emulator.log)).slice(before.length)
    expect(afterClose.filter((e) => e.method === "DELETE" && e.status === 200)).toHaveLength(1)
    expect(JSON.parse(NodeFs.readFileSync(contextFile(), "utf8")).contexts.default.session).toBeNull()

    // Write the saved context as an official SDK's bunq.conf, import it into another file and use it.
    const sdkText = await Effect.runPromise(
      Effect.gen(function*() {
        const store = yield* ContextStore.ContextStore
        const saved = yield* store.load("default")
        return yield* SdkContext.encode(Option.getOrThrow(saved), Redacted.make(apiKey), { environmentType: "SANDBOX" })
      }).pipe(
        Effect.provide(NodeContextStore.layerFile({ path: contextFile() })),
        Effect.provide(NodeSigner.layer)
      )
    )
    const sdkFile = NodePath.join(dir, "bunq.conf")
    NodeFs.writeFileSync(sdkFile, sdkText, { mode: 0o600 })
    const imported = NodePath.join(dir, "imported.json")
    const importRun = await cli(["--base-url", url, "--context", imported, "context", "import-sdk", sdkFile])
    expect(importRun.code).toBe(0)
    expect(importRun.stdout).toContain(`Imported ${sdkFile}`)
    const mark = (await Effect.runPromise(emulator.log)).length
    const [list, forget] = await Promise.all([
      cli(["--base-url", url, "--context", imported, "--api-key", apiKey, "device", "list", "--json"]),
      cli([...target(), "context", "forget", "--json"])
    ])
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout).devices).toHaveLength(1)
    const afterImport = (await Effect.runPromise(emulator.log)).slice(mark)
    expect(countLog(afterImport, "POST", /installation$|device-server$/)).toBe(0)
    expect(forget.code).toBe(0)
    expect(JSON.parse(forget.stdout)).toEqual({ file: contextFile(), forgotten: true })
    // The file keeps other store keys (none here): the default context is gone.
    const remaining = NodeFs.existsSync(contextFile())
      ? JSON.parse(NodeFs.readFileSync(contextFile(), "utf8")).contexts
      : {}
    expect(remaining.default).toBeUndefined()
  }, timeout)

  it("context import-sdk on a malformed bunq.conf prints no secret from it", async () => {
    const secrets = [
      "sandbox_secretapikey0123456789abcdef0123456789abcdef01234567",
      "installation-secret-token-x",
      "session-secret-token-x",
      "MIIEsecretprivatekeybytes"
    ]
    const sdkFile = NodePath.join(dir, "malformed-bunq.conf")
    NodeFs.writeFileSync(
      sdkFile,
      JSON.stringify({
        api_key: [secrets[0]],
        environment_type: "SANDBOX",
        installation_context: {
          token: { value: secrets[1] },
          private_key_client: [`-----BEGIN RSA PRIVATE KEY-----\n${secrets[3]}\n-----END RSA PRIVATE KEY-----`],
          public_key_server: 1
        },
        session_context: { token: [secrets[2]], expiry_time: 5, user_id: "x" }
      }),
      { mode: 0o600 }
    )
    const run = await cli([
      "--base-url",
      url,
      "--context",
      NodePath.join(dir, "malformed.json"),
      "context",
      "import-sdk",
      sdkFile
    ])
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain("InvalidShape")
    for (const secret of secrets) {
      expect(run.stdout).not.toContain(secret)
      expect(run.stderr).not.toContain(secret)
    }
  }, timeout)

  it(
    "sandbox create-user prints a new key (the key alone on stdout); the demo runs against a given server",
    async () => {
      const [created, createdHuman, demo] = await Promise.all([
        cli(["--base-url", url, "sandbox", "create-user", "--json"]),
        cli(["--base-url", url, "sandbox", "create-user"]),
        cli(["--base-url", url, "demo", "--json"])
      ])
      expect(created.code).toBe(0)
      const newKey = JSON.parse(created.stdout).apiKey as string
      expect(newKey).toMatch(/^sandbox_[0-9a-f]+$/)
      expect(newKey).not.toBe(apiKey)
      // `bunq sandbox create-user > key` makes a key file: stdout is the key and its line break, the note is on stderr.
      expect(createdHuman.code).toBe(0)
      expect(createdHuman.stdout).toMatch(/^sandbox_[0-9a-f]+\n$/)
      expect(createdHuman.stderr).toBe(`a new sandbox API key for ${url}; keep it like a password\n`)
      const humanKeyFile = NodePath.join(dir, "human-key")
      NodeFs.writeFileSync(humanKeyFile, createdHuman.stdout, { mode: 0o600 })
      const withHumanKey = await cli([
        "--base-url",
        url,
        "--context",
        NodePath.join(dir, "human-key.json"),
        "--api-key-file",
        humanKeyFile,
        "user",
        "show",
        "--json"
      ])
      expect(withHumanKey.code, withHumanKey.stderr).toBe(0)
      expect(JSON.parse(withHumanKey.stdout).id).toBeTypeOf("number")

      expect(demo.code).toBe(0)
      const tour = JSON.parse(demo.stdout)
      expect(tour.summary).toMatchObject({
        baseUrl: url,
        embeddedEmulator: false,
        clientRateLimits: true,
        restoredWithoutRegistering: true
      })
      expect(tour.steps.map((s: { title: string }) => s.title)).toContain("Create a sandbox user")
    },
    timeout
  )

  it(
    "secrets from a file or stdin: --api-key-file, --passphrase-file, - for stdin; argv secrets get a warning",
    async () => {
      const encrypted = NodePath.join(dir, "encrypted.json")
      const passFile = NodePath.join(dir, "passphrase")
      const passphrase = "correct horse battery staple"
      secrets.add(passphrase)
      NodeFs.writeFileSync(passFile, `${passphrase}\n`, { mode: 0o600 })
      const isolated = ["--base-url", url, "--context", NodePath.join(dir, "argv.json")]
      const [fromStdin, onArgv, missing, both, twoStdin, passOnArgv] = await Promise.all([
        cliWithStdin([...target(), "--api-key-file", "-", "user", "show", "--json"], `${apiKey}\n`),
        cli([...isolated, "--api-key", apiKey, "user", "show", "--json"]),
        cli([...target(), "--api-key-file", NodePath.join(dir, "no-such-key"), "user", "show"]),
        cli([...target(), "--api-key", apiKey, "--api-key-file", keyFile(), "user", "show"]),
        cli([...target(), "--api-key-file", "-", "--passphrase-file", "-", "user", "show"]),
        cli([...isolated, "--api-key-file", keyFile(), "--passphrase", passphrase, "context", "show"])
      ])
      expect(fromStdin.code).toBe(0)
      expect(fromStdin.stderr).toBe("")
      expect(JSON.parse(fromStdin.stdout).id).toBeTypeOf("number")
      // A key on argv still works, with a warning naming the safe forms.
      expect(onArgv.code).toBe(0)
      expect(onArgv.stderr).toContain("warning: --api-key on the command line can be read by other users (ps)")
      expect(onArgv.stderr).toContain("--api-key-file")
      expect(JSON.parse(onArgv.stdout).id).toBeTypeOf("number")
      expect(passOnArgv.stderr).toContain("warning: --passphrase on the command line")
      expect(missing.code).toBe(2)
      expect(missing.stderr).toBe(`usage: --api-key-file ${NodePath.join(dir, "no-such-key")}: no such file\n`)
      expect(both.code).toBe(2)
      expect(both.stderr).toContain("give --api-key or --api-key-file, not both")
      expect(twoStdin.code).toBe(2)
      expect(twoStdin.stderr).toContain("only one of --api-key-file and --passphrase-file can read standard input")

      // The passphrase from a file encrypts the context; from stdin it opens it again.
      const created = await cli([
        "--base-url",
        url,
        "--context",
        encrypted,
        "--api-key-file",
        keyFile(),
        "--passphrase-file",
        passFile,
        "context",
        "create",
        "--json"
      ])
      expect(created.code).toBe(0)
      expect(created.stderr).toBe("")
      const raw = NodeFs.readFileSync(encrypted, "utf8")
      expect(JSON.parse(raw).format).toBe("effect-bunq/encrypted-file")
      expect(raw).not.toContain(apiKey.slice(0, 20))
      const shown = await cliWithStdin(
        ["--base-url", url, "--context", encrypted, "--passphrase-file", "-", "context", "show", "--json"],
        `${passphrase}\n`
      )
      expect(shown.code).toBe(0)
      expect(JSON.parse(shown.stdout).file).toBe(encrypted)
    },
    timeout
  )

  it("context errors name the way out, and that way works: forget --force, forget, --store-key", async () => {
    // A corrupt file: the error says to run `context forget --force`; forget --force keeps the bytes in a backup.
    const corrupt = NodePath.join(dir, "corrupt.json")
    NodeFs.writeFileSync(corrupt, "{\"format\": \"effect-bunq/context-file\", \"contexts\": ", { mode: 0o600 })
    const onCorrupt = ["--base-url", url, "--context", corrupt, "--api-key-file", keyFile()]
    const failed = await cli([...onCorrupt, "user", "show"])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain("saved context: Corrupt")
    expect(failed.stderr).toContain("hint: run `bunq context forget --force` to move the file aside")
    const failedJson = await cli([...onCorrupt, "user", "show", "--json"])
    expect(JSON.parse(failedJson.stderr)).toMatchObject({ error: "ContextStoreError", reason: "Corrupt" })
    expect(JSON.parse(failedJson.stderr).hint).toContain("bunq context forget --force")
    const forced = await cli([...onCorrupt, "context", "forget", "--force", "--json"])
    expect(forced.code).toBe(0)
    const moved = JSON.parse(forced.stdout)
    expect(moved).toMatchObject({ file: corrupt, forgotten: true })
    expect(moved.backup).toMatch(/corrupt\.json\..*\.bak$/)
    expect(NodeFs.readFileSync(moved.backup, "utf8")).toBe("{\"format\": \"effect-bunq/context-file\", \"contexts\": ")
    expect(NodeFs.statSync(moved.backup).mode & 0o777).toBe(0o600)
    expect(NodeFs.existsSync(corrupt)).toBe(false)
    const again = await cli([...onCorrupt, "user", "show", "--json"])
    expect(again.code).toBe(0)

    // A file encrypted with a passphrase that is lost: the hint names forget --force, and it works without one.
    const locked = NodePath.join(dir, "lost-passphrase.json")
    const passFile = NodePath.join(dir, "lost-passphrase")
    NodeFs.writeFileSync(passFile, "forgotten words", { mode: 0o600 })
    secrets.add("forgotten words")
    const made = await cli([
      "--base-url",
      url,
      "--context",
      locked,
      "--api-key-file",
      keyFile(),
      "--passphrase-file",
      passFile,
      "context",
      "create"
    ])
    expect(made.code).toBe(0)
    const wrongPass = NodePath.join(dir, "wrong-passphrase")
    NodeFs.writeFileSync(wrongPass, "other words", { mode: 0o600 })
    const wrong = await cli([
      "--base-url",
      url,
      "--context",
      locked,
      "--api-key-file",
      keyFile(),
      "--passphrase-file",
      wrongPass,
      "user",
      "show"
    ])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain("WrongPassphrase")
    expect(wrong.stderr).toContain("bunq context forget --force")
    const unlocked = await cli(["--context", locked, "context", "forget", "--force"])
    expect(unlocked.code).toBe(0)
    expect(unlocked.stdout).toContain(`Moved ${locked} aside to ${locked}.`)
    expect(NodeFs.existsSync(locked)).toBe(false)

    // A context of another API key: the hint names forget and --store-key; --store-key keeps both in one file.
    const shared = NodePath.join(dir, "shared.json")
    const otherKey = Redacted.value((await Effect.runPromise(emulator.createSandboxUser())).apiKey)
    secrets.add(otherKey)
    const otherKeyFile = NodePath.join(dir, "other-key")
    NodeFs.writeFileSync(otherKeyFile, otherKey, { mode: 0o600 })
    expect((await cli(["--base-url", url, "--context", shared, "--api-key-file", keyFile(), "context", "create"])).code)
      .toBe(0)
    const foreign = await cli(["--base-url", url, "--context", shared, "--api-key-file", otherKeyFile, "user", "show"])
    expect(foreign.code).toBe(1)
    expect(foreign.stderr).toContain("Foreign")
    expect(foreign.stderr).toContain("--store-key NAME")
    const second = await cli([
      "--base-url",
      url,
      "--context",
      shared,
      "--api-key-file",
      otherKeyFile,
      "--store-key",
      "other",
      "user",
      "show",
      "--json"
    ])
    expect(second.code).toBe(0)
    expect(Object.keys(JSON.parse(NodeFs.readFileSync(shared, "utf8")).contexts).sort()).toEqual(["default", "other"])
    // Plain forget drops the foreign entry only; the other key's context stays.
    const dropped = await cli(["--context", shared, "context", "forget", "--json"])
    expect(JSON.parse(dropped.stdout)).toEqual({ file: shared, forgotten: true })
    expect(Object.keys(JSON.parse(NodeFs.readFileSync(shared, "utf8")).contexts)).toEqual(["other"])
  }, timeout)

  it("no secret appears in any output of the runs above", () => {
    expect(outputs.length).toBeGreaterThan(10)
    expect(secrets.size).toBeGreaterThanOrEqual(4)
    for (const run of outputs) {
      for (const secret of secrets) {
        expect(run.stdout).not.toContain(secret)
        expect(run.stderr).not.toContain(secret)
      }
    }
  })
})

describe("bunq demo and bunq emulator on their own", () => {
  it("demo (what pnpm start runs) completes with exit 0 and proves the restore", async () => {
    const run = await cli(["demo"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("Start the embedded emulator")
    expect(run.stdout).toMatch(/emulator's request log confirms it: 1 request\(s\) since, none to POST \/installation/)
    expect(run.stdout).toMatch(/DELETE \/v1\/session\/\d+ 200/)
    expect(run.stdout).toContain("Summary")
    for (
      const title of [
        "Get sandbox money",
        "Pay them 12.34 EUR, with a receipt attached",
        "Receive the payment's callback"
      ]
    ) {
      expect(run.stdout).toContain(title)
    }
    expect(run.stdout).toMatch(/balance now 487\.66 EUR/)
    expect(run.stdout).toMatch(/MUTATION MUTATION_CREATED Payment \d+ -12\.34 EUR "Koffie en appeltaart"/)
    expect(run.stdout).toMatch(/21 HTTP requests in/)
    expect(run.stdout).toContain("docs/first-payment.md")
  }, timeout)

  it("emulator serves until interrupted; Ctrl-C exits 130 (128 + SIGINT), as docs/cli.md says", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/bin.ts", "emulator", "--port", "0"], {
      cwd: packageDir,
      env: baseEnv(dir)
    })
    let stdout = ""
    const listening = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        stdout += String(chunk)
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(stdout)
        if (match) resolve(match[1]!)
      })
      child.on("exit", (code) => reject(new Error(`exited early with ${code}: ${stdout}`)))
    })
    const response = await fetch(`${listening}/sandbox-user-person`, { method: "POST" })
    expect(response.status).toBe(200)
    expect(response.headers.get("x-bunq-server-signature")).toBeTruthy()
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (exitCode) => resolve(exitCode))
      child.kill("SIGINT")
    })
    expect(code).toBe(130)
  }, timeout)
})

describe("money commands", () => {
  /** A fresh sandbox user with its own key file; each run gets its own context file (runs go in parallel). */
  const newUser = async (name: string) => {
    const user = await Effect.runPromise(emulator.createSandboxUser())
    const key = Redacted.value(user.apiKey)
    secrets.add(key)
    const file = NodePath.join(dir, `${name}-key`)
    NodeFs.writeFileSync(file, `${key}\n`, { mode: 0o600 })
    let n = 0
    return {
      id: user.id,
      email: `sandbox+${user.id}@bunq-emulator.local`,
      args: () => ["--base-url", url, "--api-key-file", file, "--context", NodePath.join(dir, `${name}-${n++}.json`)]
    }
  }

  it(
    "sandbox top-up, account list|show, payment create|list|show, request create, event list (tables and --json)",
    async () => {
      const alice = await newUser("alice")
      const bob = await newUser("bob")
      const topUp = await cli([...alice.args(), "sandbox", "top-up", "--json"])
      expect(topUp.stderr).toBe("")
      expect(topUp.code).toBe(0)
      const topped = JSON.parse(topUp.stdout)
      expect(topped).toMatchObject({ amount: "500.00", balance: "500.00", currency: "EUR" })
      const accountId: number = topped.accountId

      const [list, listJson, show, showJson, unknown, tooMuch] = await Promise.all([
        cli([...alice.args(), "account", "list"]),
        cli([...alice.args(), "account", "list", "--json"]),
        cli([...alice.args(), "account", "show", String(accountId)]),
        cli([...alice.args(), "account", "show", String(accountId), "--json"]),
        cli([...alice.args(), "account", "show", "999999"]),
        cli([...alice.args(), "sandbox", "top-up", "--amount", "600"])
      ])
      expect(list.code).toBe(0)
      expect(list.stdout).toMatch(/^ID\s+TYPE\s+DESCRIPTION\s+BALANCE\s+IBAN\s+STATUS\n/)
      expect(list.stdout).toMatch(
        new RegExp(`${accountId}\\s+bank\\s+Main\\s+500\\.00 EUR\\s+NL\\d{2}BUNQ\\d{10}\\s+ACTIVE`)
      )
      expect(JSON.parse(listJson.stdout).accounts).toEqual([
        expect.objectContaining({ id: accountId, type: "bank", balance: "500.00", currency: "EUR", status: "ACTIVE" })
      ])
      expect(show.stdout).toMatch(/balance\s+500\.00 EUR/)
      expect(JSON.parse(showJson.stdout)).toMatchObject({ id: accountId, iban: expect.stringMatching(/^NL\d{2}BUNQ/) })
      expect(unknown.code).toBe(1)
      expect(unknown.stdout).toBe("")
      expect(unknown.stderr.trim()).toBe("error: no monetary account 999999 for this user (see `bunq account list`)")
      expect(tooMuch.code).toBe(1)
      expect(tooMuch.stderr.trim().split("\n")).toHaveLength(1)
      expect(tooMuch.stderr).toMatch(/Sugar daddy will only give you up to 500\.00 EUR/)

      const pay = (extra: ReadonlyArray<string>, amount = "12.34") =>
        cli([
          ...alice.args(),
          "payment",
          "create",
          "--amount",
          amount,
          "--to",
          bob.email,
          "--description",
          "Lunch",
          ...extra
        ])
      const [paid, paidHuman, abc, broke, piped] = await Promise.all([
        pay(["--yes", "--json"]),
        pay(["--yes"], "0.66"),
        pay(["--yes"], "abc"),
        pay(["--yes"], "1000"),
        cliWithStdin([...alice.args(), "payment", "create", "--amount", "1", "--to", bob.email], "y\n")
      ])
      expect(paid.code).toBe(0)
      const payment = JSON.parse(paid.stdout)
      expect(payment).toMatchObject({ accountId, amount: "12.34", currency: "EUR", to: bob.email })
      expect(paidHuman.stdout).toMatch(
        /^Paid 0\.66 EUR to sandbox\+\d+@bunq-emulator\.local \(payment \d+\)\. Balance of account \d+: [\d.]+ EUR\.\n$/
      )
      expect(abc.code).toBe(1)
      expect(abc.stderr.trim()).toBe(
        `error: --amount must be a positive amount with at most two decimals, like 12.34 (got "abc")`
      )
      expect(broke.code).toBe(1)
      expect(broke.stderr.trim().split("\n")).toHaveLength(1)
      expect(broke.stderr).toMatch(/^bunq error 400 BadRequest: Insufficient balance\./)
      // Without --yes the question needs a terminal: a pipe cannot confirm (not even with "y").
      expect(piped.code).toBe(2)
      expect(piped.stderr).toBe(
        "usage: standard input is not a terminal, so no one can confirm: pass --yes to make the payment\n"
      )
      for (const run of [broke, abc, piped]) expect(run.stderr).not.toMatch(/\n\s+at /)

      // Two smaller batches: child processes are slow to start on a loaded machine.
      const [payments, paymentsJson, one, oneJson, bobsPayments] = await Promise.all([
        cli([...alice.args(), "payment", "list"]),
        cli([...alice.args(), "payment", "list", "--json", "--limit", "2"]),
        cli([...alice.args(), "payment", "show", String(payment.paymentId)]),
        cli([...alice.args(), "payment", "show", String(payment.paymentId), "--json"]),
        cli([...bob.args(), "payment", "list", "--json"])
      ])
      const [events, eventsJson, request, requestJson] = await Promise.all([
        cli([...alice.args(), "event", "list"]),
        cli([...alice.args(), "event", "list", "--json"]),
        cli([...alice.args(), "request", "create", "--amount", "5", "--from", bob.email, "--description", "Taxi"]),
        cli([...alice.args(), "request", "create", "--amount", "5", "--from", bob.email, "--json"])
      ])
      for (
        const run of [payments, paymentsJson, one, oneJson, bobsPayments, events, eventsJson, request, requestJson]
      ) {
        expect(run.code, run.stderr).toBe(0)
      }
      expect(payments.stdout).toMatch(/^ID\s+DATE\s+AMOUNT\s+COUNTERPARTY\s+DESCRIPTION\n/)
      expect(payments.stdout).toContain("-12.34 EUR")
      expect(payments.stdout).toContain("500.00 EUR  Sugar Daddy")
      const listed = JSON.parse(paymentsJson.stdout).payments
      expect(listed).toHaveLength(2)
      expect(one.stdout).toMatch(new RegExp(`${payment.paymentId}\\s+\\S+ \\S+\\s+-12\\.34 EUR`))
      expect(JSON.parse(oneJson.stdout)).toMatchObject({
        id: payment.paymentId,
        amount: "-12.34",
        description: "Lunch"
      })
      expect(events.stdout).toMatch(/^ID\s+DATE\s+ACTION\s+OBJECT\s+AMOUNT\s+DESCRIPTION\n/)
      const eventRows = JSON.parse(eventsJson.stdout).events
      expect(eventRows.map((e: { object: string }) => e.object)).toContain("RequestInquiry")
      expect(eventRows.find((e: { amount: string }) => e.amount === "-12.34")).toMatchObject({
        object: "Payment",
        action: "CREATE"
      })
      expect(request.stdout).toMatch(
        new RegExp(
          `^Asked ${bob.email.replace(/[+.]/g, "\\$&")} for 5\\.00 EUR \\(request \\d+, account ${accountId}\\)\\.`
        )
      )
      expect(JSON.parse(requestJson.stdout)).toMatchObject({ amount: "5.00", currency: "EUR", from: bob.email })
      expect(JSON.parse(bobsPayments.stdout).payments.map((p: { amount: string }) => p.amount).sort()).toEqual([
        "0.66",
        "12.34"
      ])
      // The human top-up line (after the rest: its balance is known).
      const topUpHuman = await cli([...bob.args(), "sandbox", "top-up", "--amount", "1.5"])
      expect(topUpHuman.stdout).toMatch(
        /^Got 1\.50 EUR from sugardaddy@bunq\.com on account \d+; balance 14\.50 EUR\.\n$/
      )
      const accountsJson = await cli([...bob.args(), "account", "list", "--json"])
      expect(JSON.parse(accountsJson.stdout).accounts[0].balance).toBe("14.50")
    },
    2 * timeout
  )

  it(
    "a payment bunq booked is reported with its id and exit 0 even when the balance cannot be read; a lost answer " +
      "says the money may have moved",
    async () => {
      const alice = await newUser("carol")
      const bob = await newUser("dave")
      await Effect.runPromise(emulator.topUp(alice.id, "100.00"))
      const pay = (amount: string, extra: ReadonlyArray<string> = []) =>
        cli([...alice.args(), "payment", "create", "--amount", amount, "--to", bob.email, "--yes", ...extra], {
          BUNQ_RETRY_MAX_ATTEMPTS: "1"
        })
      const paymentPath = `/user/${alice.id}/monetary-account/*/payment`

      // bunq books the payment, then answers 503 to every account lookup: the balance read after it fails.
      const holdScope = Effect.runSync(Scope.make())
      const hold = await Effect.runPromise(
        Scope.extend(emulator.hold({ method: "POST", path: paymentPath }), holdScope)
      )
      const running = Promise.all([pay("1.25"), pay("1.50", ["--json"])])
      await Effect.runPromise(hold.awaitArrivals(2))
      await Effect.runPromise(
        emulator.injectFault({
          _tag: "Status",
          status: 503,
          method: "GET",
          path: `/user/${alice.id}/monetary-account`,
          times: "unlimited"
        })
      )
      await Effect.runPromise(hold.release)
      const [human, json] = await running
      await Effect.runPromise(Effect.zipRight(emulator.clearFaults, Scope.close(holdScope, Exit.void)))
      expect(human.code, human.stderr).toBe(0)
      expect(human.stdout).toMatch(
        new RegExp(`^Paid 1\\.25 EUR to ${bob.email.replace(/[+.]/g, "\\$&")} \\(payment \\d+\\)\\.\n$`)
      )
      const humanId = /payment (\d+)/.exec(human.stdout)![1]
      expect(human.stderr).toMatch(
        new RegExp(
          `^note: payment ${humanId} was made, but the balance of account \\d+ could not be read: bunq error 503 `
        )
      )
      expect(json.code, json.stderr).toBe(0)
      const made = JSON.parse(json.stdout)
      expect(made).toMatchObject({ amount: "1.50", balance: null, to: bob.email })
      expect(json.stderr).toContain(`note: payment ${made.paymentId} was made`)

      // The connection drops after bunq booked the payment (and the top-up): exit 1, the money may have moved,
      // and it did.
      await Effect.runPromise(
        Effect.all([
          emulator.injectFault({ _tag: "ConnectionReset", afterProcessing: true, method: "POST", path: paymentPath }),
          emulator.injectFault({
            _tag: "ConnectionReset",
            afterProcessing: true,
            method: "POST",
            path: `/user/${alice.id}/monetary-account/*/request-inquiry`
          })
        ])
      )
      const [reset, topUp] = await Promise.all([
        pay("2.50"),
        cli([...alice.args(), "sandbox", "top-up", "--amount", "3", "--json"])
      ])
      expect(reset.code).toBe(1)
      expect(reset.stdout).toBe("")
      expect(reset.stderr).toMatch(
        /^the payment may have been made: bunq's answer was lost \(TransportError Network: .*\/payment\)\)\. Check `bunq payment list` before you try again: trying again may do it twice\.\n$/
      )
      expect(topUp.code).toBe(1)
      expect(JSON.parse(topUp.stderr)).toMatchObject({
        error: "OutcomeUnknown",
        reason: "Network",
        operation: "RequestInquiry.create",
        method: "POST",
        message: expect.stringMatching(/^the top-up may have been made: .* Check `bunq account list` before/)
      })
      const [payments, accounts] = await Promise.all([
        cli([...alice.args(), "payment", "list", "--json"]),
        cli([...alice.args(), "account", "list", "--json"])
      ])
      expect(JSON.parse(payments.stdout).payments.map((p: { amount: string }) => p.amount).sort()).toEqual([
        "-1.25",
        "-1.50",
        "-2.50",
        "100.00",
        "3.00"
      ])
      expect(JSON.parse(accounts.stdout).accounts[0].balance).toBe("97.75")
    },
    2 * timeout
  )

  it("without --yes, standard input used for the key cannot confirm: refused at once, nothing sent", async () => {
    const alice = await newUser("erin")
    const keyPath = NodePath.join(dir, "erin-key")
    const before = (await Effect.runPromise(emulator.log)).length
    const [fromStdin, requestOutside] = await Promise.all([
      cliWithStdinFile(
        [
          "--base-url",
          url,
          "--context",
          NodePath.join(dir, "erin-stdin.json"),
          "--api-key-file",
          "-",
          "payment",
          "create",
          "--amount",
          "1",
          "--to",
          "NL91ABNA0417164300",
          "--name",
          "J. de Boer"
        ],
        keyPath
      ),
      cli([...alice.args(), "request", "create", "--amount", "1", "--from", "NL91ABNA0417164300"])
    ])
    expect(fromStdin.code).toBe(2)
    expect(fromStdin.stderr).toBe(
      "usage: standard input was read for --api-key-file -, so nothing is left to confirm with: pass --yes to make " +
        "the payment\n"
    )
    const sent = (await Effect.runPromise(emulator.log)).slice(before)
    expect(sent.filter((e) => e.method === "POST" && e.path.endsWith("/payment"))).toEqual([])
    // A request goes to a bunq user only: the emulator says so for an IBAN outside it.
    expect(requestOutside.code).toBe(1)
    expect(requestOutside.stderr).toContain("A request can only be sent to a bunq user")
  }, timeout)

  it.skipIf(!hasScript)("on a terminal the question stays whole: no progress line runs while it waits", async () => {
    const alice = await newUser("frank")
    const bob = await newUser("grace")
    await Effect.runPromise(emulator.topUp(alice.id, "10.00"))
    const command = [
      process.execPath,
      "--import",
      "tsx",
      "src/bin.ts",
      ...alice.args(),
      "payment",
      "create",
      "--amount",
      "1",
      "--to",
      bob.email
    ].map((arg) => `'${arg}'`).join(" ")
    // `script` gives the child a pseudo-terminal for stdin, stdout and stderr; the answer is typed into it.
    const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: packageDir, env: baseEnv(dir) })
    let output = ""
    let answered = false
    child.stdout.on("data", (chunk) => {
      output += String(chunk)
      if (!answered && output.includes("[y/N] ")) {
        answered = true
        // Long enough for a spinner to draw several frames (it starts after 150 ms, then every 80 ms).
        setTimeout(() => child.stdin.write("y\r"), 800)
      }
    })
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve))
    outputs.push({ code, stdout: output, stderr: "" })
    expect(code, output).toBe(0)
    const question =
      /Pay 1\.00 EUR from account \d+ \(NL\d{2}BUNQ\d{10}\) to sandbox\+\d+@bunq-emulator\.local\? \[y\/N\] /
        .exec(output)
    expect(question, output).not.toBeNull()
    // Between the question and the typed answer (echoed by the terminal): nothing, no spinner frame, no redraw.
    const afterQuestion = output.slice(question!.index + question![0].length)
    expect(afterQuestion.startsWith("y"), JSON.stringify(afterQuestion.slice(0, 80))).toBe(true)
    expect(output.slice(0, question!.index + question![0].length)).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] sending the payment/)
    expect(afterQuestion).toMatch(/Paid 1\.00 EUR to sandbox\+\d+@bunq-emulator\.local \(payment \d+\)\./)
  }, timeout)

  it("webhook listen prints each callback it receives (a line, or JSON); unused settings cannot stop it", async () => {
    const body = NodeFs.readFileSync(
      fileURLToPath(new URL("../../emulator/test/fixtures/money/Mutation.json", import.meta.url)),
      "utf8"
    )
    const listen = (json: boolean) =>
      new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
        const args = ["--import", "tsx", "src/bin.ts", "webhook", "listen", "--port", "0", ...(json ? ["--json"] : [])]
        // a setting it does not use cannot stop it (it sends nothing to bunq)
        const env = json ? { ...baseEnv(dir), BUNQ_TIMEOUT: "abc", BUNQ_ENVIRONMENT: "bogus" } : baseEnv(dir)
        const child = spawn(process.execPath, args, { cwd: packageDir, env })
        let stdout = ""
        let stderr = ""
        let posted = false
        child.stdout.on("data", (chunk) => {
          stdout += String(chunk)
          if (stdout.includes("\n")) child.kill("SIGINT")
        })
        child.stderr.on("data", (chunk) => {
          stderr += String(chunk)
          const match = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)
          if (match && !posted) {
            posted = true
            fetch(match[1]!, { method: "POST", body, headers: { "Content-Type": "application/json" } }).catch(reject)
          }
        })
        child.on("exit", () => resolve({ stdout, stderr }))
      })
    const [human, json] = await Promise.all([listen(false), listen(true)])
    expect(human.stderr).toMatch(/listening for bunq callbacks on http:\/\/127\.0\.0\.1:\d+\//)
    expect(human.stdout).toBe(
      "MUTATION MUTATION_CREATED Payment 108864 -24.95 EUR \"73d6df4a 680498 Your order #1234567\"\n"
    )
    expect(JSON.parse(json.stdout)).toEqual({
      category: "MUTATION",
      eventType: "MUTATION_CREATED",
      objectType: "Payment",
      id: 108864,
      amount: "-24.95",
      currency: "EUR",
      description: "73d6df4a 680498 Your order #1234567"
    })
  }, timeout)
})
