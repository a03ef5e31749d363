/**
 * `bunq oauth url` and `bunq oauth exchange` as child processes against an emulator over loopback: the URL and its
 * state, the user's consent (the emulator's helper), the redirect's state checked, the code exchanged with the client
 * secret from a file, the token written 0600 and used by `user show` as a `UserApiKey`; a wrong state, a secret on
 * argv (warned about), a reused code. The code is spent only when everything else is right: an `--output` file that
 * exists or cannot be created, an empty client secret, two options reading standard input are refused first (and
 * the code then still works); a failed exchange leaves no `--output` file; the redirect and the code from stdin.
 */
import * as OAuth from "@effect-bunq/device-server/OAuth"
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

const cli = (
  args: ReadonlyArray<string>,
  options?: { readonly input?: string; readonly env?: Readonly<Record<string, string>> }
): Promise<Run> =>
  new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {}
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("BUNQ_")) env[key] = value
    const child = execFile(
      process.execPath,
      ["--import", "tsx", "src/bin.ts", ...args],
      { cwd: packageDir, env: { ...env, ...options?.env, NO_COLOR: "1", HOME: dir }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
    child.stdin?.end(options?.input ?? "")
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

  it(
    "exchange spends the code only when the rest is right: --output checked first, removed when the exchange fails",
    async () => {
      const alice = await Effect.runPromise(emulator.createSandboxUser())
      const redirectUri = "https://app.example/cb"
      const client = await Effect.runPromise(emulator.createOAuthClient({ redirectUris: [redirectUri] }))
      const secretFile = NodePath.join(dir, "client-secret-2")
      NodeFs.writeFileSync(secretFile, `${Redacted.value(client.clientSecret)}\n`, { mode: 0o600 })
      const oauthUrl = `${new URL(url).origin}/oauth`
      const common = [
        "--base-url",
        url,
        "--oauth-url",
        oauthUrl,
        "--client-id",
        client.clientId,
        "--redirect-uri",
        redirectUri
      ]
      const authorization = await Effect.runPromise(
        OAuth.authorize({ clientId: client.clientId, redirectUri, endpoints: OAuth.customEndpoints(oauthUrl) })
      )
      const redirect = await Effect.runPromise(emulator.authorizeOAuth({ url: authorization.url, user: alice }))
      const fromStdin = ["--callback", "-", "--state", authorization.state]
      const withSecret = [...common, ...fromStdin, "--client-secret-file", secretFile]
      const onArgv = [
        ...common,
        "--callback",
        redirect,
        "--state",
        authorization.state,
        "--client-secret-file",
        secretFile
      ]

      const taken = NodePath.join(dir, "taken.token")
      NodeFs.writeFileSync(taken, "keep me\n", { mode: 0o600 })
      const [exists, noDirectory, emptySecret, twoStdin] = await Promise.all([
        cli(["oauth", "exchange", ...onArgv, "--output", taken]),
        cli(["oauth", "exchange", ...onArgv, "--output", NodePath.join(dir, "missing", "alice.token")]),
        cli(["oauth", "exchange", ...common, ...fromStdin], { input: redirect, env: { BUNQ_OAUTH_CLIENT_SECRET: "" } }),
        cli(["oauth", "exchange", ...common, ...fromStdin, "--client-secret-file", "-"], { input: redirect })
      ])
      expect(exists.code).toBe(2)
      expect(exists.stderr).toContain("exists already (never overwritten); nothing was sent, the code is unused")
      expect(NodeFs.readFileSync(taken, "utf8")).toBe("keep me\n")
      expect(noDirectory.code).toBe(2)
      expect(noDirectory.stderr).toContain("its directory does not exist")
      expect(emptySecret.code).toBe(2)
      expect(emptySecret.stderr).toContain("the client secret is empty")
      expect(twoStdin.code).toBe(2)
      expect(twoStdin.stderr).toContain("only one of --client-secret-file, --callback can read standard input")

      // none of them spent the code: the redirect from stdin, exchanged now
      const tokenFile = NodePath.join(dir, "alice-2.token")
      const exchanged = await cli(["oauth", "exchange", ...withSecret, "--output", tokenFile, "--json"], {
        input: `${redirect}\n`
      })
      expect(exchanged.stderr).toBe("")
      expect(exchanged.code).toBe(0)
      expect(NodeFs.statSync(tokenFile).mode & 0o777).toBe(0o600)
      const token = NodeFs.readFileSync(tokenFile, "utf8").trim()
      expect(token).toMatch(/^[0-9a-f]{64}$/)

      // spent now (the code from stdin this time): the exchange fails, and its --output file is gone again
      const refusedFile = NodePath.join(dir, "refused.token")
      const reused = await cli(
        ["oauth", "exchange", ...common, "--code", "-", "--client-secret-file", secretFile, "--output", refusedFile],
        { input: new URL(redirect).searchParams.get("code")! }
      )
      expect(reused.code).toBe(1)
      expect(reused.stderr).toContain("InvalidGrant")
      expect(NodeFs.existsSync(refusedFile)).toBe(false)
      for (const run of [exists, noDirectory, emptySecret, twoStdin, exchanged, reused]) {
        expect(run.stdout + run.stderr).not.toContain(Redacted.value(client.clientSecret))
        expect(run.stdout + run.stderr).not.toContain(token)
      }
    },
    timeout
  )
})
