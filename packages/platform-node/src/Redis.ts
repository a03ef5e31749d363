/**
 * `Redis`: one connection to the Redis that a fleet of processes on one bunq API key shares — for the saved context
 * (`RedisContextStore`) and for bunq's rate budget (`RedisRateLimiter`). On `ioredis` 5.
 *
 * - Building the layer connects; a Redis that does not answer is `RedisError` with reason `Unreachable`, naming the
 *   URL without its credentials (`redis://:secret@host` is reported as `redis://host`).
 * - While Redis is down, commands fail at once with `RedisError` `Unavailable` (no offline queue: a command is never
 *   sent late, after the caller gave up), and the connection comes back by itself (reconnects every 100 ms – 1 s).
 * - A Redis that hangs (connected, but not answering: a stopped process, a stalled host) fails each command with
 *   `RedisError` `Unavailable` after `commandTimeout` (default 5 s). Redis may still run such a command later, when it
 *   wakes up: the callers here are written for that (see `RedisRateLimiter`, `RedisContextStore`).
 * - Closing the connection (the scope, the layer) waits at most `commandTimeout` for `QUIT`, then drops the connection.
 * - The URL may carry a password (`redis://:password@host:6379`, `rediss://` for TLS): it is `Redacted` from the
 *   configuration to the connection, and no error, log line or span shows it.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { Redis as IoRedis } from "ioredis"

/**
 * @since 0.1.0
 * @category errors
 */
export const RedisErrorReason = Schema.Literal("Unreachable", "Unavailable", "InvalidUrl")

/**
 * Redis could not be used. `reason`:
 * - `Unreachable`: no connection when the layer was built (wrong URL, Redis not running, TLS or password refused);
 * - `Unavailable`: a command failed (Redis restarting, connection lost) or got no reply within `commandTimeout` (Redis
 *   hangs); later calls recover by themselves;
 * - `InvalidUrl`: the URL is not a `redis:` or `rediss:` URL.
 *
 * `url` is the URL without credentials.
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisError extends Schema.TaggedError<RedisError>("@effect-bunq/platform-node/RedisError")("RedisError", {
  reason: RedisErrorReason,
  url: Schema.String,
  description: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.reason}: ${this.description} (Redis at ${this.url})`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** `redis://[:password@]host[:port][/db]`, or `rediss://…` for TLS. */
  readonly url: Redacted.Redacted<string>
  /** Use TLS even with a `redis:` URL. Default: only for `rediss:`. */
  readonly tls?: boolean | undefined
  /** Prefix of every key this library writes. Default `"effect-bunq:"`. */
  readonly keyPrefix?: string | undefined
  /** How long the first connection may take. Default 5 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /**
   * How long a command may wait for its reply before it fails with `RedisError` `Unavailable` (a Redis that hangs),
   * and closing waits for `QUIT`. Default 5 seconds.
   */
  readonly commandTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Redis extends Context.Tag("@effect-bunq/platform-node/Redis")<Redis, Redis.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace Redis {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** The `ioredis` client. */
    readonly client: IoRedis
    /** The URL without credentials, for messages. */
    readonly url: string
    /** The prefix of every key (see `Options.keyPrefix`). */
    readonly keyPrefix: string
    /**
     * Run a command; its failure, or no reply within `commandTimeout`, is `RedisError` `Unavailable` (the message of
     * `ioredis`, never the arguments).
     */
    readonly use: <A>(f: (client: IoRedis) => Promise<A>) => Effect.Effect<A, RedisError>
  }
}

/**
 * The URL without user name and password, query or fragment: what messages show.
 *
 * @since 0.1.0
 * @category constructors
 */
export const safeUrl = (url: Redacted.Redacted<string>): string => {
  try {
    const parsed = new URL(Redacted.value(url))
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`
  } catch {
    return "(not a URL)"
  }
}

/**
 * Connect (see the module documentation); the connection is closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Redis.Service, RedisError, Scope.Scope> =>
  Effect.gen(function*() {
    const url = safeUrl(options.url)
    let parsed: URL
    try {
      parsed = new URL(Redacted.value(options.url))
    } catch {
      return yield* new RedisError({ reason: "InvalidUrl", url, description: "BUNQ_REDIS_URL is not a URL" })
    }
    if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
      return yield* new RedisError({
        reason: "InvalidUrl",
        url,
        description: "the Redis URL must start with redis:// or rediss:// (TLS)"
      })
    }
    const tls = options.tls === true || parsed.protocol === "rediss:"
    // Reconnect only once the first connection worked: a Redis that is not there at start is an error, not a wait.
    let connected = false
    const commandTimeout = Duration.decode(options.commandTimeout ?? Duration.seconds(5))
    const client = new IoRedis(Redacted.value(options.url), {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: Duration.toMillis(Duration.decode(options.connectTimeout ?? Duration.seconds(5))),
      commandTimeout: Duration.toMillis(commandTimeout),
      retryStrategy: (times) => connected ? Math.min(times * 100, 1000) : null,
      ...(tls ? { tls: { servername: parsed.hostname } } : {})
    })
    // Without a listener, ioredis prints every connection error (with its stack) to the console.
    client.on("error", () => {})
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => client.connect(),
        catch: (cause) =>
          new RedisError({
            reason: "Unreachable",
            url,
            description: `cannot connect: ${describe(cause)}`
          })
      }).pipe(Effect.tapError(() => Effect.sync(() => client.disconnect()))),
      // `QUIT` lets the commands already sent finish; a Redis that hangs gets `commandTimeout`, then the connection is
      // dropped. (Interruptible inside this finalizer, so that the timeout can end the wait.)
      () =>
        Effect.tryPromise(() => client.quit()).pipe(
          Effect.interruptible,
          Effect.timeout(commandTimeout),
          Effect.ignore,
          Effect.ensuring(Effect.sync(() => client.disconnect()))
        )
    )
    connected = true
    return {
      client,
      url,
      keyPrefix: options.keyPrefix ?? "effect-bunq:",
      use: (f) =>
        Effect.tryPromise({
          try: () => f(client),
          catch: (cause) =>
            new RedisError({
              reason: "Unavailable",
              url,
              description: isCommandTimeout(cause)
                ? `no reply within ${Duration.format(commandTimeout)} (Redis hangs or is overloaded)`
                : describe(cause)
            })
        })
    }
  })

/** An `ioredis` error's message only: its `command` field would carry the arguments (documents, tokens). */
const describe = (cause: unknown): string =>
  cause instanceof Error && cause.message.length > 0 ? cause.message : "unknown error"

/** The rejection of a command that got no reply within `commandTimeout` (ioredis's `Command.setTimeout`). */
const isCommandTimeout = (cause: unknown): boolean => cause instanceof Error && cause.message === "Command timed out"

/**
 * The connection as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Redis, RedisError> => Layer.scoped(Redis, make(options))
