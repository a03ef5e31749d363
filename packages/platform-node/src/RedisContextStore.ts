/**
 * A `ContextStore` in Redis, for a fleet of processes on one bunq API key: they share one installation, one device
 * and one session instead of each registering its own.
 *
 * - Each context is one Redis hash, `<prefix>context:<key>`: the document (`ContextDocument.ContextDocumentV1`, the
 *   serialized form of every store) and the fence of the lock holder that wrote it.
 * - With a passphrase, the document is encrypted exactly like the file store's (AES-256-GCM under a scrypt-derived
 *   key, fresh salt and IV per write: the same module). Without one, the private key and tokens sit in Redis in the
 *   clear only when asked for (`allowPlaintext`; without either, building the store fails with `Unsafe`).
 * - `withLock` (what `ApiContext` registers and opens sessions under) is a lease: `SET <prefix>lock:<key> <token> NX
 *   PX <ttl>`, renewed every third of the TTL while the holder runs, released only by the token that took it. A
 *   process killed while it holds the lock blocks the others for at most the TTL (default 15 s).
 * - Fencing: every acquisition takes the next number of `<prefix>fence:<key>` (and one above the stored context's
 *   fence, should that counter have been lost: evicted, or not restored with the contexts), and a write under the
 *   lock is one Lua script that checks, atomically, that the lock still holds the writer's token and that no write
 *   with a higher fence happened. A holder that lost its lease (paused longer than the TTL) cannot overwrite what the
 *   next holder wrote: its write fails with `Locked`. A write outside any lock is refused while another process
 *   holds it.
 * - Redis failures (and a Redis that hangs past `Redis`'s `commandTimeout`) are `ContextStoreError` `Io`, naming the
 *   Redis URL without its credentials.
 *
 * Why not `@effect/experimental`'s `Persistence/Redis`: it stores values with a TTL for persisted caches, with no
 * compare-and-set, so neither the lock nor the fencing check fits on it; the two Lua scripts here are that check.
 *
 * @since 0.1.0
 */
import * as ContextDocument from "@effect-bunq/device-server/ContextDocument"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as Signer from "@effect-bunq/signer/Signer"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Encryption from "./internal/encryption.js"
import * as SecureFile from "./internal/secureFile.js"
import * as Redis from "./Redis.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Encrypt each context with this passphrase (the file store's scheme). An empty one fails with `Unsafe`. */
  readonly passphrase?: Redacted.Redacted<string> | undefined
  /**
   * Keep the private key and tokens in Redis in the clear when no passphrase is given. Default `false`: without a
   * passphrase, building the store fails with `ContextStoreError` `Unsafe`.
   */
  readonly allowPlaintext?: boolean | undefined
  /**
   * How long a lock holder that stopped (killed, or paused) keeps the others out. The holder renews its lease every
   * third of it while it runs. Default 15 seconds.
   */
  readonly lockTtl?: Duration.DurationInput | undefined
  /**
   * How long `withLock` waits for another process's lock before failing with `Locked`. Default 60 seconds. A waiter
   * that is interrupted (its caller's timeout) stops waiting at once.
   */
  readonly lockTimeout?: Duration.DurationInput | undefined
}

/** The lock held by the current fiber, per store key. */
interface Held {
  readonly token: string
  readonly fence: number
}

// KEYS: lock, fence counter, context hash. ARGV: token, ttl ms. → the new fence, or -(the lock's remaining ms) when
// taken. The fence is above the stored context's even when the counter was lost (evicted, or not restored with the
// contexts): the counter is moved up to it.
const acquireScript = `
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then
  local fence = redis.call("INCR", KEYS[2])
  local stored = tonumber(redis.call("HGET", KEYS[3], "fence") or "0")
  if fence <= stored then
    fence = stored + 1
    redis.call("SET", KEYS[2], fence)
  end
  return fence
end
local left = redis.call("PTTL", KEYS[1])
if left < 1 then left = 1 end
return -left
`

// KEYS: lock. ARGV: token, ttl ms. → 1 renewed, 0 lost.
const renewScript = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0
`

// KEYS: lock. ARGV: token. → 1 released, 0 not ours (expired, or taken by another).
const releaseScript = `
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`

// KEYS: context hash, lock. ARGV: token ("" outside a lock), fence, document ("" to delete).
// → 1 written; -1 the writer's lease is gone; -2 another process holds the lock; -3 a newer holder wrote.
const writeScript = `
local holder = redis.call("GET", KEYS[2])
if ARGV[1] ~= "" then
  if holder ~= ARGV[1] then return -1 end
elseif holder then
  return -2
end
local fence = tonumber(ARGV[2])
local stored = tonumber(redis.call("HGET", KEYS[1], "fence") or "0")
if ARGV[1] == "" then
  fence = stored
elseif fence < stored then
  return -3
end
if ARGV[3] == "" then
  redis.call("DEL", KEYS[1])
else
  redis.call("HSET", KEYS[1], "document", ARGV[3], "fence", fence)
end
return 1
`

const refusals: Record<number, string> = {
  [-1]: "this process's lock expired before it wrote (paused longer than the lock TTL?); another process may hold it",
  [-2]: "another process holds the lock of this context",
  [-3]: "a newer lock holder wrote this context after this process's lock expired"
}

/**
 * The store as a value, over a `Redis` connection.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<ContextStore.ContextStore.Service, ContextStore.ContextStoreError, Redis.Redis | Signer.Signer> =>
  Effect.gen(function*() {
    const redis = yield* Redis.Redis
    if (options.passphrase === undefined && options.allowPlaintext !== true) {
      return yield* new ContextStore.ContextStoreError({
        reason: "Unsafe",
        key: "*",
        description: `no passphrase: the private key and tokens would sit in Redis at ${redis.url} in the clear; ` +
          "give a passphrase (BUNQ_CONTEXT_PASSPHRASE), or allow plain text (BUNQ_REDIS_ALLOW_PLAINTEXT=true)"
      })
    }
    const signer = yield* Signer.Signer
    const passphrase = Option.fromNullable(options.passphrase)
    if (Encryption.isEmptyPassphrase(passphrase)) {
      return yield* new ContextStore.ContextStoreError({
        reason: "Unsafe",
        key: "*",
        description: `the passphrase is empty: the contexts in Redis at ${redis.url} would be encrypted under a key ` +
          "anyone can derive; give a passphrase (BUNQ_CONTEXT_PASSPHRASE)"
      })
    }
    const ttlMillis = Duration.toMillis(Duration.decode(options.lockTtl ?? Duration.seconds(15)))
    const timeoutMillis = Duration.toMillis(Duration.decode(options.lockTimeout ?? Duration.seconds(60)))
    const held = FiberRef.unsafeMake<ReadonlyMap<string, Held>>(new Map())
    const contextKey = (key: string) => `${redis.keyPrefix}context:${key}`
    const lockKey = (key: string) => `${redis.keyPrefix}lock:${key}`
    const fenceKey = (key: string) => `${redis.keyPrefix}fence:${key}`
    /** Where a context lives, for messages: the URL without credentials and the Redis key. */
    const where = (key: string) => `Redis at ${redis.url}, key ${contextKey(key)}`
    const io = (key: string) => (error: Redis.RedisError) =>
      new ContextStore.ContextStoreError({ reason: "Io", key, description: error.message })
    const eval_ = (key: string, script: string, keys: ReadonlyArray<string>, args: ReadonlyArray<string | number>) =>
      Effect.mapError(
        redis.use((client) => client.eval(script, keys.length, ...keys, ...args) as Promise<number>),
        io(key)
      )

    const load = (key: string) =>
      Effect.gen(function*() {
        const stored = yield* Effect.mapError(redis.use((client) => client.hget(contextKey(key), "document")), io(key))
        if (stored === null) return Option.none<ContextStore.SavedContext>()
        const text = yield* Effect.mapError(
          Encryption.decrypt(stored, passphrase, where(key)),
          SecureFile.toStoreError(key)
        )
        return Option.some(
          yield* Effect.provideService(ContextDocument.decodeJson(key, text), Signer.Signer, signer)
        )
      })

    const write = (key: string, document: string) =>
      Effect.gen(function*() {
        const lock = (yield* FiberRef.get(held)).get(key)
        const result = yield* eval_(key, writeScript, [contextKey(key), lockKey(key)], [
          lock?.token ?? "",
          lock?.fence ?? 0,
          document
        ])
        if (result !== 1) {
          return yield* new ContextStore.ContextStoreError({
            reason: "Locked",
            key,
            description: `not written: ${refusals[result] ?? `unexpected answer ${result}`} (${where(key)})`
          })
        }
      })

    const save = (key: string, context: ContextStore.SavedContext) =>
      Effect.gen(function*() {
        const text = yield* Effect.provideService(ContextDocument.encodeJson(key, context), Signer.Signer, signer)
        const document = Option.isSome(passphrase)
          ? yield* Effect.mapError(
            Encryption.encrypt(text, passphrase.value, where(key)),
            SecureFile.toStoreError(key)
          )
          : text
        yield* write(key, document)
      })

    /**
     * Runs uninterruptible (in `withLock`'s mask): a lock taken is always returned, to be released. Only the waits
     * between tries are `restore`d, so a waiter interrupted (a timeout of its caller) stops at once.
     */
    const acquire = (
      key: string,
      restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    ): Effect.Effect<Held, ContextStore.ContextStoreError> =>
      Effect.gen(function*() {
        const token = crypto.randomUUID()
        const started = yield* Clock.currentTimeMillis
        for (;;) {
          const result = yield* eval_(key, acquireScript, [lockKey(key), fenceKey(key), contextKey(key)], [
            token,
            ttlMillis
          ])
          if (result > 0) return { token, fence: result }
          if ((yield* Clock.currentTimeMillis) - started > timeoutMillis) {
            return yield* new ContextStore.ContextStoreError({
              reason: "Locked",
              key,
              description: `another process has held the lock for over ${
                Duration.format(Duration.millis(timeoutMillis))
              } (Redis at ${redis.url}, key ${lockKey(key)}); it expires ${-result} ms after its holder stops`
            })
          }
          // Poll: the lock is short-lived (a registration, a session open), and polling needs no second connection.
          yield* restore(Effect.sleep(Duration.millis(Math.min(-result, 50 + Math.random() * 50))))
        }
      })

    const renewEvery = Duration.millis(Math.max(1, Math.floor(ttlMillis / 3)))
    /** `effect` with `lock` held, its lease renewed meanwhile. */
    const hold = <A, E, R>(key: string, lock: Held, locks: ReadonlyMap<string, Held>, effect: Effect.Effect<A, E, R>) =>
      Effect.gen(function*() {
        // The lease is renewed while the holder runs; if it is lost anyway, the fencing check refuses its writes.
        const renewer = yield* Effect.forkDaemon(
          eval_(key, renewScript, [lockKey(key)], [lock.token, ttlMillis]).pipe(
            Effect.ignore,
            Effect.delay(renewEvery),
            Effect.forever
          )
        )
        return yield* Effect.locally(effect, held, new Map(locks).set(key, lock)).pipe(
          Effect.ensuring(Fiber.interrupt(renewer))
        )
      })
    const release = (key: string, lock: Held) => Effect.ignore(eval_(key, releaseScript, [lockKey(key)], [lock.token]))
    const withLock = <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) =>
      Effect.flatMap(FiberRef.get(held), (locks) => {
        if (locks.has(key)) return effect
        // As `Effect.acquireUseRelease`, except that the acquisition can be interrupted while it waits (see `acquire`).
        return Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(
            acquire(key, restore),
            (lock) => Effect.ensuring(restore(hold(key, lock, locks, effect)), release(key, lock))
          )
        )
      })

    return {
      load,
      save,
      remove: (key) => write(key, ""),
      withLock
    }
  })

/**
 * The store as a layer, over a `Redis` connection (`Redis.layer`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<ContextStore.ContextStore, ContextStore.ContextStoreError, Redis.Redis | Signer.Signer> =>
  Layer.effect(ContextStore.ContextStore, make(options))
