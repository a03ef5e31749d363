import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as BunqRateLimiter from "@effect-bunq/http/BunqRateLimiter"
import * as Redis from "@effect-bunq/platform-node/Redis"
import * as RedisRateLimiter from "@effect-bunq/platform-node/RedisRateLimiter"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, Layer, Redacted } from "effect"
import { startRedisServer } from "../../../scripts/redis-server.mjs"
import { freshPrefix, redisLayer, withOwnRedis } from "./utils/redis.js"

const limit = (n: number, millis: number) => ({ limit: n, window: Duration.millis(millis) })

/** Only GETs limited: `n` per `millis`. */
const getsOnly = (n: number, millis: number): RedisRateLimiter.Options => ({
  limits: { GET: limit(n, millis), POST: undefined, PUT: undefined, DELETE: undefined, sessionServer: undefined }
})

/** A limiter on its own Redis connection: one per simulated process. */
const withLimiters = <A, E>(
  prefix: string,
  count: number,
  options: RedisRateLimiter.Options,
  f: (limiters: ReadonlyArray<BunqRateLimiter.BunqRateLimiter.Service>) => Effect.Effect<A, E>
) =>
  Effect.scoped(Effect.gen(function*() {
    const limiters: Array<BunqRateLimiter.BunqRateLimiter.Service> = []
    for (let i = 0; i < count; i++) {
      const ctx = yield* Layer.build(redisLayer(prefix))
      limiters.push(yield* Effect.provide(RedisRateLimiter.make(options), ctx))
    }
    return yield* f(limiters)
  }))

/**
 * A fixed-window limiter (an `INCR` per window of the clock, as `@effect/experimental`'s `fixedWindow`), only to show
 * what the property test catches.
 */
const withFixedWindows = <A, E>(
  prefix: string,
  count: number,
  max: number,
  window: number,
  f: (limiters: ReadonlyArray<BunqRateLimiter.BunqRateLimiter.Service>) => Effect.Effect<A, E>
) =>
  Effect.scoped(Effect.gen(function*() {
    const limiters: Array<BunqRateLimiter.BunqRateLimiter.Service> = []
    for (let i = 0; i < count; i++) {
      const redis = yield* Effect.flatMap(Layer.build(redisLayer(prefix)), (ctx) => Effect.provide(Redis.Redis, ctx))
      const take: Effect.Effect<void, Redis.RedisError> = Effect.suspend(() => {
        const slot = Math.floor(Date.now() / window)
        return Effect.flatMap(
          redis.use((client) =>
            client.multi().incr(`${prefix}fixed:${slot}`).pexpire(`${prefix}fixed:${slot}`, window * 2).exec()
          ),
          (replies) =>
            (replies?.[0]?.[1] as number) <= max
              ? Effect.void
              : Effect.zipRight(Effect.sleep(Duration.millis((slot + 1) * window - Date.now())), take)
        )
      })
      limiters.push({ limit: () => (send) => Effect.zipRight(Effect.orDie(take), send) })
    }
    return yield* f(limiters)
  }))

/** The most starts in any window [t, t + window) of any position. */
const busiest = (starts: ReadonlyArray<number>, window: number) =>
  Math.max(...starts.map((t) => starts.filter((u) => u >= t && u < t + window).length))

describe("RedisRateLimiter", () => {
  it.live("is an exact sliding window across processes: never more than the limit in any window", () =>
    Effect.gen(function*() {
      const window = 400
      const starts: Array<number> = []
      const started = Date.now()
      // 3 processes × 2 loops × 8 requests with random pauses: slots are asked for at any moment, not only when one
      // frees up, so a window that forgets a request early would show.
      yield* withLimiters(freshPrefix(), 3, getsOnly(3, window), (limiters) =>
        Effect.all(
          limiters.flatMap((limiter) =>
            [0, 1].map(() =>
              Effect.forEach(Array.from({ length: 8 }), () =>
                Effect.zipRight(
                  Effect.sleep(Duration.millis(Math.random() * 300)),
                  limiter.limit("GET", "/user")(Effect.zipRight(
                    Effect.sync(() => starts.push(Date.now())),
                    Effect.sleep(Duration.millis(Math.random() * 30))
                  ))
                ))
            )
          ),
          { concurrency: "unbounded" }
        ))
      const elapsed = Date.now() - started
      starts.sort((a, b) => a - b)
      assert.strictEqual(starts.length, 48)
      assert.isAtMost(busiest(starts, window), 3, `starts ${starts.map((t) => t - starts[0]!)}`)
      // And it is not slower than it must be: 48 requests at 3 per window need 15 windows after the first batch, plus
      // one request's time per window (a slot counts from its response).
      assert.isAtLeast(elapsed, 15 * window)
      assert.isBelow(elapsed, 15 * (window + 30) + 2000)
    }))

  it.live("unlike a fixed window, which lets twice the limit through across a window boundary", () =>
    Effect.gen(function*() {
      const window = 1000
      // A burst of 6 from 3 processes late in a window of the clock the fixed window counts on.
      const burst = (limiters: ReadonlyArray<BunqRateLimiter.BunqRateLimiter.Service>) =>
        Effect.gen(function*() {
          const starts: Array<number> = []
          const now = Date.now()
          yield* Effect.sleep(Duration.millis((Math.ceil(now / window) * window - now) + window * 0.7))
          yield* Effect.all(
            limiters.flatMap((limiter) =>
              [0, 1].map(() => limiter.limit("GET", "/user")(Effect.sync(() => starts.push(Date.now()))))
            ),
            { concurrency: "unbounded" }
          )
          return busiest(starts.sort((a, b) => a - b), window)
        })
      const sliding = yield* withLimiters(freshPrefix(), 3, getsOnly(3, window), burst)
      const fixed = yield* withFixedWindows(freshPrefix(), 3, 3, window, burst)
      assert.strictEqual(sliding, 3)
      assert.strictEqual(fixed, 6)
    }))

  it.live("holds a slot until the response: the next request starts a window after the previous one ended", () =>
    Effect.gen(function*() {
      const window = 300
      const sends: Array<{ start: number; end: number }> = []
      yield* withLimiters(
        freshPrefix(),
        2,
        getsOnly(1, window),
        (limiters) =>
          Effect.all(
            limiters.map((limiter) =>
              limiter.limit("GET", "/user")(Effect.gen(function*() {
                const start = Date.now()
                yield* Effect.sleep("200 millis")
                sends.push({ start, end: Date.now() })
              }))
            ),
            { concurrency: "unbounded" }
          )
      )
      sends.sort((a, b) => a.start - b.start)
      assert.isAtLeast(sends[1]!.start - sends[0]!.end, window - 2)
    }))

  it.live("counts POST /session-server in its own bucket (1 per window) and in POST", () =>
    Effect.gen(function*() {
      const starts: Array<{ path: string; at: number }> = []
      const started = Date.now()
      yield* withLimiters(
        freshPrefix(),
        2,
        {
          limits: {
            GET: undefined,
            POST: limit(5, 300),
            PUT: undefined,
            DELETE: undefined,
            sessionServer: limit(1, 600)
          }
        },
        (limiters) =>
          Effect.all(
            limiters.flatMap((limiter) =>
              ["/session-server", "/payment"].map((path) =>
                limiter.limit("POST", path)(Effect.sync(() => starts.push({ path, at: Date.now() - started })))
              )
            ),
            { concurrency: "unbounded" }
          )
      )
      const sessions = starts.filter((s) => s.path === "/session-server").map((s) => s.at)
      const payments = starts.filter((s) => s.path === "/payment").map((s) => s.at)
      assert.strictEqual(sessions.length, 2)
      assert.isAtLeast(Math.abs(sessions[1]! - sessions[0]!), 590)
      // The payments were not held up by the session bucket.
      assert.isTrue(payments.every((t) => t < 300), `payments at ${payments}`)
    }))

  it.live("Redis down mid-run: the request fails with RateLimiterError unsent, and works again once Redis is back", () =>
    Effect.gen(function*() {
      let server = yield* Effect.promise(() => startRedisServer())
      let sent = 0
      const send = Effect.sync(() => sent++)
      const result = yield* Effect.scoped(Effect.gen(function*() {
        const ctx = yield* Layer.build(redisLayer(freshPrefix(), server.url))
        const limiter = yield* Effect.provide(
          RedisRateLimiter.make(getsOnly(3, 300)),
          ctx
        )
        yield* limiter.limit("GET", "/user")(send)
        yield* Effect.promise(() => server.stop())
        const down = yield* Effect.flip(limiter.limit("GET", "/user")(send))
        server = yield* Effect.promise(() => startRedisServer({ port: server.port }))
        let recovered = false
        for (let i = 0; i < 40 && !recovered; i++) {
          recovered = yield* Effect.orElseSucceed(Effect.as(limiter.limit("GET", "/user")(send), true), () => false)
          if (!recovered) yield* Effect.sleep("50 millis")
        }
        return { down, recovered }
      })).pipe(Effect.ensuring(Effect.promise(() => server.stop())))
      assert.strictEqual(result.down._tag, "RateLimiterError")
      assert.include(result.down.message, "Redis at redis://127.0.0.1:")
      assert.isTrue(result.recovered)
      assert.strictEqual(sent, 2)
    }))

  it.live("a Redis that hangs: the request fails with RateLimiterError after commandTimeout, unsent", () =>
    withOwnRedis((server) =>
      Effect.scoped(Effect.gen(function*() {
        const prefix = freshPrefix()
        const ctx = yield* Layer.build(
          Redis.layer({ url: Redacted.make(server.url), keyPrefix: prefix, commandTimeout: "300 millis" })
        )
        const limiter = yield* Effect.provide(RedisRateLimiter.make(getsOnly(3, 300)), ctx)
        let sent = 0
        yield* server.hang
        const error = yield* Effect.flip(limiter.limit("GET", "/user")(Effect.sync(() => sent++)))
        assert.strictEqual(error._tag, "RateLimiterError")
        assert.include(error.message, "no reply within 300ms")
        assert.include(error.message, `Redis at ${server.url}`)
        assert.strictEqual(sent, 0)
        yield* server.wake
        // Once Redis answers again, so does the limiter.
        yield* limiter.limit("GET", "/user")(Effect.sync(() => sent++))
        assert.strictEqual(sent, 1)
      }))
    ))

  it.live("a caller interrupted while its request for a slot is on the way does not keep the slot", () =>
    withOwnRedis((server) =>
      Effect.scoped(Effect.gen(function*() {
        const prefix = freshPrefix()
        const ctx = yield* Layer.build(Redis.layer({ url: Redacted.make(server.url), keyPrefix: prefix }))
        const redis = yield* Effect.provide(Redis.Redis, ctx)
        // A long lease: a slot left in flight would hold the bucket for lease + window.
        const limiter = yield* Effect.provide(RedisRateLimiter.make({ ...getsOnly(3, 300), lease: "60 seconds" }), ctx)
        yield* server.hang
        // Three callers give up (a timeout of their own) while Redis has their requests for a slot but does not run
        // them yet; it runs them when it wakes up, and they take slots nobody will use.
        const exits = yield* Effect.all(
          [0, 1, 2].map(() => Effect.exit(Effect.timeout(limiter.limit("GET", "/user")(Effect.void), "100 millis"))),
          { concurrency: "unbounded" }
        )
        assert.isTrue(exits.every((exit) => Exit.isFailure(exit)))
        yield* server.wake
        // A command on the same connection is answered after everything sent before it.
        const [time, slots] = yield* redis.use((client) =>
          Promise.all([client.time(), client.zrange(`${prefix}rate:GET`, 0, -1, "WITHSCORES")])
        )
        const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000)
        const scores = slots.filter((_, i) => i % 2 === 1).map(Number)
        assert.isAtLeast(scores.length, 1, "a slot was taken after its caller gave up")
        // Each was ended (scored with its end time), not left in flight until its lease (now + 60 s).
        assert.isTrue(scores.every((score) => score <= now), `slots end ${scores.map((s) => s - now)} ms from now`)
      }))
    ))

  it.live("the lease follows the request timeout of BunqConfig (plus 5 s)", () =>
    Effect.gen(function*() {
      const leaseOf = (timeout: Duration.DurationInput) =>
        Effect.scoped(Effect.gen(function*() {
          const prefix = freshPrefix()
          const ctx = yield* Layer.build(
            RedisRateLimiter.layer().pipe(
              Layer.provideMerge(redisLayer(prefix)),
              Layer.provideMerge(BunqConfig.layer({ timeout }))
            )
          )
          const limiter = yield* Effect.provide(BunqRateLimiter.BunqRateLimiter, ctx)
          const redis = yield* Effect.provide(Redis.Redis, ctx)
          const inFlight = yield* Deferred.make<void>()
          const done = yield* Deferred.make<void>()
          const request = yield* Effect.fork(
            limiter.limit("GET", "/user")(Effect.zipRight(Deferred.succeed(inFlight, undefined), Deferred.await(done)))
          )
          yield* Deferred.await(inFlight)
          // Redis's clock in the same script as the slot's score: the lease is the score minus now, less the few ms
          // since the slot was taken.
          const [score, now] = (yield* redis.use((client) =>
            client.eval(
              `local t = redis.call("TIME")
               local s = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
               return {s[2], tostring(tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))}`,
              1,
              `${prefix}rate:GET`
            ) as Promise<[string, string]>
          )).map(Number) as [number, number]
          yield* Deferred.succeed(done, undefined)
          yield* Fiber.join(request)
          return score - now
        }))
      const short = yield* leaseOf("1 second")
      const long = yield* leaseOf("20 seconds")
      assert.isAtMost(short, 6000)
      assert.isAbove(short, 5000)
      assert.isAtMost(long, 25000)
      assert.isAbove(long, 24000)
    }))
})
