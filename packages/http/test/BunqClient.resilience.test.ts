import type { BunqRequest } from "@effect-bunq/http/BunqClient"
import * as BunqRateLimiter from "@effect-bunq/http/BunqRateLimiter"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClientError } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Either, Exit, Fiber, TestClock } from "effect"
import { fixture } from "./utils/fixtures.js"
import { type Handler, makeKeys, type Reply, sessionToken, withClient } from "./utils/recordingTransport.js"

const keys = await Effect.runPromise(makeKeys)

// Timing assertions need every step between two clock sleeps to be synchronous: real crypto runs on a thread pool
// and would let the TestClock move on meanwhile. So the timing tests use unsigned requests and replies (signing and
// verification have their own tests); the retry tests that use real crypto only count attempts.
const ok: Reply = { body: fixture("device-server-read.response.json"), sign: "none" }
const tooMany: Reply = { status: 429, body: fixture("error-generic.response.json"), sign: "none" }
const serverError: Reply = { status: 500, body: fixture("error-generic.response.json"), sign: "none" }

const request = (method: BunqRequest["method"], path = "/device-server/2348"): BunqRequest => ({
  operation: "DeviceServer.test",
  method,
  path,
  ...(method === "GET" ? {} : { body: { description: "x" } }),
  auth: { _tag: "Session", token: sessionToken }
})

const signed = (method: BunqRequest["method"]): BunqRequest => ({
  ...request(method),
  signWith: keys.client.privateKey,
  verifyWith: keys.server.publicKeyPem
})

/** Times of the recorded requests relative to the first one. */
const relative = (times: ReadonlyArray<number>) => times.map((t) => t - times[0]!)

/** Run `effect` in a fiber while moving the TestClock forward in steps, then join it. */
const runWithClock = <A, E>(
  effect: Effect.Effect<A, E>,
  total: Duration.DurationInput,
  step: Duration.DurationInput = "100 millis"
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const steps = Math.ceil(Duration.toMillis(total) / Duration.toMillis(step))
    for (let i = 0; i < steps; i++) yield* TestClock.adjust(step)
    return yield* Fiber.await(fiber)
  })

/** Like `runWithClock`, for effects doing real (thread-pool) crypto: lets real time pass between clock steps. */
const runWithClockAndCrypto = <A, E>(effect: Effect.Effect<A, E>, step: Duration.DurationInput = "500 millis") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 400; i++) {
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") return done.value
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)))
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.await(fiber)
  })

const transportFailure = Effect.fail(
  new HttpClientError.RequestError({ request: undefined as any, reason: "Transport", cause: new Error("ECONNRESET") })
)

describe("BunqClient retries", () => {
  it.effect("retries a GET on 429 after bunq's window, with a fresh request id, and recovers", () =>
    withClient(keys, (_r, i) => i < 2 ? tooMany : ok, { retry: { baseDelay: "1 second", maxAttempts: 4 } }, (
      client,
      transport
    ) =>
      Effect.gen(function*() {
        const exit = yield* runWithClock(client.execute(request("GET")), "10 seconds")
        assert.isTrue(Exit.isSuccess(exit))
        assert.strictEqual(transport.requests.length, 3)
        // a 429 waits out the 3 s window (the backoff, 1 s then 2 s, is shorter)
        assert.deepStrictEqual(relative(transport.requests.map((r) => r.at)), [0, 3000, 6000])
        const ids = new Set(transport.requests.map((r) => r.headers["x-bunq-client-request-id"]))
        assert.strictEqual(ids.size, 3)
      })))

  it.effect("retries a signed, verified GET: every attempt is re-signed and verified", () =>
    Effect.gen(function*() {
      const signer = yield* WebCryptoSigner.make
      // Every attempt carries a signature that verifies with the client's key over the bytes it sent.
      yield* withClient(
        keys,
        (_r, i) => i < 2 ? { ...tooMany, sign: "server" } : { ...ok, sign: "server" },
        { retry: { maxAttempts: 4 } },
        (client, transport) =>
          Effect.gen(function*() {
            const exit = yield* runWithClockAndCrypto(client.execute(signed("GET")))
            assert.isTrue(Exit.isSuccess(exit))
            assert.strictEqual(transport.requests.length, 3)
            for (const r of transport.requests) {
              const verified = yield* Effect.either(
                signer.verify(keys.client.publicKeyPem, r.body, r.headers["x-bunq-client-signature"]!)
              )
              assert.isTrue(Either.isRight(verified), "each attempt's signature verifies over its body")
            }
            assert.strictEqual(new Set(transport.requests.map((r) => r.headers["x-bunq-client-request-id"])).size, 3)
          })
      )
      // Every attempt's response is verified, not only the last one: a tampered 429 on the second attempt stops the
      // retries with ResponseVerificationError instead of being retried.
      yield* withClient(
        keys,
        (_r, i) => i === 1 ? { ...tooMany, sign: "flipBody" } : i < 2 ? { ...tooMany, sign: "server" } : ok,
        { retry: { maxAttempts: 4 } },
        (client, transport) =>
          Effect.gen(function*() {
            const exit = yield* runWithClockAndCrypto(client.execute(signed("GET")))
            const error = yield* Effect.flip(exit)
            assert.strictEqual(error._tag, "ResponseVerificationError")
            assert.strictEqual(transport.requests.length, 2)
          })
      )
    }))

  it.effect("a signed POST answered 429 (not processed) is sent again after the window, with a fresh request id", () =>
    withClient(
      keys,
      (_r, i) => i < 2 ? { ...tooMany, sign: "server" } : { ...ok, sign: "server" },
      { retry: { maxAttempts: 4 } },
      (client, transport) =>
        Effect.gen(function*() {
          const exit = yield* runWithClockAndCrypto(client.execute(signed("POST")))
          assert.isTrue(Exit.isSuccess(exit))
          assert.strictEqual(transport.requests.length, 3)
          const gaps = relative(transport.requests.map((r) => r.at))
          assert.isTrue(gaps[1]! >= 3000 && gaps[2]! - gaps[1]! >= 3000, `gaps ${gaps}`)
          assert.strictEqual(new Set(transport.requests.map((r) => r.headers["x-bunq-client-request-id"])).size, 3)
          // the same body bytes, so the same signature
          assert.strictEqual(new Set(transport.requests.map((r) => r.headers["x-bunq-client-signature"])).size, 1)
        })
    ))

  it.effect("a POST still answered 429 after maxAttempts fails with the ApiError", () =>
    withClient(keys, () => tooMany, { retry: { maxAttempts: 3 } }, (client, transport) =>
      Effect.gen(function*() {
        const exit = yield* runWithClock(client.execute(request("POST")), "20 seconds", "1 second")
        const error = yield* Effect.flip(exit)
        assert.strictEqual(error._tag, "ApiError")
        assert.strictEqual(transport.requests.length, 3)
      })))

  it.effect("POST /session-server answered 429 waits out its own 30 s window", () =>
    withClient(
      keys,
      (_r, i) => i < 1 ? tooMany : ok,
      { retry: { maxAttempts: 2 } },
      (client, transport) =>
        Effect.gen(function*() {
          const exit = yield* runWithClock(client.execute(request("POST", "/session-server")), "40 seconds", "1 second")
          assert.isTrue(Exit.isSuccess(exit))
          assert.deepStrictEqual(relative(transport.requests.map((r) => r.at)), [0, 30000])
        })
    ))

  it.effect("retries a GET on 5xx with exponential backoff", () =>
    withClient(keys, (_r, i) => i < 2 ? serverError : ok, { retry: { baseDelay: "1 second", maxAttempts: 4 } }, (
      client,
      transport
    ) =>
      Effect.gen(function*() {
        const exit = yield* runWithClock(client.execute(request("GET")), "5 seconds")
        assert.isTrue(Exit.isSuccess(exit))
        assert.deepStrictEqual(relative(transport.requests.map((r) => r.at)), [0, 1000, 3000])
      })))

  it.effect("the backoff is capped at maxDelay", () =>
    withClient(
      keys,
      (_r, i) => i < 3 ? serverError : ok,
      { retry: { baseDelay: "1 second", factor: 10, maxDelay: "2 seconds", maxAttempts: 4 } },
      (client, transport) =>
        Effect.gen(function*() {
          const exit = yield* runWithClock(client.execute(request("GET")), "10 seconds")
          assert.isTrue(Exit.isSuccess(exit))
          // 1 s, then 10 s and 100 s capped to 2 s
          assert.deepStrictEqual(relative(transport.requests.map((r) => r.at)), [0, 1000, 3000, 5000])
        })
    ))

  it.effect("retries a GET on 5xx and transport failures, up to maxAttempts", () =>
    Effect.gen(function*() {
      const recovered = yield* withClient(
        keys,
        (_r, i) => i === 0 ? transportFailure : i === 1 ? serverError : ok,
        { retry: { maxAttempts: 3 } },
        (client, transport) =>
          Effect.map(runWithClock(client.execute(request("GET")), "10 seconds", "500 millis"), (exit) =>
            [exit, transport] as const)
      )
      assert.isTrue(Exit.isSuccess(recovered[0]))
      assert.strictEqual(recovered[1].requests.length, 3)

      const exhausted = yield* withClient(
        keys,
        () =>
          serverError,
        { retry: { maxAttempts: 3 } },
        (client, transport) =>
          Effect.map(
            runWithClock(client.execute(request("GET")), "30 seconds", "1 second"),
            (exit) => [exit, transport] as const
          )
      )
      assert.isTrue(Exit.isFailure(exhausted[0]))
      assert.strictEqual(exhausted[1].requests.length, 3)
    }))

  it.effect("does not retry a GET on other errors (404, bad signature)", () =>
    Effect.gen(function*() {
      for (
        const reply of [{ status: 404, body: fixture("error-not-found.404.response.json") }, {
          ...ok,
          sign: "wrongKey" as const
        }]
      ) {
        // (the wrong-key case uses real crypto, but only counts calls)
        const calls = yield* withClient(
          keys,
          () => reply,
          { retry: { maxAttempts: 4 } },
          (client, transport) =>
            Effect.map(runWithClockAndCrypto(client.execute(signed("GET"))), () => transport.requests.length)
        )
        assert.strictEqual(calls, 1)
      }
    }))

  it.effect("never retries POST, PUT or DELETE after a failure that may have reached bunq (5xx, transport)", () =>
    Effect.gen(function*() {
      for (const method of ["POST", "PUT", "DELETE"] as const) {
        for (const failure of [() => serverError, () => transportFailure]) {
          const [exit, calls] = yield* withClient(
            keys,
            failure,
            { retry: { maxAttempts: 4 } },
            (client, transport) =>
              Effect.map(
                runWithClock(client.execute(request(method)), "30 seconds", "2 seconds"),
                (exit) => [exit, transport.requests.length] as const
              )
          )
          assert.isTrue(Exit.isFailure(exit))
          assert.strictEqual(calls, 1, `${method} must be sent exactly once`)
        }
      }
    }))

  it.effect("times out an attempt with TransportError Timeout", () =>
    withClient(keys, () => Effect.never, { timeout: "5 seconds" }, (client) =>
      Effect.gen(function*() {
        const exit = yield* runWithClock(client.execute(request("POST")), "6 seconds")
        assert.isTrue(Exit.isFailure(exit))
        const error = yield* Effect.flip(exit)
        assert.strictEqual(error._tag, "TransportError")
        assert.strictEqual((error as any).reason, "Timeout")
      })))

  // A request made where the caller is uninterruptible (a finalizer, a `Scope`'s release, `acquireRelease`'s acquire)
  // returns with its response: the deadline's timer is interrupted at once, as `Effect.timeoutFail`'s is, and does not
  // hold the request until the TestClock has moved past the timeout.
  it.effect("an uninterruptible caller gets its response without the clock moving", () =>
    withClient(keys, () => ok, { timeout: "5 seconds" }, (client) =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(Effect.uninterruptible(client.execute(request("GET"))))
        let done = yield* Fiber.poll(fiber)
        for (let i = 0; i < 50 && done._tag === "None"; i++) {
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)))
          done = yield* Fiber.poll(fiber)
        }
        yield* TestClock.adjust("6 seconds") // (lets a request held by the deadline go, so the test ends either way)
        assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
        assert.strictEqual(done._tag, "Some", "the response waited for the clock to pass the timeout")
      })))
})

describe("BunqClient rate limiter", () => {
  it.effect("holds a slot until the response: arrivals late on the network cannot bunch into the next window", () =>
    Effect.gen(function*() {
      // bunq counts a request when it arrives. The first three take 400 ms on the way; the next three none.
      const arrivals: Array<number> = []
      const handler: Handler = (_r, i) =>
        Effect.gen(function*() {
          if (i < 3) yield* Effect.sleep("400 millis")
          arrivals.push(yield* Clock.currentTimeMillis)
          return ok
        })
      yield* withClient(keys, handler, { rateLimits: {} }, (client) =>
        runWithClock(
          Effect.all(Array.from({ length: 6 }, () => client.execute(request("GET"))), { concurrency: "unbounded" }),
          "10 seconds"
        ))
      assert.strictEqual(arrivals.length, 6)
      // The most arrivals in any (t - 3 s, t] window, as bunq (and the emulator) count them.
      const busiest = Math.max(...arrivals.map((t) => arrivals.filter((u) => u > t - 3000 && u <= t).length))
      assert.strictEqual(busiest, 3, `arrivals ${relative(arrivals)}`)
      assert.deepStrictEqual(relative(arrivals), [0, 0, 0, 3000, 3000, 3000])
    }))

  it.effect("queues GETs to 3 per 3 s (classic limits), never failing", () =>
    withClient(keys, () => ok, { rateLimits: {} }, (client, transport) =>
      Effect.gen(function*() {
        const all = Effect.all(Array.from({ length: 7 }, () => client.execute(request("GET"))), {
          concurrency: "unbounded"
        })
        const exit = yield* runWithClock(all, "10 seconds")
        assert.isTrue(Exit.isSuccess(exit))
        assert.deepStrictEqual(relative(transport.requests.map((r) => r.at)), [0, 0, 0, 3000, 3000, 3000, 6000])
      })))

  it.effect("keeps categories apart: POST 5 per 3 s, PUT 2 per 3 s, while GETs are not held up", () =>
    withClient(keys, () => ok, { rateLimits: {} }, (client, transport) =>
      Effect.gen(function*() {
        const posts = Array.from({ length: 6 }, () => client.execute(request("POST", "/payment")))
        const puts = Array.from({ length: 3 }, () => client.execute(request("PUT", "/card")))
        const gets = Array.from({ length: 3 }, () => client.execute(request("GET", "/user")))
        const exit = yield* runWithClock(
          Effect.all([...posts, ...puts, ...gets], { concurrency: "unbounded" }),
          "5 seconds"
        )
        assert.isTrue(Exit.isSuccess(exit))
        const start = transport.requests[0]!.at
        const times = (method: string) => transport.requests.filter((r) => r.method === method).map((r) => r.at - start)
        assert.deepStrictEqual(times("POST"), [0, 0, 0, 0, 0, 3000])
        assert.deepStrictEqual(times("PUT"), [0, 0, 3000])
        assert.deepStrictEqual(times("GET"), [0, 0, 0])
      })))

  it.effect("allows one POST /session-server per 30 s", () =>
    withClient(keys, () => ok, { rateLimits: {} }, (client, transport) =>
      Effect.gen(function*() {
        const session = () => client.execute(request("POST", "/session-server"))
        const exit = yield* runWithClock(
          Effect.all([session(), session(), client.execute(request("POST", "/payment"))], { concurrency: "unbounded" }),
          "31 seconds",
          "1 second"
        )
        assert.isTrue(Exit.isSuccess(exit))
        const start = transport.requests[0]!.at
        const sessions = transport.requests.filter((r) => r.url.pathname.endsWith("/session-server"))
        assert.deepStrictEqual(sessions.map((r) => r.at - start), [0, 30000])
        const payment = transport.requests.find((r) => r.url.pathname.endsWith("/payment"))!
        assert.strictEqual(payment.at - start, 0)
      })))

  it.effect("is configurable per bucket, and off", () =>
    Effect.gen(function*() {
      const custom = yield* withClient(
        keys,
        () => ok,
        { rateLimits: { GET: { limit: 1, window: Duration.seconds(1) } } },
        (client, transport) =>
          Effect.map(
            runWithClock(
              Effect.all([1, 2, 3].map(() => client.execute(request("GET"))), { concurrency: 3 }),
              "3 seconds"
            ),
            () => relative(transport.requests.map((r) => r.at))
          )
      )
      assert.deepStrictEqual(custom, [0, 1000, 2000])
      const off = yield* withClient(keys, () => ok, { rateLimits: false }, (client, transport) =>
        Effect.map(
          runWithClock(
            Effect.all(Array.from({ length: 10 }, () => client.execute(request("GET"))), { concurrency: 10 }),
            "1 second"
          ),
          () => relative(transport.requests.map((r) => r.at))
        ))
      assert.deepStrictEqual(off, Array.from({ length: 10 }, () => 0))
    }))
})

describe("BunqClient with a provided BunqRateLimiter", () => {
  it.effect("sends through the provided limiter instead of the in-process one", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const limiter: BunqRateLimiter.BunqRateLimiter.Service = {
        limit: (method, pathname) => (send) =>
          Effect.suspend(() => {
            seen.push(`${method} ${pathname} ${BunqRateLimiter.bucketsFor(method, pathname).join("+")}`)
            return send
          })
      }
      const sent = yield* withClient(keys, () => ok, { rateLimits: {} }, (client, transport) =>
        Effect.map(
          // 5 GETs at once: the in-process limiter (3 per 3 s) would hold two of them back for 3 s.
          runWithClock(
            Effect.all(Array.from({ length: 5 }, () => client.execute(request("GET"))), { concurrency: 5 }),
            "1 second"
          ),
          () => relative(transport.requests.map((r) => r.at))
        )).pipe(Effect.provideService(BunqRateLimiter.BunqRateLimiter, limiter))
      assert.deepStrictEqual(sent, [0, 0, 0, 0, 0])
      assert.deepStrictEqual(seen, Array.from({ length: 5 }, () => "GET /device-server/2348 GET"))
      assert.deepStrictEqual(BunqRateLimiter.bucketsFor("POST", "/session-server"), ["sessionServer", "POST"])
    }))

  it.effect("reports the limiter's failure as a TransportError of the request, which is not sent", () =>
    Effect.gen(function*() {
      const limiter: BunqRateLimiter.BunqRateLimiter.Service = {
        limit: () => () =>
          Effect.fail(new BunqRateLimiter.RateLimiterError({ description: "redis://127.0.0.1:1 down" }))
      }
      const [error, sent] = yield* withClient(
        keys,
        () => ok,
        { rateLimits: {}, retry: false },
        (client, transport) =>
          Effect.map(
            Effect.flip(client.execute(request("POST", "/payment"))),
            (e) => [e, transport.requests.length] as const
          )
      )
        .pipe(Effect.provideService(BunqRateLimiter.BunqRateLimiter, limiter))
      assert.strictEqual(sent, 0)
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(error._tag === "TransportError" ? error.reason : "", "Network")
      assert.include(error.message, "the rate limiter is unavailable: redis://127.0.0.1:1 down")
    }))
})
