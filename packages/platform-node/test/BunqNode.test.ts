import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { tutorialConformance } from "../../api/test/Tutorial.js"
import type { EmulatorControl, RuntimeOptions } from "../../device-server/test/RuntimeConformance.js"
import { runtimeConformance } from "../../device-server/test/RuntimeConformance.js"
import { redisUrl } from "./utils/redis.js"

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-node-"))
const runtime = ManagedRuntime.make(BunqEmulatorServer.layer().pipe(Layer.provide(NodeSigner.layer)))
beforeAll(() => runtime.runPromise(Effect.void))
afterAll(() => runtime.dispose())

const emulator = <A>(f: (emulator: BunqEmulator.Emulator.Service) => Effect.Effect<A>) =>
  Effect.promise(() => runtime.runPromise(Effect.flatMap(BunqEmulator.Emulator, f)))

const control: EmulatorControl = {
  baseUrl: emulator((e) => e.url),
  createUser: emulator((e) => Effect.map(e.createSandboxUser(), (user) => user.apiKey)),
  log: emulator((e) => e.log),
  clearLog: emulator((e) => e.clearLog),
  expireSessions: emulator((e) => e.expireSessions),
  tamperNext: (method, path) => emulator((e) => e.injectFault({ _tag: "TamperedBody", method, path }))
}

const makeLayer = (options: RuntimeOptions) =>
  BunqNode.layer({
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    contextFile: Path.join(dir, `${options.store}.json`),
    permittedIps: ["*"],
    rateLimits: false
  })

runtimeConformance("BunqNode", control, makeLayer)
tutorialConformance("BunqNode", control, makeLayer)

// The same suite with the context in Redis (a store name is a key prefix there) and the Redis rate limiter.
const redisPrefix = `test-${crypto.randomUUID()}:`
runtimeConformance(
  "BunqNode with Redis",
  control,
  (options) =>
    BunqNode.layer({
      apiKey: options.apiKey,
      baseUrl: options.baseUrl,
      redis: { url: Redacted.make(redisUrl()), keyPrefix: `${redisPrefix}${options.store}:`, allowPlaintext: true },
      permittedIps: ["*"],
      rateLimits: false
    })
)

describe("BunqNode.layerConfig", () => {
  it.live("reads BUNQ_* from the environment: base URL, context file, passphrase (the file is encrypted)", () =>
    Effect.gen(function*() {
      const baseUrl = yield* emulator((e) => e.url)
      const apiKey = yield* emulator((e) => Effect.map(e.createSandboxUser(), (user) => Redacted.value(user.apiKey)))
      const file = Path.join(dir, "from-env.json")
      const provider = ConfigProvider.fromMap(
        new Map([
          ["BUNQ_API_KEY", apiKey],
          ["BUNQ_BASE_URL", baseUrl],
          ["BUNQ_CONTEXT_FILE", file],
          ["BUNQ_CONTEXT_PASSPHRASE", "env passphrase"],
          ["BUNQ_PERMITTED_IPS", "*"],
          ["BUNQ_RATE_LIMIT", "false"]
        ])
      )
      const layer = BunqNode.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(provider)))
      const config = yield* Effect.provide(BunqConfig.BunqConfig, layer)
      assert.strictEqual(config.baseUrl, baseUrl)
      const text = Fs.readFileSync(file, "utf8")
      assert.include(text, "effect-bunq/encrypted-file")
      assert.notInclude(text, apiKey)
      assert.strictEqual(Fs.statSync(file).mode & 0o777, 0o600)

      const missing = yield* Effect.flip(
        Effect.provide(
          BunqConfig.BunqConfig,
          BunqNode.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map()))))
        )
      )
      assert.include(String(missing), "BUNQ_API_KEY")

      // An empty passphrase is refused (Unsafe) before anything is sent, not taken as "no passphrase".
      const emptyFile = Path.join(dir, "empty-passphrase.json")
      const emptyPassphrase = yield* Effect.flip(
        Effect.provide(
          BunqConfig.BunqConfig,
          BunqNode.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
            new Map([
              ["BUNQ_API_KEY", apiKey],
              ["BUNQ_BASE_URL", baseUrl],
              ["BUNQ_CONTEXT_FILE", emptyFile],
              ["BUNQ_CONTEXT_PASSPHRASE", ""]
            ])
          ))))
        )
      )
      assert.include(String(emptyPassphrase), "Unsafe")
      assert.include(String(emptyPassphrase), "the passphrase is empty")
      assert.isFalse(Fs.existsSync(emptyFile))
    }))
})

describe("BunqNode.defaultContextFile", () => {
  it.effect("reads XDG_CONFIG_HOME through the ConfigProvider; unset or empty is ~/.config", () =>
    Effect.gen(function*() {
      const withVariables = (entries: ReadonlyArray<readonly [string, string]>) =>
        Effect.withConfigProvider(BunqNode.defaultContextFile, ConfigProvider.fromMap(new Map(entries)))
      assert.strictEqual(
        yield* withVariables([["XDG_CONFIG_HOME", "/srv/config"]]),
        Path.join("/srv/config", "effect-bunq", "context.json")
      )
      const home = Path.join(Os.homedir(), ".config", "effect-bunq", "context.json")
      assert.strictEqual(yield* withVariables([]), home)
      // empty means unset (XDG Base Directory): not a path relative to the working directory
      assert.strictEqual(yield* withVariables([["XDG_CONFIG_HOME", ""]]), home)
    }))
})

describe("BunqNode file lock", () => {
  it.live("two clients starting at once on one context file register one device between them", () =>
    Effect.gen(function*() {
      const baseUrl = yield* emulator((e) => e.url)
      const apiKey = yield* emulator((e) => Effect.map(e.createSandboxUser(), (user) => user.apiKey))
      const file = Path.join(dir, "shared.json")
      yield* emulator((e) => e.clearLog)
      const start = Effect.provide(
        Effect.flatMap(ApiContext.ApiContext, (context) => context.snapshot),
        BunqNode.layer({ apiKey, baseUrl, contextFile: file, permittedIps: ["*"], rateLimits: false })
      )
      const [a, b] = yield* Effect.all([start, start], { concurrency: 2 })
      const log = yield* emulator((e) => e.log)
      const posts = (suffix: string) => log.filter((entry) => entry.method === "POST" && entry.path.endsWith(suffix))
      assert.strictEqual(posts("/installation").length, 1)
      assert.strictEqual(posts("/device-server").length, 1)
      assert.deepStrictEqual(a.deviceId, b.deviceId)
      assert.strictEqual(a.keyPair.publicKeyPem, b.keyPair.publicKeyPem)
    }))
})
