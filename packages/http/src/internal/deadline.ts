/**
 * A per-attempt timeout that costs one fork and one `setTimeout` instead of `Effect.timeoutFail`'s race of two forked
 * fibers (and the merge of the winner's fiber refs). Hand-written because the measured difference is large: a signed
 * `GET` through `BunqNode.layer` evaluates 113 Effect operations with this deadline, 153 with `Effect.timeoutFail`
 * around the attempt instead, and 97 with no timeout at all (`pnpm --filter @effect-bunq/bench ops`, 2026-12-07; the
 * target is 120).
 *
 * On the live clock (the `Clock` of `DefaultServices.liveServices`, compared by identity: public API) the deadline is
 * a plain timer; any other `Clock` (e.g. `TestClock`) gets `Effect.raceFirst` of `self` and a sleep on that clock, so
 * tests drive timeouts with `TestClock.adjust`. (`raceFirst` rather than `Effect.timeoutFail`, which does the same
 * with its sleep made interruptible, as this one is: the rest of a browser app does not use `timeoutFail`, 0.12 KB
 * gzipped in the API-context app.)
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

const liveClock: Clock.Clock = Context.get(DefaultServices.liveServices, Clock.Clock)

/**
 * `self`, or `onTimeout()` when it has not completed within `millis`; `self` is then interrupted (and its
 * interruption awaited) before the failure is returned. Interrupting the caller interrupts `self`.
 *
 * @internal
 */
export const within = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) => {
    if (clock !== liveClock || !Number.isFinite(millis)) {
      // The sleep interruptible whatever the caller's mask (as `timeoutFail`'s is): an uninterruptible caller (a
      // finalizer) would otherwise wait, once `self` has won, for the sleep to end before getting its result.
      return Effect.raceFirst(
        self,
        Effect.interruptible(Effect.zipRight(Effect.sleep(millis), Effect.failSync(onTimeout)))
      )
    }
    return Effect.flatMap(Effect.fork(self), (fiber) =>
      Effect.async<A, E | E2>((resume) => {
        let settled = false
        const timer = setTimeout(() => {
          if (settled) return
          settled = true
          resume(Effect.zipRight(Fiber.interrupt(fiber), Effect.fail(onTimeout())))
        }, millis)
        fiber.addObserver((exit) => {
          clearTimeout(timer)
          if (settled) return
          settled = true
          resume(exit)
        })
        return Effect.suspend(() => {
          clearTimeout(timer)
          settled = true
          return Effect.asVoid(Fiber.interrupt(fiber))
        })
      }))
  })
