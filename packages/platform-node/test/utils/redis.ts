// The Redis the tests use: the throwaway redis-server of the run (scripts/redis-global-setup.mjs), each test under a
// prefix of its own so tests never see each other's keys.
import * as Redis from "@effect-bunq/platform-node/Redis"
import { Effect, Redacted } from "effect"
import { inject } from "vitest"
import { startRedisServer } from "../../../../scripts/redis-server.mjs"

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string
  }
}

export const redisUrl = (): string => inject("redisUrl")

export const freshPrefix = (): string => `test-${crypto.randomUUID()}:`

/** A connection to the run's Redis, under `prefix`. */
export const redisLayer = (prefix: string = freshPrefix(), url: string = redisUrl()) =>
  Redis.layer({ url: Redacted.make(url), keyPrefix: prefix })

/**
 * A redis-server of the test's own (never the run's: other test files use that one at the same time), stopped when
 * `f` ends however it ends. `hang` freezes it (`SIGSTOP`: connected, but it answers nothing, as a stalled host), and
 * `wake` lets it run on with what it was sent meanwhile (`SIGCONT`); it is woken before it is stopped.
 */
export const withOwnRedis = <A, E, R>(
  f: (server: {
    readonly url: string
    readonly hang: Effect.Effect<void>
    readonly wake: Effect.Effect<void>
  }) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.acquireUseRelease(
    Effect.promise(() => startRedisServer()),
    (server) =>
      f({
        url: server.url,
        hang: Effect.sync(() => process.kill(server.pid, "SIGSTOP")),
        wake: Effect.sync(() => process.kill(server.pid, "SIGCONT"))
      }),
    (server) =>
      Effect.promise(() => {
        try {
          process.kill(server.pid, "SIGCONT")
        } catch {
          // It exited already: stop() has nothing to do.
        }
        return server.stop()
      })
  )
