/**
 * Holds: requests that match wait, unprocessed, until the test releases them, and every arrival is counted. Not part
 * of the `Store` (a hold belongs to the test's scope, not to bunq's state), so `reset` leaves them.
 *
 * @internal
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type { Hold, RequestMatch } from "../BunqEmulatorTesting.js"
import { matcher } from "./faults.js"

interface HoldEntry {
  readonly matches: (method: string, path: string) => boolean
  readonly arrivals: SubscriptionRef.SubscriptionRef<number>
  readonly released: Deferred.Deferred<void>
}

/** @internal */
export const makeHolds = (basePath: string) => {
  const entries = new Set<HoldEntry>()

  /** Count the request on every hold it matches, then wait until each of them is released. */
  const arrive = (method: string, path: string): Effect.Effect<void> =>
    Effect.suspend(() => {
      const matched = Array.from(entries).filter((entry) => entry.matches(method, path))
      if (matched.length === 0) return Effect.void
      return Effect.zipRight(
        Effect.forEach(matched, (entry) => SubscriptionRef.update(entry.arrivals, (n) => n + 1), { discard: true }),
        Effect.forEach(matched, (entry) => Deferred.await(entry.released), { discard: true })
      )
    })

  const hold = (match: RequestMatch = {}) =>
    Effect.gen(function*() {
      const entry: HoldEntry = {
        matches: matcher(match, basePath),
        arrivals: yield* SubscriptionRef.make(0),
        released: yield* Deferred.make<void>()
      }
      yield* Effect.acquireRelease(
        Effect.sync(() => entries.add(entry)),
        () => Effect.zipRight(Effect.sync(() => entries.delete(entry)), Deferred.succeed(entry.released, undefined))
      )
      const handle: Hold = {
        arrivals: SubscriptionRef.get(entry.arrivals),
        awaitArrivals: (count) => entry.arrivals.changes.pipe(Stream.takeUntil((n) => n >= count), Stream.runDrain),
        release: Effect.asVoid(Deferred.succeed(entry.released, undefined))
      }
      return handle
    })

  return { arrive, hold } as const
}
