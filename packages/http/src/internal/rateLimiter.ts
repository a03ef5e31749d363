import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { RateLimit, RateLimits } from "../BunqConfig.js"

/** @internal */
export type Bucket = keyof RateLimits

/**
 * A sliding-window limiter: at most `limit` acquisitions start within any `window`. Callers queue (FIFO through a
 * one-permit semaphore) and sleep on Effect's `Clock`, so `TestClock` drives it in tests. An interrupted waiter
 * takes no slot.
 *
 * @internal
 */
export const makeWindow = (limit: RateLimit): Effect.Effect<Effect.Effect<void>> =>
  Effect.map(Effect.makeSemaphore(1), (semaphore) => {
    const windowMillis = Duration.toMillis(limit.window)
    const starts: Array<number> = []
    const prune = (now: number) => {
      while (starts.length > 0 && starts[0]! <= now - windowMillis) starts.shift()
    }
    const take: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      prune(now)
      if (starts.length < limit.limit) {
        starts.push(now)
        return Effect.void
      }
      return Effect.zipRight(Effect.sleep(Duration.millis(starts[0]! + windowMillis - now)), take)
    })
    return semaphore.withPermits(1)(take)
  })

/**
 * The bucket(s) a request takes a slot in: its method's, and for `POST /session-server` also the session bucket
 * (taken first).
 *
 * @internal
 */
export const bucketsFor = (method: string, pathname: string): ReadonlyArray<Bucket> => {
  const category: Bucket = method === "GET" || method === "POST" || method === "PUT" || method === "DELETE"
    ? method
    : "POST"
  return method === "POST" && pathname.replace(/\/+$/, "") === "/session-server"
    ? ["sessionServer", category]
    : [category]
}

/**
 * @internal
 */
export const make = (
  limits: RateLimits | undefined
): Effect.Effect<(method: string, pathname: string) => Effect.Effect<void>> =>
  Effect.gen(function*() {
    if (limits === undefined) return () => Effect.void
    const windows = new Map<Bucket, Effect.Effect<void>>()
    for (const bucket of ["GET", "POST", "PUT", "DELETE", "sessionServer"] as const) {
      const limit = limits[bucket]
      if (limit !== undefined) windows.set(bucket, yield* makeWindow(limit))
    }
    return (method, pathname) =>
      Effect.forEach(bucketsFor(method, pathname), (bucket) => windows.get(bucket) ?? Effect.void, {
        discard: true
      })
  })
