/**
 * A `BunqRateLimiter` whose counts live in Redis, so that a fleet of processes on one API key (one IP) stays inside
 * bunq's limits together: `GET` 3, `POST` 5, `PUT` 2 per 3 s, `POST /session-server` 1 per 30 s (the buckets and
 * limits of `BunqConfig.rateLimits`).
 *
 * bunq's limits are sliding windows, and so is this limiter, exactly: each bucket is a sorted set
 * (`<prefix>rate:<bucket>`) of the requests holding a slot, and one Lua script, run atomically by Redis on Redis's
 * own clock (`TIME`, one clock for every process), drops what has left the window, counts, and either takes a slot
 * or answers how long to wait. A fixed window or a token bucket lets up to twice the limit through in one window (the
 * end of one window and the start of the next); here no window of any position ever holds more than `limit`.
 *
 * As in the in-process limiter, a slot is held from before the request is sent until its response is in, and counts
 * for the window after that (bunq counts a request when it arrives, somewhere in between): a request in flight is
 * scored `now + lease` (it cannot leave the window early), and its end rewrites the score to the end time. A process
 * killed with requests in flight frees their slots after `lease + window` (the lease defaults to the request timeout,
 * `BunqConfig.timeout`, plus 5 s).
 *
 * The end is written whenever a request asked for a slot, whatever happened: a caller interrupted (a timeout of its
 * own) while its request for a slot was on the way, or one whose request timed out in a Redis that hangs, may yet get
 * the slot when Redis answers. The end goes over the same connection after the request, so Redis runs it after: it
 * marks such a slot ended at once (and is a no-op, `ZADD XX`, for a slot never taken). Only a connection lost in
 * between leaves the slot to its lease. The end is not waited for (the next request from this process goes after it
 * on the connection anyway).
 *
 * Within a process, the fibers of one bucket queue (FIFO) behind one permit, so each process polls Redis once per
 * bucket. A waiter sleeps until the oldest finished request leaves the window, or polls every 25 ms while all the
 * slots are in flight.
 *
 * If Redis is unavailable, the request fails with `RateLimiterError` (a `TransportError` `Network` for the caller) and
 * is not sent. If Redis loses its data (a restart without persistence), the counts start again from zero: for one
 * window the fleet may send up to the limit again, and bunq answers the excess with 429, which `GET`s wait out.
 *
 * Why not `@effect/experimental`'s `RateLimiter/Redis`: it offers a fixed window and a token bucket, the two
 * algorithms that let twice the limit through.
 *
 * @since 0.1.0
 */
import { BunqConfig, type RateLimit, type RateLimits } from "@effect-bunq/http/BunqConfig"
import * as BunqRateLimiter from "@effect-bunq/http/BunqRateLimiter"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redis from "./Redis.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The limits; `undefined` does not limit. Default: `BunqConfig.rateLimits` (for `layer`). */
  readonly limits: RateLimits | undefined
  /**
   * How long a slot of a request in flight is held at most (a process killed mid-request). Default: for `layer`, the
   * request timeout (`BunqConfig.timeout`) plus 5 seconds; for `make`, 35 seconds (the default timeout plus 5 s).
   */
  readonly lease?: Duration.DurationInput | undefined
}

// KEYS: the bucket's sorted set. ARGV: member, limit, window ms, lease ms.
// → 0 when a slot was taken, otherwise how many ms to wait (-1: every slot is in flight, poll).
const takeScript = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[3])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - window)
if redis.call("ZCARD", KEYS[1]) < tonumber(ARGV[2]) then
  redis.call("ZADD", KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
  redis.call("PEXPIRE", KEYS[1], tonumber(ARGV[4]) + window)
  return 0
end
local first = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
local ends = tonumber(first[2])
if ends > now then return -1 end
return ends + window - now
`

// KEYS: the bucket's sorted set. ARGV: member. Marks the request's end (now), if its slot is still there.
const endScript = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call("ZADD", KEYS[1], "XX", now, ARGV[1])
return 1
`

const pollMillis = 25

/**
 * The limiter as a value, over a `Redis` connection.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<BunqRateLimiter.BunqRateLimiter.Service, never, Redis.Redis> =>
  Effect.gen(function*() {
    const redis = yield* Redis.Redis
    const client = redis.client
    const limits = options.limits
    if (limits === undefined) return { limit: () => (send) => send }
    const leaseMillis = Duration.toMillis(Duration.decode(options.lease ?? Duration.seconds(35)))
    const unavailable = (error: Redis.RedisError) =>
      new BunqRateLimiter.RateLimiterError({ description: error.message })

    const window = (bucket: BunqRateLimiter.Bucket, limit: RateLimit) =>
      Effect.map(Effect.makeSemaphore(1), (queue) => {
        const key = `${redis.keyPrefix}rate:${bucket}`
        const windowMillis = Duration.toMillis(limit.window)
        const take = (member: string): Effect.Effect<void, BunqRateLimiter.RateLimiterError> =>
          Effect.flatMap(
            Effect.mapError(
              redis.use((client) =>
                client.eval(takeScript, 1, key, member, limit.limit, windowMillis, leaseMillis) as Promise<number>
              ),
              unavailable
            ),
            (wait) =>
              wait === 0 ? Effect.void : Effect.zipRight(
                Effect.sleep(Duration.millis(wait < 0 ? pollMillis : wait)),
                take(member)
              )
          )
        // Written to the connection now (after any `take` of the member already sent), its reply not waited for: a
        // failure (Redis down) leaves the slot to its lease, which is all that waiting for it could do.
        const end = (member: string) =>
          Effect.sync(() => {
            client.eval(endScript, 1, key, member).catch(() => {})
          })
        return <A, E, R>(send: Effect.Effect<A, E | BunqRateLimiter.RateLimiterError, R>) =>
          Effect.suspend(() => {
            const member = crypto.randomUUID()
            // Always ended: whether the slot was taken is known only to Redis when the caller was interrupted (or the
            // reply timed out) after `take` was sent.
            return Effect.zipRight(queue.withPermits(1)(take(member)), send).pipe(Effect.ensuring(end(member)))
          })
      })

    const windows = new Map<
      BunqRateLimiter.Bucket,
      <A, E, R>(
        send: Effect.Effect<A, E | BunqRateLimiter.RateLimiterError, R>
      ) => Effect.Effect<A, E | BunqRateLimiter.RateLimiterError, R>
    >()
    for (const bucket of ["GET", "POST", "PUT", "DELETE", "sessionServer"] as const) {
      const limit = limits[bucket]
      if (limit !== undefined) windows.set(bucket, yield* window(bucket, limit))
    }
    return {
      limit: (method, pathname) => <A, E, R>(send: Effect.Effect<A, E, R>) => {
        let wrapped: Effect.Effect<A, E | BunqRateLimiter.RateLimiterError, R> = send
        // The first bucket is taken first, so it wraps outermost.
        const buckets = BunqRateLimiter.bucketsFor(method, pathname)
        for (let i = buckets.length - 1; i >= 0; i--) {
          const window = windows.get(buckets[i]!)
          if (window !== undefined) wrapped = window(wrapped)
        }
        return wrapped
      }
    }
  })

/**
 * The limiter as a layer, with `BunqConfig.rateLimits` (bunq's classic limits unless configured otherwise; none
 * when the client-side limiter is turned off). Provide it to `BunqClient` (`BunqNode` does, given a Redis URL).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Omit<Options, "limits"> = {}
): Layer.Layer<BunqRateLimiter.BunqRateLimiter, never, Redis.Redis | BunqConfig> =>
  Layer.effect(
    BunqRateLimiter.BunqRateLimiter,
    Effect.flatMap(BunqConfig, (config) =>
      make({
        ...options,
        limits: config.rateLimits,
        lease: options.lease ?? Duration.sum(config.timeout, Duration.seconds(5))
      }))
  )
