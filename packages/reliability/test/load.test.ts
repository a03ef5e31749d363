/**
 * Sessions under load and the client-side limiter, through `BunqNode`'s layers against the in-process emulator, with
 * `TestClock` driving time (session expiry, the limiter's waits, the emulator's rate-limit windows):
 *
 * - 200 concurrent calls (1,000 under `BUNQ_STRESS`) across a session that expired by the clock, and 50 (1,000) across
 *   one the server ended: exactly one `POST /session-server`, every call succeeds;
 * - with the emulator enforcing bunq's classic limits and the client limiter on (classic limits), a sustained run of
 *   60 GETs (300 under `BUNQ_STRESS`) with session refreshes on the way sees no 429, and no 3-second window holds
 *   more than 3 GETs.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as Installation from "@effect-bunq/device-server/Installation"
import * as User from "@effect-bunq/device-server/User"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Option, TestClock, TestServices } from "effect"
import { makeEmulator, nodeLayer, seen, stress } from "./utils/setup.js"

const concurrentCalls = stress ? 1000 : 200
const sustainedGets = stress ? 300 : 60
/** The server-ended variant costs three requests per call; lighter in normal mode. */
const rejectedCalls = stress ? 1000 : 50

/** A mix of session-token calls, all GETs. */
const call = (i: number, ids: { deviceId: number }) =>
  i % 3 === 0 ? User.get() : i % 3 === 1 ? DeviceServer.get(ids.deviceId) : Installation.list()

describe("load", () => {
  it.effect(
    `${concurrentCalls} concurrent calls across an expired session open exactly one session`,
    () =>
      Effect.gen(function*() {
        const emulator = yield* makeEmulator({ sessionTimeout: 600 })
        const user = yield* emulator.createSandboxUser()
        yield* Effect.gen(function*() {
          const context = yield* ApiContext.ApiContext
          const deviceId = Option.getOrThrow((yield* context.snapshot).deviceId)
          const opens = seen(emulator, "POST", "/session-server")
          assert.strictEqual(yield* opens, 1)

          // 1. Expired by the clock: the client knows and refreshes before sending.
          yield* TestClock.adjust("601 seconds")
          yield* emulator.clearLog
          const results = yield* Effect.all(
            Array.from({ length: concurrentCalls }, (_, i) => call(i, { deviceId })),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(results.length, concurrentCalls)
          assert.strictEqual(yield* opens, 1)
          const log1 = yield* emulator.log
          assert.strictEqual(log1.length, concurrentCalls + 1)
          assert.isTrue(log1.every((e) => e.status === 200))

          // 2. Ended by the server while the client thinks it valid: every call gets a 401, one refresh, one retry each.
          yield* emulator.expireSessions
          yield* emulator.clearLog
          yield* Effect.all(
            Array.from({ length: rejectedCalls }, (_, i) => call(i, { deviceId })),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(yield* opens, 1)
          const log2 = yield* emulator.log
          const rejected = log2.filter((e) => e.status === 401).length
          assert.isTrue(rejected >= 1)
          assert.strictEqual(log2.filter((e) => e.status === 200 && e.method === "GET").length, rejectedCalls)
          assert.strictEqual(log2.length, rejectedCalls + rejected + 1)
        }).pipe(Effect.provide(nodeLayer(emulator, user.apiKey)))
      }),
    { timeout: 120_000 }
  )

  it.effect(
    `a sustained run of ${sustainedGets} GETs under bunq's limits: the limiter keeps the emulator from 429`,
    () =>
      Effect.gen(function*() {
        // Sessions last 60 s (renewed 6 s before they expire, a tenth of their lifetime): the run (about 57 s of clock
        // time) opens a new session on the way, which is also limited (1 per 30 s). Three calls at a time, so no call
        // waits in the limiter longer than the margin with a token it took before queuing.
        const emulator = yield* makeEmulator({ rateLimits: BunqEmulator.bunqRateLimits, sessionTimeout: 60 })
        const user = yield* emulator.createSandboxUser()
        const sent: Array<{ method: string; at: number }> = []
        const record = (client: HttpClient.HttpClient) =>
          HttpClient.tapRequest(client, (request) =>
            Effect.map(Clock.currentTimeMillis, (at) => {
              sent.push({ method: request.method, at })
            }))
        yield* Effect.gen(function*() {
          const context = yield* ApiContext.ApiContext
          const deviceId = Option.getOrThrow((yield* context.snapshot).deviceId)
          const run = yield* Effect.fork(Effect.all(
            Array.from({ length: sustainedGets }, (_, i) => call(i, { deviceId })),
            { concurrency: 3 }
          ))
          // Drive the clock in small steps, letting every request finish before time moves on.
          let steps = 0
          while (Option.isNone(yield* Fiber.poll(run))) {
            yield* TestServices.provideLive(Effect.sleep("1 millis"))
            yield* TestClock.adjust("100 millis")
            assert.isBelow(++steps, 100 * sustainedGets, "the run did not finish")
          }
          yield* Fiber.join(run)
        }).pipe(Effect.provide(nodeLayer(emulator, user.apiKey, { rateLimits: {} }, record)))

        const entries = yield* emulator.log
        assert.deepStrictEqual(
          entries.filter((e) => e.status !== 200).map((e) => `${e.method} ${e.path} ${e.status}`),
          []
        )
        const gets = sent.filter((r) => r.method === "GET").map((r) => r.at)
        assert.strictEqual(gets.length, sustainedGets)
        for (const [i, at] of gets.entries()) {
          const inWindow = gets.filter((t) => t > at - 3000 && t <= at).length
          assert.isAtMost(inWindow, 3, `GET #${i} at ${at} ms`)
        }
        const sessions = entries.filter((e) => e.path === "/session-server").length
        // 3 per 3 s: the run takes at least (n / 3 - 1) * 3 seconds of clock time, so sessions were renewed on the way
        // (a call takes its session token before it queues in the limiter, so the renewal comes a little late).
        assert.isAtLeast(gets[gets.length - 1]! - gets[0]!, (sustainedGets / 3 - 1) * 3000)
        assert.isAtLeast(sessions, 2)
      }),
    { timeout: 300_000 }
  )
})
