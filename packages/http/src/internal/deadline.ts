/**
 * A per-attempt timeout that costs one fork instead of `Effect.timeoutFail`'s race of two forked fibers (and the
 * merge of the winner's fiber refs). On the live clock the deadline is a plain timer; any other `Clock` (e.g.
 * `TestClock`) gets `Effect.timeoutFail`, so tests drive timeouts with `TestClock.adjust` as before.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

const liveClockPrototype: object | null = Object.getPrototypeOf(Clock.make())

/**
 * `self`, or `onTimeout()` when it has not completed within `millis`; `self` is then interrupted (and its
 * interruption awaited) before the failure is returned. Interrupting the caller interrupts `self`.
 *
 * With `delegate`, on the live clock, `delegate()` hands the deadline to the transport and `self` runs as is: the
 * transport fails it when the time is up.
 *
 * @internal
 */
export const within = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  millis: number,
  onTimeout: () => E2,
  delegate?: (() => void) | undefined
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) => {
    if (Object.getPrototypeOf(clock) !== liveClockPrototype || !Number.isFinite(millis)) {
      return Effect.timeoutFail(self, { duration: millis, onTimeout })
    }
    if (delegate !== undefined) {
      // The transport enforces the deadline itself (see `TransportDeadline`): no fiber, no timer here.
      delegate()
      return self
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
