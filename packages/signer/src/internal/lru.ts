/**
 * The verification-key cache both signers use (WebCrypto here, `node:crypto` in `@effect-bunq/platform-node`): each
 * public key is imported once per PEM text, the least recently used dropped beyond the capacity.
 *
 * Hand-written rather than `effect/Cache` because it sits on the hot path (every response is verified): a hit here
 * costs ≈ 0.6 µs and one `Effect.suspend`; an `effect/Cache` hit cost ≈ 1.7 µs and a `Deferred` await, i.e. more
 * fiber operations per signed request (200 000 hits of `Cache.make({ capacity: 32, timeToLive: Duration.infinity,
 * lookup })` against this, Node 20, 2026-12-07). And a failure is not kept here, where `effect/Cache` keeps it.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** @internal */
export const cached = <A, E>(
  capacity: number,
  load: (key: string) => Effect.Effect<A, E>
): (key: string) => Effect.Effect<A, E> => {
  // A `Map` iterates in insertion order: re-inserting on each use keeps the least recently used first.
  const entries = new Map<string, A>()
  const remember = (key: string, value: A): A => {
    entries.delete(key)
    entries.set(key, value)
    for (const oldest of entries.keys()) {
      if (entries.size <= capacity) break
      entries.delete(oldest)
    }
    return value
  }
  return (key) =>
    Effect.suspend(() => {
      const value = entries.get(key)
      return value === undefined
        ? Effect.map(load(key), (loaded) => remember(key, loaded))
        : Effect.succeed(remember(key, value))
    })
}
