import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as Redis from "@effect-bunq/platform-node/Redis"
import * as RedisContextStore from "@effect-bunq/platform-node/RedisContextStore"
import * as Signer from "@effect-bunq/signer/Signer"
import { assert, describe, it } from "@effect/vitest"
import { Cause, DateTime, Deferred, Effect, Exit, Fiber, Layer, Option, Redacted } from "effect"
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { freePort, startRedisServer } from "../../../scripts/redis-server.mjs"
import { freshPrefix, redisLayer, redisUrl, withOwnRedis } from "./utils/redis.js"

const sessionToken = "SESSION-5ecr3t-token-0001"
const installationToken = "INSTALLATION-5ecr3t-token-0002"

const savedContext = Effect.gen(function*() {
  const signer = yield* Signer.Signer
  const keyPair = yield* signer.generateKeyPair({ extractable: true })
  const context: ContextStore.SavedContext = {
    version: ContextStore.currentVersion,
    environment: "http://127.0.0.1:1/v1",
    apiKeyFingerprint: "sha256:00",
    keyPair,
    installation: {
      id: Option.some(1),
      token: Redacted.make(installationToken),
      serverPublicKey: keyPair.publicKeyPem
    },
    deviceId: Option.some(2),
    session: Option.some({
      id: Option.some(3),
      token: Redacted.make(sessionToken),
      expiresAt: DateTime.unsafeMake(Date.now() + 60_000),
      userId: 4
    })
  }
  return context
})

const storeLayer = (prefix: string, options: RedisContextStore.Options = { allowPlaintext: true }) =>
  RedisContextStore.layer(options).pipe(Layer.provideMerge(redisLayer(prefix)), Layer.provideMerge(NodeSigner.layer))

const useStore = <A, E>(
  prefix: string,
  f: (store: ContextStore.ContextStore.Service) => Effect.Effect<A, E, Redis.Redis | Signer.Signer>,
  options?: RedisContextStore.Options
) =>
  Effect.scoped(
    Effect.flatMap(Layer.build(storeLayer(prefix, options)), (ctx) =>
      Effect.provide(Effect.flatMap(ContextStore.ContextStore, f), ctx))
  )

const raw = (prefix: string, key: string) =>
  Effect.scoped(Effect.flatMap(Layer.build(redisLayer(prefix)), (ctx) =>
    Effect.provide(
      Effect.flatMap(Redis.Redis, (redis) => redis.use((client) => client.hget(`${prefix}context:${key}`, "document"))),
      ctx
    )))

describe("RedisContextStore", () => {
  it.live("saves, loads and removes a context (the versioned document every store writes)", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const context = yield* Effect.provide(savedContext, NodeSigner.layer)
      const loaded = yield* useStore(prefix, (store) =>
        Effect.gen(function*() {
          assert.isTrue(Option.isNone(yield* store.load("default")))
          yield* store.save("default", context)
          const loaded = yield* store.load("default")
          yield* store.remove("default")
          assert.isTrue(Option.isNone(yield* store.load("default")))
          yield* store.save("other", context)
          return loaded
        }))
      const value = Option.getOrThrow(loaded)
      assert.strictEqual(Redacted.value(Option.getOrThrow(value.session).token), sessionToken)
      assert.deepStrictEqual(value.deviceId, Option.some(2))
      assert.strictEqual(value.keyPair.publicKeyPem, context.keyPair.publicKeyPem)
      // The stored form is the ContextDocument every store writes (the plain-text store was asked for here).
      const document = JSON.parse(Option.getOrThrow(Option.fromNullable(yield* raw(prefix, "other"))))
      assert.strictEqual(document.version, 1)
      assert.strictEqual(document.installation.token, installationToken)
    }))

  it.live("refuses to keep secrets in the clear unless asked: no passphrase is Unsafe", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(useStore(freshPrefix(), () => Effect.void, {}))
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause : undefined
      assert.include(String(error), "Unsafe")
      assert.include(String(error), "in the clear")
    }))

  it.live("an empty passphrase is Unsafe, even with plain text allowed: nothing is encrypted under it", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      for (const allowPlaintext of [false, true]) {
        const error = yield* Effect.flip(
          useStore(prefix, () => Effect.void, { passphrase: Redacted.make(""), allowPlaintext })
        )
        assert.strictEqual(error.reason, "Unsafe")
        assert.include(error.message, "the passphrase is empty")
      }
      assert.isNull(yield* raw(prefix, "default"))
    }))

  it.live("encrypts with the file store's scheme: no secret in Redis, a wrong passphrase is WrongPassphrase", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const context = yield* Effect.provide(savedContext, NodeSigner.layer)
      const passphrase = Redacted.make("fleet passphrase")
      yield* useStore(prefix, (store) => store.save("default", context), { passphrase })
      const stored = Option.getOrThrow(Option.fromNullable(yield* raw(prefix, "default")))
      assert.include(stored, "effect-bunq/encrypted-file")
      assert.notInclude(stored, sessionToken)
      assert.notInclude(stored, installationToken)
      assert.notInclude(stored, "PRIVATE KEY")
      const loaded = yield* useStore(prefix, (store) => store.load("default"), { passphrase })
      assert.strictEqual(Redacted.value(Option.getOrThrow(Option.getOrThrow(loaded).session).token), sessionToken)
      const wrong = yield* Effect.flip(
        useStore(prefix, (store) => store.load("default"), { passphrase: Redacted.make("wrong") })
      )
      assert.strictEqual(wrong.reason, "WrongPassphrase")
      const plain = yield* Effect.flip(useStore(prefix, (store) => store.load("default"), { allowPlaintext: true }))
      assert.strictEqual(plain.reason, "WrongPassphrase")
      assert.notInclude(plain.message, "fleet passphrase")
    }))

  it.live("withLock: two connections never run their critical sections at once", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      let inside = 0
      let overlaps = 0
      let runs = 0
      const critical = Effect.gen(function*() {
        inside++
        if (inside > 1) overlaps++
        yield* Effect.sleep("5 millis")
        inside--
        runs++
      })
      const worker = useStore(prefix, (store) =>
        Effect.all(Array.from({ length: 10 }, () => store.withLock("default", critical)), { concurrency: 3 }))
      yield* Effect.all([worker, worker, worker], { concurrency: "unbounded" })
      assert.strictEqual(runs, 30)
      assert.strictEqual(overlaps, 0)
    }))

  it.live("fencing: a holder whose lease expired cannot overwrite what the next holder wrote", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const context = yield* Effect.provide(savedContext, NodeSigner.layer)
      const newer = { ...context, deviceId: Option.some(99) }
      const options = { allowPlaintext: true, lockTtl: "300 millis" } as const
      const result = yield* useStore(prefix, (a) =>
        useStore(prefix, (b) =>
          Effect.gen(function*() {
            // A pauses while holding the lock: its lease is taken away (as if it stalled past the TTL) …
            const stale = yield* Effect.fork(a.withLock(
              "default",
              Effect.gen(function*() {
                yield* Effect.flatMap(Redis.Redis, (redis) => redis.use((c) => c.del(`${prefix}lock:default`)))
                yield* Effect.sleep("300 millis")
                return yield* Effect.either(a.save("default", context))
              })
            ))
            // … B takes the lock and writes a newer context meanwhile.
            yield* Effect.sleep("100 millis")
            yield* b.withLock("default", b.save("default", newer))
            const staleWrite = yield* Fiber.join(stale)
            // A write outside any lock is refused while another process holds it.
            const outside = yield* b.withLock("default", Effect.flip(a.save("default", context)))
            return { staleWrite, outside, loaded: yield* b.load("default") }
          }), options), options)
      assert.strictEqual(result.staleWrite._tag, "Left")
      assert.strictEqual(result.staleWrite._tag === "Left" ? result.staleWrite.left.reason : "", "Locked")
      assert.include(result.staleWrite._tag === "Left" ? result.staleWrite.left.message : "", "lock expired")
      assert.strictEqual(result.outside.reason, "Locked")
      assert.deepStrictEqual(Option.getOrThrow(result.loaded).deviceId, Option.some(99))
    }))

  it.live("a process SIGKILLed while holding the lock blocks the others for the TTL, not longer", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const child = ChildProcess.spawn(
        process.execPath,
        ["--import", "tsx", Path.join(import.meta.dirname, "fixtures", "holdRedisLock.ts"), redisUrl(), prefix, "1000"],
        { stdio: ["ignore", "pipe", "inherit"] }
      )
      yield* Effect.async<void>((resume) => {
        child.stdout!.on("data", (data: Buffer) => {
          if (data.toString().includes("holding")) resume(Effect.void)
        })
      })
      child.kill("SIGKILL")
      const killedAt = Date.now()
      yield* useStore(prefix, (store) => store.withLock("default", Effect.void), {
        allowPlaintext: true,
        lockTtl: "1 second"
      })
      const waited = Date.now() - killedAt
      // The holder renews every TTL/3, so its lease ends between 2/3 TTL and a TTL after the kill.
      assert.isAtLeast(waited, 500)
      assert.isBelow(waited, 2000)
    }))

  it.live("a waiter for the lock stops at once when interrupted, not after lockTimeout", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const options = { allowPlaintext: true, lockTimeout: "2 seconds" } as const
      yield* useStore(prefix, (a) =>
        useStore(prefix, (b) =>
          Effect.gen(function*() {
            const held = yield* Deferred.make<void>()
            const release = yield* Deferred.make<void>()
            const holder = yield* Effect.fork(
              a.withLock("default", Effect.zipRight(Deferred.succeed(held, undefined), Deferred.await(release)))
            )
            yield* Deferred.await(held)
            let ran = false
            const waiter = yield* Effect.fork(b.withLock("default", Effect.sync(() => (ran = true))))
            // Long enough for a few tries (one every 50–100 ms).
            yield* Effect.sleep("300 millis")
            const exit = yield* Fiber.interrupt(waiter)
            // Interrupted while it waited: not a `Locked` failure after lockTimeout (which it used to wait for).
            assert.isTrue(
              Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause),
              Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "it ran"
            )
            assert.isFalse(ran)
            // … and it stopped while the holder still held the lock.
            assert.isTrue(Option.isNone(yield* Fiber.poll(holder)))
            yield* Deferred.succeed(release, undefined)
            yield* Fiber.join(holder)
            // The lock is free again: the waiter left nothing behind.
            yield* b.withLock("default", Effect.void)
          }), options), options)
    }))

  it.live("a lock taken while its waiter is being interrupted is released, not left to its TTL", () =>
    withOwnRedis((server) =>
      Effect.scoped(Effect.gen(function*() {
        const prefix = freshPrefix()
        const ctx = yield* Layer.build(
          RedisContextStore.layer({ allowPlaintext: true }).pipe(
            Layer.provideMerge(redisLayer(prefix, server.url)),
            Layer.provideMerge(NodeSigner.layer)
          )
        )
        const store = yield* Effect.provide(ContextStore.ContextStore, ctx)
        const redis = yield* Effect.provide(Redis.Redis, ctx)
        yield* server.hang
        let ran = false
        // The lock is free: the first try takes it, but Redis runs it only when it wakes up.
        const waiter = yield* Effect.fork(store.withLock("default", Effect.sync(() => (ran = true))))
        yield* Effect.sleep("100 millis")
        const interrupting = yield* Effect.fork(Fiber.interrupt(waiter))
        yield* Effect.sleep("100 millis")
        yield* server.wake
        const exit = yield* Fiber.join(interrupting)
        assert.isTrue(Exit.isInterrupted(exit))
        assert.isFalse(ran)
        assert.strictEqual(yield* redis.use((client) => client.exists(`${prefix}lock:default`)), 0)
      }))
    ))

  it.live("a lost fence counter (evicted, not restored) does not refuse the next holders' writes", () =>
    Effect.gen(function*() {
      const prefix = freshPrefix()
      const context = yield* Effect.provide(savedContext, NodeSigner.layer)
      const fences = yield* useStore(prefix, (store) =>
        Effect.gen(function*() {
          const redis = yield* Redis.Redis
          const fence = redis.use((client) => client.hget(`${prefix}context:default`, "fence")).pipe(Effect.map(Number))
          for (let i = 0; i < 3; i++) yield* store.withLock("default", store.save("default", context))
          const before = yield* fence
          yield* redis.use((client) => client.del(`${prefix}fence:default`))
          // The next locked save is written at once (it was refused with `Locked` until the counter climbed back).
          yield* store.withLock("default", store.save("default", { ...context, deviceId: Option.some(7) }))
          const after = yield* fence
          const counter = Number(yield* redis.use((client) => client.get(`${prefix}fence:default`)))
          return { before, after, counter }
        }))
      assert.strictEqual(fences.before, 3)
      assert.strictEqual(fences.after, 4)
      assert.strictEqual(fences.counter, 4)
      const loaded = yield* useStore(prefix, (store) => store.load("default"))
      assert.deepStrictEqual(Option.getOrThrow(loaded).deviceId, Option.some(7))
    }))
})

describe("Redis faults", () => {
  it.live("unreachable at start: a typed error naming the URL without its password", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(() => freePort())
      const error = yield* Effect.flip(
        Effect.scoped(Redis.make({ url: Redacted.make(`redis://:hunter2-secret@127.0.0.1:${port}/0`) }))
      )
      assert.strictEqual(error.reason, "Unreachable")
      assert.include(error.message, `redis://127.0.0.1:${port}`)
      assert.notInclude(error.message, "hunter2")
      assert.notInclude(JSON.stringify(error), "hunter2")
    }))

  it.live("a restart mid-run: typed errors while down, then it recovers by itself, nothing lost", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => import("node:fs").then((fs) => fs.mkdtempSync("/tmp/effect-bunq-redis-")))
      // This server persists (append-only file): a restart keeps what was written, as a production Redis would.
      const persistent = ["--dir", dir, "--appendonly", "yes", "--appendfsync", "always"]
      let server = yield* Effect.promise(() => startRedisServer({ args: persistent }))
      const prefix = freshPrefix()
      const context = yield* Effect.provide(savedContext, NodeSigner.layer)
      const layer = RedisContextStore.layer({ allowPlaintext: true }).pipe(
        Layer.provideMerge(redisLayer(prefix, server.url)),
        Layer.provideMerge(NodeSigner.layer)
      )
      const result = yield* Effect.scoped(Effect.gen(function*() {
        const ctx = yield* Layer.build(layer)
        const store = Effect.provide(ContextStore.ContextStore, ctx)
        yield* Effect.flatMap(store, (s) => s.save("default", context))
        yield* Effect.promise(() => server.stop())
        const down = yield* Effect.flip(Effect.flatMap(store, (s) => s.load("default")))
        server = yield* Effect.promise(() => startRedisServer({ port: server.port, args: persistent }))
        // Reconnects by itself (within a second).
        let loaded: Option.Option<ContextStore.SavedContext> = Option.none()
        for (let i = 0; i < 40 && Option.isNone(loaded); i++) {
          loaded = yield* Effect.orElseSucceed(Effect.flatMap(store, (s) => s.load("default")), () => Option.none())
          if (Option.isNone(loaded)) yield* Effect.sleep("50 millis")
        }
        return { down, loaded }
      })).pipe(Effect.ensuring(Effect.promise(() => server.stop())))
      assert.strictEqual(result.down.reason, "Io")
      assert.include(result.down.message, "Redis at redis://127.0.0.1:")
      assert.deepStrictEqual(Option.getOrThrow(result.loaded).deviceId, Option.some(2))
    }))

  it.live("a Redis that hangs: calls fail with typed errors after commandTimeout, and closing does not wait for it", () =>
    withOwnRedis((server) =>
      Effect.gen(function*() {
        const prefix = freshPrefix()
        const layer = RedisContextStore.layer({ allowPlaintext: true }).pipe(
          Layer.provideMerge(
            Redis.layer({ url: Redacted.make(server.url), keyPrefix: prefix, commandTimeout: "300 millis" })
          ),
          Layer.provideMerge(NodeSigner.layer)
        )
        const { client, direct, load } = yield* Effect.scoped(Effect.gen(function*() {
          const ctx = yield* Layer.build(layer)
          const redis = yield* Effect.provide(Redis.Redis, ctx)
          const store = yield* Effect.provide(ContextStore.ContextStore, ctx)
          yield* server.hang
          const direct = yield* Effect.flip(redis.use((client) => client.ping()))
          const load = yield* Effect.flip(store.load("default"))
          // The scope closes here, with Redis still hung: QUIT gets commandTimeout, then the connection is dropped.
          return { client: redis.client, direct, load }
        }))
        assert.strictEqual(direct.reason, "Unavailable")
        assert.include(direct.message, "no reply within 300ms")
        assert.strictEqual(load.reason, "Io")
        assert.include(load.message, "no reply within 300ms")
        assert.include(load.message, `Redis at ${server.url}`)
        // Closed without a word from Redis: the connection is being dropped (ioredis destroys the socket if Redis does
        // not close its side within 2 s), and it does not reconnect.
        assert.isTrue(client.stream.writableEnded)
        yield* Effect.async<void>((resume) => {
          if (client.status === "end") resume(Effect.void)
          else client.once("end", () => resume(Effect.void))
        })
        assert.strictEqual(client.status, "end")
      })
    ))
})
