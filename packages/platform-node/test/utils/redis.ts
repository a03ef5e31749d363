// The Redis the tests use: the throwaway redis-server of the run (scripts/redis-global-setup.mjs), each test under a
// prefix of its own so tests never see each other's keys.
import * as Redis from "@effect-bunq/platform-node/Redis"
import { Redacted } from "effect"
import { inject } from "vitest"

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
