// A fleet on one API key: several clients (each with its own Redis connection, BunqClient and ApiContext, as separate
// processes would have) against the emulator with bunq's rate limits on.
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as User from "@effect-bunq/device-server/User"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, ManagedRuntime, Option, Redacted } from "effect"
import { freePort } from "../../../scripts/redis-server.mjs"
import { freshPrefix, redisUrl, withOwnRedis } from "./utils/redis.js"

// bunq's limits, except that a session may be opened every 2 s instead of every 30 s (so a test can open two).
const sessionWindowSeconds = 2
const runtime = ManagedRuntime.make(
  BunqEmulatorServer.layer({
    rateLimits: { ...BunqEmulator.bunqRateLimits, sessionServer: { calls: 1, seconds: sessionWindowSeconds } }
  }).pipe(Layer.provide(NodeSigner.layer))
)
beforeAll(() => runtime.runPromise(Effect.void))
afterAll(() => runtime.dispose())

const emulator = <A>(f: (emulator: BunqEmulator.Emulator.Service) => Effect.Effect<A>) =>
  Effect.promise(() => runtime.runPromise(Effect.flatMap(BunqEmulator.Emulator, f)))

const count = (log: ReadonlyArray<BunqEmulator.LogEntry>, method: string, suffix: string) =>
  log.filter((entry) => entry.method === method && entry.path.endsWith(suffix)).length

/**
 * The layer of one member of a fleet on a fresh sandbox user, under a fresh Redis prefix. In plain text: encryption
 * is RedisContextStore.test.ts's (each scrypt run costs CPU time these tests need not).
 */
const fleetMember = Effect.gen(function*() {
  const baseUrl = yield* emulator((e) => e.url)
  const apiKey = yield* emulator((e) => Effect.map(e.createSandboxUser(), (user) => user.apiKey))
  const redis = { url: Redacted.make(redisUrl()), keyPrefix: freshPrefix(), allowPlaintext: true }
  return BunqNode.layer({
    apiKey,
    baseUrl,
    permittedIps: ["*"],
    redis,
    rateLimits: { sessionServer: { limit: 1, window: `${sessionWindowSeconds} seconds` } }
  })
})

describe("a fleet on one API key, through Redis", () => {
  it.live(
    "registers once, opens one session per refresh, and stays inside bunq's limits together",
    () =>
      Effect.gen(function*() {
        const member = yield* fleetMember
        yield* emulator((e) => e.clearLog)
        // Four members start at once; each makes 2 GETs on one endpoint.
        const users = yield* Effect.all(
          Array.from(
            { length: 4 },
            () => Effect.provide(Effect.all([User.get(), User.get()], { concurrency: 2 }), member)
          ),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(new Set(users.flat().map((user) => user.id)).size, 1)
        const log = yield* emulator((e) => e.log)
        assert.strictEqual(count(log, "POST", "/installation"), 1)
        assert.strictEqual(count(log, "POST", "/device-server"), 1)
        assert.strictEqual(count(log, "POST", "/session-server"), 1)
        assert.strictEqual(log.filter((e) => e.status === 429).length, 0, "429s at the emulator")
        assert.strictEqual(log.filter((e) => e.method === "GET" && e.path.startsWith("/user/")).length, 8)
      }),
    60_000
  )

  it.live(
    "after bunq ends the session, one member opens the next and the others take it from the store",
    () =>
      Effect.gen(function*() {
        const member = yield* fleetMember
        const tokens = yield* Effect.scoped(Effect.gen(function*() {
          const members = yield* Effect.all(Array.from({ length: 3 }, () => Layer.build(member)), { concurrency: 3 })
          const call = Effect.all(members.map((ctx) => Effect.provide(User.get(), ctx)), { concurrency: 3 })
          yield* call
          yield* emulator((e) => Effect.zipRight(e.expireSessions, e.clearLog))
          // Each member meets bunq's 401 and refreshes: one POST /session-server for the three.
          yield* call
          return yield* Effect.all(
            members.map((ctx) =>
              Effect.provide(
                Effect.flatMap(ApiContext.ApiContext, (c) => Effect.map(c.snapshot, (s) => s.session)),
                ctx
              )
            )
          )
        }))
        const log = yield* emulator((e) => e.log)
        assert.strictEqual(count(log, "POST", "/session-server"), 1)
        assert.strictEqual(log.filter((e) => e.method === "GET" && e.path.startsWith("/user/")).length, 6)
        const values = tokens.map((s) => Redacted.value(Option.getOrThrow(s).token))
        assert.strictEqual(new Set(values).size, 1)
      }),
    60_000
  )

  it.live("BUNQ_REDIS_URL turns it on; a Redis that is not there fails the layer naming the URL, not the password", () =>
    Effect.gen(function*() {
      const baseUrl = yield* emulator((e) => e.url)
      const apiKey = yield* emulator((e) => Effect.map(e.createSandboxUser(), (user) => Redacted.value(user.apiKey)))
      const port = yield* Effect.promise(() => freePort())
      const provider = ConfigProvider.fromMap(
        new Map([
          ["BUNQ_API_KEY", apiKey],
          ["BUNQ_BASE_URL", baseUrl],
          ["BUNQ_PERMITTED_IPS", "*"],
          ["BUNQ_REDIS_URL", `redis://:hunter2-secret@127.0.0.1:${port}`],
          ["BUNQ_REDIS_ALLOW_PLAINTEXT", "true"]
        ])
      )
      const error = yield* Effect.flip(
        Effect.provide(
          ApiContext.ApiContext,
          BunqNode.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(provider)))
        )
      )
      assert.strictEqual(error._tag, "ContextStoreError")
      assert.include(error.message, `Redis at redis://127.0.0.1:${port}`)
      assert.include(error.message, "Unreachable")
      assert.notInclude(error.message, "hunter2")
    }))

  it.live("a Redis that hangs: a request fails with TransportError after BUNQ_REDIS_COMMAND_TIMEOUT, unsent", () =>
    withOwnRedis((server) =>
      Effect.gen(function*() {
        const baseUrl = yield* emulator((e) => e.url)
        const apiKey = yield* emulator((e) => Effect.map(e.createSandboxUser(), (user) => Redacted.value(user.apiKey)))
        const provider = ConfigProvider.fromMap(
          new Map([
            ["BUNQ_API_KEY", apiKey],
            ["BUNQ_BASE_URL", baseUrl],
            ["BUNQ_PERMITTED_IPS", "*"],
            ["BUNQ_TIMEOUT", "2 seconds"],
            ["BUNQ_RETRY_MAX_ATTEMPTS", "1"],
            ["BUNQ_REDIS_URL", server.url],
            ["BUNQ_REDIS_PREFIX", freshPrefix()],
            ["BUNQ_REDIS_ALLOW_PLAINTEXT", "true"],
            ["BUNQ_REDIS_COMMAND_TIMEOUT", "300 millis"]
          ])
        )
        const layer = BunqNode.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(provider)))
        // The layer is closed with Redis still hung: that does not wait for Redis either.
        const error = yield* Effect.scoped(Effect.gen(function*() {
          const ctx = yield* Layer.build(layer)
          yield* Effect.provide(User.get(), ctx)
          yield* emulator((e) => e.clearLog)
          yield* server.hang
          return yield* Effect.flip(Effect.provide(User.get(), ctx))
        }))
        assert.strictEqual(error._tag, "TransportError")
        assert.strictEqual(error._tag === "TransportError" ? error.reason : "", "Network")
        assert.include(error.message, "no reply within 300ms")
        assert.strictEqual((yield* emulator((e) => e.log)).length, 0, "nothing was sent")
      })
    ))
})
