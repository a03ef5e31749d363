/**
 * What `BunqNode` gives `ApiContext.layerRuntime` when a Redis URL is set: the Redis store and the Redis rate limiter
 * over one connection. A module of its own so that `BunqNode` loads it (and `ioredis`) only then.
 *
 * @internal
 */
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import type { BunqConfig } from "@effect-bunq/http/BunqConfig"
import type { BunqRateLimiter } from "@effect-bunq/http/BunqRateLimiter"
import type * as Signer from "@effect-bunq/signer/Signer"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { RedisOptions } from "../BunqNode.js"
import * as Redis from "../Redis.js"
import * as RedisContextStore from "../RedisContextStore.js"
import * as RedisRateLimiter from "../RedisRateLimiter.js"

/** @internal */
export const platform = (
  redis: RedisOptions,
  passphrase: Redacted.Redacted<string> | undefined
): {
  readonly store: Layer.Layer<ContextStore.ContextStore, ContextStore.ContextStoreError, Signer.Signer>
  readonly rateLimiter: Layer.Layer<BunqRateLimiter, ContextStore.ContextStoreError, BunqConfig>
} => {
  // One connection for the store and the limiter (the same layer value, so it is built once). A Redis that cannot be
  // reached is `ContextStoreError` `Io` naming the URL (without credentials).
  const connection = Redis.layer({
    url: redis.url,
    keyPrefix: redis.keyPrefix,
    tls: redis.tls,
    commandTimeout: redis.commandTimeout
  }).pipe(
    Layer.mapError((error) =>
      new ContextStore.ContextStoreError({ reason: "Io", key: "*", description: error.message })
    )
  )
  return {
    store: RedisContextStore.layer({
      passphrase,
      allowPlaintext: redis.allowPlaintext,
      lockTtl: redis.lockTtl
    }).pipe(Layer.provide(connection)),
    // The lease of a slot: the request timeout of `BunqConfig` plus 5 s (`RedisRateLimiter.layer`'s default).
    rateLimiter: RedisRateLimiter.layer().pipe(Layer.provide(connection))
  }
}
