/**
 * `BunqRateLimiter`: the client-side limiter that keeps `BunqClient`'s requests inside bunq's rate limits, as a
 * service, so that where the counts live can be chosen.
 *
 * `BunqClient` uses the limiter it finds in its context; without one, it builds the in-process limiter from
 * `BunqConfig.rateLimits` (the default: one process, its own counts). A fleet of processes on one API key provides a
 * shared one instead (`RedisRateLimiter` in `@effect-bunq/platform-node` keeps the counts in Redis).
 *
 * A limiter wraps the sending of one request: `limit(method, pathname)(send)` holds a slot in each of the request's
 * buckets (`bucketsFor`) from before `send` starts until its response is read, and the slot counts for the bucket's
 * window after that. A limiter whose own storage fails (Redis unreachable) fails with `RateLimiterError`, which
 * `BunqClient` reports as a `TransportError` (reason `Network`) of the request: the request was not sent.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { BunqConfig, type RateLimits } from "./BunqConfig.js"
import * as internal from "./internal/rateLimiter.js"

/**
 * A bucket: a method category, or `sessionServer` for `POST /session-server`.
 *
 * @since 0.1.0
 * @category models
 */
export type Bucket = keyof RateLimits

/**
 * The limiter's own storage failed (a shared limiter's Redis is unreachable): the request was not sent.
 * `description` names where the counts live (a URL without credentials), never a secret.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimiterError extends /* @__PURE__ */ Schema.TaggedError<RateLimiterError>(
  "@effect-bunq/http/RateLimiterError"
)("RateLimiterError", {
  description: Schema.String,
  cause: /* @__PURE__ */ Schema.optional(Schema.Defect)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `the rate limiter is unavailable: ${this.description}`
  }
}

/**
 * @since 0.1.0
 * @category tags
 */
export class BunqRateLimiter extends Context.Tag("@effect-bunq/http/BunqRateLimiter")<
  BunqRateLimiter,
  BunqRateLimiter.Service
>() {}

/**
 * @since 0.1.0
 */
export declare namespace BunqRateLimiter {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** Run `send` holding a slot in each of the request's buckets (see the module documentation). */
    readonly limit: (
      method: string,
      pathname: string
    ) => <A, E, R>(send: Effect.Effect<A, E, R>) => Effect.Effect<A, E | RateLimiterError, R>
  }
}

/**
 * The bucket(s) a request takes a slot in: its method's, and for `POST /session-server` also the `sessionServer`
 * bucket (taken first). A method other than `GET`, `PUT` and `DELETE` counts as `POST`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bucketsFor: (method: string, pathname: string) => ReadonlyArray<Bucket> = internal.bucketsFor

/**
 * The in-process limiter over `limits` (`undefined`: no limiting): a sliding window per bucket in this process's
 * memory. What `BunqClient` uses when no `BunqRateLimiter` is provided.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeInProcess = (limits: RateLimits | undefined): Effect.Effect<BunqRateLimiter.Service> =>
  Effect.map(internal.make(limits), (limit) => ({ limit }))

/**
 * The in-process limiter with `BunqConfig.rateLimits`, as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerInProcess: Layer.Layer<BunqRateLimiter, never, BunqConfig> = /* @__PURE__ */ Layer.effect(
  BunqRateLimiter,
  /* @__PURE__ */ Effect.flatMap(BunqConfig, (config) => makeInProcess(config.rateLimits))
)
