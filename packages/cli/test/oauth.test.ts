/**
 * `bunq oauth url` and `bunq oauth exchange` as child processes against an emulator over loopback: the URL and its
 * state, the user's consent (the emulator's helper), the redirect's state checked, the code exchanged with the client
 * secret from a file, the token written 0600 and used by `user show` as a `UserApiKey`; a wrong state, a secret on
 * argv (warned about), a reused code.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import { Context, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { execFile } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const timeout = 240_000

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

let dir: string
let url: string
let scope: Scope.CloseableScope
let emulator: BunqEmulator.Emulator["Type"]

const cli = (args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {}
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("BUNQ_")) env[key] = value
    execFile(
      process.execPath,
      ["--import", "tsx", "src/bin.ts", ...args],
      { cwd: packageDir, env: { ...env, NO_COLOR: "1", HOME: dir }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })

beforeAll(async () => {
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "effect-bunq-cli-oauth-"))
  scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(
    Layer.buildWithScope(BunqEmulatorServer.layer({}).pipe(Layer.provide(NodeSigner.layer)), scope)
  )
  emulator = Context.get(context, BunqEmulator.Emulator)
  url = await Effect.runPromise(emulator.url)
}, timeout)

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  NodeFs.rmSync(dir, { recursive: true, force: true })
})

describe("bunq oauth", () => {
  it("url → consent → exchange (state checked, secret from a file, token to a 0600 file) → user show", async () => {
    const alice = await Effect.runPromise(emulator.createSandboxUser())
    const redirectUri = "https://app.example/cb"
    const client = await Effect.runPromise(emulator.createOAuthClient({ redirectUris: [redirectUri] }))
    const secret = Redacted.value(client.clientSecret)
    const secretFile = NodePath.join(dir, "client-secret")
    NodeFs.writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 })
    const common = [
      "--base-url",
      url,
      "--oauth-url",
      `${new URL(url).origin}/oauth`,
      "--client-id",
      client.clientId,
      "--redirect-uri",
      redirectUri
    ]

    const [first, second] = await Promise.all([
      cli(["oauth", "url", ...common, "--json"]),
      cli(["oauth", "url", ...common])
    ])
    expect(first.code).toBe(0)
    const { state, url: authorizationUrl } = JSON.parse(first.stdout)
    expect(state).toMatch(/^[0-9a-f]{64}$/)
    expect(new URL(authorizationUrl).searchParams.get("state")).toBe(state)
    expect(second.stdout).toContain("state ")
    expect(second.stdout).not.toContain(state)

    const redirect = await Effect.runPromise(emulator.authorizeOAuth({ url: authorizationUrl, user: alice }))
    const tokenFile = NodePath.join(dir, "alice.token")
    const [wrongState, exchanged] = await Promise.all([
      cli([
        "oauth",
        "exchange",
        ...common,
        "--callback",
        redirect,
        "--state",
        "0".repeat(64),
        "--client-secret-file",
        secretFile
      ]),
      cli([
        "oauth",
        "exchange",
        ...common,
        "--callback",
        redirect,
        "--state",
        state,
        "--client-secret-file",
        secretFile,
        "--output",
        tokenFile,
        "--json"
      ])
    ])
    expect(wrongState.code).toBe(1)
    expect(wrongState.stderr).toContain("StateMismatch")
    expect(exchanged.stderr).toBe("")
    expect(exchanged.code).toBe(0)
    expect(JSON.parse(exchanged.stdout)).toEqual({ output: tokenFile, tokenType: "bearer" })
    expect(NodeFs.statSync(tokenFile).mode & 0o777).toBe(0o600)
    const token = NodeFs.readFileSync(tokenFile, "utf8").trim()
    expect(token).toMatch(/^[0-9a-f]{64}$/)

    const code = new URL(redirect).searchParams.get("code")!
    const [shown, reused] = await Promise.all([
      cli([
        "--base-url",
        url,
        "--context",
        NodePath.join(dir, "context.json"),
        "--store-key",
        "alice",
        "--api-key-file",
        tokenFile,
        "user",
        "show",
        "--json"
      ]),
      cli(["oauth", "exchange", ...common, "--code", code, "--client-secret", secret, "--json"])
    ])
    expect(shown.code).toBe(0)
    const user = JSON.parse(shown.stdout)
    expect(user.type).toBe("UserApiKey")
    expect(user.id).not.toBe(alice.id)
    // the secret on argv works but warns; the code was used already
    expect(reused.stderr).toContain("warning: --client-secret on the command line")
    expect(reused.code).toBe(1)
    expect(JSON.parse(reused.stderr.split("\n").filter((line) => line.startsWith("{"))[0]!)).toMatchObject({
      error: "OAuthError",
      reason: "InvalidGrant"
    })
    for (const run of [first, second, wrongState, exchanged, shown, reused]) {
      expect(run.stdout + run.stderr).not.toContain(secret)
      expect(run.stdout + run.stderr).not.toContain(token)
    }
  }, timeout)
})
