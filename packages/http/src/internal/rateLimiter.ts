import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { RateLimit, RateLimits } from "../BunqConfig.js"

/** @internal */
export type Bucket = keyof RateLimits

/** A slot: taken when a request is about to be sent, ended when its response (or failure) is in. */
interface Slot {
  /** `Infinity` while the request is in flight. */
  end: number
}

/**
 * A sliding window over requests in flight: at most `limit` slots are held within any `window`, and a slot is held
 * from the moment its request is sent until `window` after its response came back.
 *
 * Why until the response, and not from the start of the request: bunq counts a request when it arrives, which is
 * somewhere between our send and its answer. Counting from the start let arrivals bunch: against a server enforcing
 * bunq's limits, 30 concurrent GETs met 9 `429`s (up to 6 arrivals in one 3 s window) because a request that left at
 * 0 s but arrived late shared a window with the next batch, sent at 3 s. Holding the slot until `response + window`
 * means the next request in that slot is sent after the previous one has certainly arrived `window` earlier: no two
 * windows' arrivals can overlap, whatever the latency. The cost is one round trip per window (a few milliseconds on
 * bunq's 3 s windows: `pnpm bench` measures the achieved rate).
 *
 * Callers queue FIFO through a one-permit semaphore and sleep on Effect's `Clock` (so `TestClock` drives it); a
 * waiter interrupted while queued takes no slot, and an interrupted request ends its slot.
 *
 * Hand-written rather than `RateLimiter` of `@effect/experimental`: that one counts starts (the defect above), and
 * bunq's one-in-flight-aware window is 60 lines.
 *
 * @internal
 */
export const makeWindow = (limit: RateLimit): Effect.Effect<<A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>> =>
  Effect.gen(function*() {
    const semaphore = yield* Effect.makeSemaphore(1)
    // Opened whenever a slot ends: a waiter that found every slot in flight waits on it.
    const ended = yield* Effect.makeLatch(false)
    const windowMillis = Duration.toMillis(limit.window)
    const slots: Array<Slot> = []

    const take = (held: { slot?: Slot }): Effect.Effect<void> =>
      Effect.suspend(() => {
      ended.unsafeClose()
      return Effect.flatMap(Clock.currentTimeMillis, (now) => {
        let earliest = Infinity
        for (let i = slots.length - 1; i >= 0; i--) {
          const end = slots[i]!.end
          if (end + windowMillis <= now) slots.splice(i, 1)
          else if (end < earliest) earliest = end
        }
        if (slots.length < limit.limit) {
          const slot: Slot = { end: Infinity }
          slots.push(slot)
          held.slot = slot
          return Effect.void
        }
        const wait = earliest === Infinity ? ended.await : Effect.sleep(Duration.millis(earliest + windowMillis - now))
        return Effect.zipRight(wait, take(held))
      })
    })

    const end = (held: { slot?: Slot }) =>
      Effect.suspend(() => {
        const slot = held.slot
        if (slot === undefined) return Effect.void
        return Effect.map(Clock.currentTimeMillis, (now) => {
          slot.end = now
          ended.unsafeOpen()
        })
      })

    // The slot is recorded in `held` as soon as it is taken, so `ensuring` ends it however the caller stops
    // (a waiter interrupted in the queue holds none).
    return <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.suspend(() => {
        const held: { slot?: Slot } = {}
        return Effect.zipRight(semaphore.withPermits(1)(take(held)), effect).pipe(Effect.ensuring(end(held)))
      })
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
 * The limiter: `limiter(method, pathname)(send)` runs `send` holding a slot in each of the request's buckets.
 *
 * @internal
 */
export const make = (
  limits: RateLimits | undefined
): Effect.Effect<
  (method: string, pathname: string) => <A, E, R>(send: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
> =>
  Effect.gen(function*() {
    if (limits === undefined) return () => (send) => send
    const windows = new Map<Bucket, <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>>()
    for (const bucket of ["GET", "POST", "PUT", "DELETE", "sessionServer"] as const) {
      const limit = limits[bucket]
      if (limit !== undefined) windows.set(bucket, yield* makeWindow(limit))
    }
    return (method, pathname) => (send) => {
      let wrapped = send
      // The first bucket is taken first, so it wraps outermost.
      const buckets = bucketsFor(method, pathname)
      for (let i = buckets.length - 1; i >= 0; i--) {
        const window = windows.get(buckets[i]!)
        if (window !== undefined) wrapped = window(wrapped)
      }
      return wrapped
    }
  })

/**
 * The window a `429` on this request waits out before it is sent again: its first bucket's (30 s for
 * `POST /session-server`, 3 s otherwise with bunq's limits).
 *
 * @internal
 */
export const windowFor = (limits: RateLimits, method: string, pathname: string): Duration.Duration | undefined => {
  for (const bucket of bucketsFor(method, pathname)) {
    const limit = limits[bucket]
    if (limit !== undefined) return limit.window
  }
  return undefined
}
