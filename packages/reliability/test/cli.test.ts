/**
 * The `bunq` command (packages/cli) as a child process with `--verbose` (human and `--json` output) against an
 * emulator served over HTTP, through a recording proxy that captures every secret on the wire: the API key, every
 * installation and session token, every client and server signature. Failures are forced (a 500 on a GET, a
 * tampered response, a 491 while opening a session after the server ended the session, a connection reset). No
 * secret — nor the private key from the saved context file — may appear in stdout or stderr.
 * (The CLI package's own tests check its commands and outputs; this adds forced failures and the wire secrets.)
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { sharedServerKeyPair } from "./utils/setup.js"

const cliDir = Path.join(import.meta.dirname, "..", "..", "cli")

interface Run {
  readonly args: ReadonlyArray<string>
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

let dir = ""
let scope: Scope.CloseableScope
let emulator: BunqEmulator.Emulator.Service
let proxy: Http.Server
let proxyUrl = ""
const hopByHop = ["host", "connection", "keep-alive", "content-length", "transfer-encoding", "expect", "upgrade"]
let apiKey = ""
const wireSecrets = new Set<string>()

/** Forwards to the emulator and records secrets from request and response headers and bodies. */
const startProxy = (emulatorOrigin: string) =>
  new Promise<void>((resolve) => {
    proxy = Http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", async () => {
        for (const name of ["x-bunq-client-authentication", "x-bunq-client-signature"]) {
          const value = request.headers[name]
          if (typeof value === "string") wireSecrets.add(value)
        }
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value === "string" && !hopByHop.includes(name)) headers[name] = value
        }
        try {
          const body = Buffer.concat(chunks)
          const answer = await fetch(`${emulatorOrigin}${request.url}`, {
            method: request.method!,
            headers,
            ...(body.length > 0 ? { body } : {})
          })
          const bytes = Buffer.from(await answer.arrayBuffer())
          const signature = answer.headers.get("x-bunq-server-signature")
          if (signature !== null) wireSecrets.add(signature)
          const texts = body.toString("utf8") + bytes.toString("utf8")
          for (const match of texts.matchAll(/"(?:token|api_key|secret)"\s*:\s*"([^"]+)"/g)) {
            wireSecrets.add(match[1]!)
          }
          const out: Record<string, string> = {}
          answer.headers.forEach((value, name) => {
            if (!["content-length", "transfer-encoding", "connection", "content-encoding"].includes(name)) {
              out[name] = value
            }
          })
          response.writeHead(answer.status, out)
          response.end(bytes)
        } catch (error) {
          // The emulator reset the connection: do the same.
          proxyErrors.push(String(error))
          request.socket.destroy()
        }
      })
    })
    proxy.listen(0, "127.0.0.1", () => {
      const address = proxy.address() as { port: number }
      proxyUrl = `http://127.0.0.1:${address.port}/v1`
      resolve()
    })
  })

const runs: Array<Run> = []
const proxyErrors: Array<string> = []

const bunq = (args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (!key.startsWith("BUNQ_") && key !== "FORCE_COLOR") env[key] = value
    }
    const all = [...args, "--verbose", "--base-url", proxyUrl, "--context", Path.join(dir, "context.json")]
    execFile(
      process.execPath,
      ["--import", "tsx", "src/bin.ts", ...all],
      {
        cwd: cliDir,
        env: { ...env, NO_COLOR: "1", HOME: dir, XDG_CONFIG_HOME: dir, BUNQ_API_KEY: apiKey },
        timeout: 120_000
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
        const run = { args, code, stdout, stderr }
        runs.push(run)
        resolve(run)
      }
    )
  })

beforeAll(async () => {
  dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-reliability-cli-"))
  scope = Effect.runSync(Scope.make())
  const serverKeyPair = await Effect.runPromise(sharedServerKeyPair)
  const context = await Effect.runPromise(
    Layer.buildWithScope(BunqEmulatorServer.layer({ serverKeyPair }).pipe(Layer.provide(NodeSigner.layer)), scope)
  )
  emulator = Context.get(context, BunqEmulator.Emulator)
  const url = await Effect.runPromise(emulator.url)
  await startProxy(new URL(url).origin)
  apiKey = Redacted.value((await Effect.runPromise(emulator.createSandboxUser())).apiKey)
}, 60_000)

afterAll(async () => {
  proxy?.close()
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

const fault = (f: BunqEmulator.Fault) => Effect.runPromise(emulator.injectFault(f))

describe("the bunq command", () => {
  it("prints no secret with --verbose, in success and in forced failures", async () => {
    const ok1 = await bunq(["device", "list"])
    assert.strictEqual(ok1.code, 0, `${ok1.stderr} ${proxyErrors.join("; ")}`)
    assert.include(ok1.stderr, "POST /v1/session-server")

    await fault({ _tag: "Status", status: 500, method: "GET", path: "/user/*", times: 10 })
    const serverError = await bunq(["user", "show", "--json"])
    await Effect.runPromise(emulator.clearFaults)

    await fault({ _tag: "TamperedBody", method: "GET", path: "/device-server", times: 10 })
    const tampered = await bunq(["device", "list"])
    await Effect.runPromise(emulator.clearFaults)

    await Effect.runPromise(emulator.expireSessions)
    await fault({ _tag: "Status", status: 491, method: "POST", path: "/session-server" })
    const maintenance = await bunq(["user", "show"])

    await fault({ _tag: "ConnectionReset", afterProcessing: true, method: "DELETE", path: "/session/*" })
    const reset = await bunq(["session", "close", "--json"])
    await Effect.runPromise(emulator.clearFaults)

    for (const failed of [serverError, tampered, maintenance, reset]) {
      assert.notStrictEqual(failed.code, 0, `${failed.args.join(" ")} succeeded: ${failed.stdout}`)
    }
    assert.include(tampered.stderr + tampered.stdout, "InvalidSignature")
    assert.include(maintenance.stderr + maintenance.stdout, "491")

    // The saved context's tokens and private key, too.
    const saved = JSON.parse(Fs.readFileSync(Path.join(dir, "context.json"), "utf8"))
    const fromFile: Array<string> = []
    const walk = (value: unknown, key: string) => {
      if (typeof value === "string" && key === "token") fromFile.push(value)
      else if (typeof value === "string" && key === "privateKeyPem") {
        const lines = value.split("\n").filter((line) => line !== "" && !line.startsWith("-----"))
        fromFile.push(lines.join(""), ...lines.filter((line) => line.length >= 16))
      } else if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) walk(v, k)
      }
    }
    walk(saved, "")
    const secrets = [apiKey, ...wireSecrets, ...fromFile]
    // The API key (sent in POST /device-server and /session-server bodies), tokens of both kinds, signatures.
    assert.isTrue(wireSecrets.has(apiKey))
    assert.isAtLeast(wireSecrets.size, 10)
    assert.isAtLeast(fromFile.length, 3)
    for (const run of runs) {
      for (const secret of secrets) {
        assert.notInclude(run.stdout, secret, `stdout of bunq ${run.args.join(" ")}`)
        assert.notInclude(run.stderr, secret, `stderr of bunq ${run.args.join(" ")}`)
      }
    }
  }, 300_000)
})
