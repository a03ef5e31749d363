/**
 * Faults, end to end through `BunqNode`'s layers against the in-process emulator: a 429 (bunq did not process the
 * request) is retried after bunq's window, on a GET and on a POST, with a fresh request id (driven by `TestClock`);
 * on a POST, 5xx, 491 and a connection reset (before or after the server processed it) are typed errors and the
 * emulator saw exactly one request; a response slower
 * than the configured timeout is `TransportError` `Timeout`; maintenance (491) is not a server error.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as User from "@effect-bunq/device-server/User"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, TestClock, TestServices } from "effect"
import { logLines, makeEmulator, nodeLayer } from "./utils/setup.js"

/** Wait (in real time, a few ms at a time) until `condition` holds; the fibers under test run meanwhile. */
const eventually = (condition: Effect.Effect<boolean>, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 400; i++) {
      if (yield* condition) return
      yield* TestServices.provideLive(Effect.sleep("5 millis"))
    }
    assert.fail(`timed out waiting for ${what}`)
  })

const userPath = (entries: ReadonlyArray<string>) => entries.filter((line) => line.startsWith("GET /user/"))

/** A POST with the context's own installation credentials: registers another device. */
const createDevice = (apiKey: BunqEmulator.SandboxUser["apiKey"]) =>
  Effect.gen(function*() {
    const snapshot = yield* Effect.flatMap(ApiContext.ApiContext, (context) => context.snapshot)
    return yield* DeviceServer.create({
      token: snapshot.installation.token,
      privateKey: snapshot.keyPair.privateKey,
      serverPublicKey: snapshot.installation.serverPublicKey
    }, { description: "faults", secret: apiKey, permittedIps: ["*"] })
  })

describe("faults", () => {
  it.effect("a 429 on GET is retried after bunq's 3 s window, twice, and then succeeds", () =>
    Effect.gen(function*() {
      const emulator = yield* makeEmulator()
      const user = yield* emulator.createSandboxUser()
      yield* Effect.gen(function*() {
        yield* emulator.clearLog
        yield* emulator.injectFault({ _tag: "Status", status: 429, method: "GET", path: "/user/*", times: 2 })
        const fiber = yield* Effect.fork(User.get())
        const calls = Effect.map(logLines(emulator), userPath)
        yield* eventually(Effect.map(calls, (c) => c.length === 1), "the first attempt")
        yield* TestClock.adjust("2999 millis")
        yield* TestServices.provideLive(Effect.sleep("30 millis"))
        assert.strictEqual((yield* calls).length, 1, "retried before the window passed")
        yield* TestClock.adjust("1 millis")
        yield* eventually(Effect.map(calls, (c) => c.length === 2), "the second attempt after 3 s")
        yield* TestClock.adjust("2999 millis")
        yield* TestServices.provideLive(Effect.sleep("30 millis"))
        assert.strictEqual((yield* calls).length, 2, "retried before the window passed again")
        yield* TestClock.adjust("1 millis")
        const found = yield* Fiber.join(fiber)
        assert.strictEqual(found.id, user.id)
        const lines = yield* calls
        assert.deepStrictEqual(lines.map((line) => line.split(" ")[2]), ["429", "429", "200"])
      }).pipe(Effect.provide(nodeLayer(emulator, user.apiKey, { retry: {} })))
    }))

  it.effect("a 429 on POST is sent again after the window with a fresh request id, once per window", () =>
    Effect.gen(function*() {
      const emulator = yield* makeEmulator()
      const user = yield* emulator.createSandboxUser()
      yield* Effect.gen(function*() {
        yield* emulator.clearLog
        yield* emulator.injectFault({ _tag: "Status", status: 429, method: "POST", path: "/device-server", times: 1 })
        const fiber = yield* Effect.fork(createDevice(user.apiKey))
        const posts = Effect.map(emulator.log, (log) => log.filter((e) => e.path === "/device-server"))
        yield* eventually(Effect.map(posts, (p) => p.length === 1), "the first attempt")
        yield* TestClock.adjust("2999 millis")
        yield* TestServices.provideLive(Effect.sleep("30 millis"))
        assert.strictEqual((yield* posts).length, 1, "sent again before the window passed")
        yield* TestClock.adjust("1 millis")
        const id = yield* Fiber.join(fiber)
        assert.isNumber(id)
        const sent = yield* posts
        assert.deepStrictEqual(sent.map((e) => e.status), [429, 200])
        assert.notStrictEqual(sent[0]!.requestId, sent[1]!.requestId)
      }).pipe(Effect.provide(nodeLayer(emulator, user.apiKey, { retry: {} })))
    }))

  it.effect("500, 503, 491 and connection resets on POST are typed errors after exactly one request", () =>
    Effect.gen(function*() {
      const emulator = yield* makeEmulator()
      const user = yield* emulator.createSandboxUser()
      const cases: ReadonlyArray<{ fault: BunqEmulator.FaultKind; expect: string }> = [
        { fault: { _tag: "Status", status: 500 }, expect: "ApiError ServerError 500" },
        { fault: { _tag: "Status", status: 503 }, expect: "ApiError ServerError 503" },
        { fault: { _tag: "Status", status: 491 }, expect: "ApiError Maintenance 491" },
        { fault: { _tag: "ConnectionReset" }, expect: "TransportError Network" },
        { fault: { _tag: "ConnectionReset", afterProcessing: true }, expect: "TransportError Network" }
      ]
      const posts: ReadonlyArray<{ path: string; run: Effect.Effect<unknown, unknown, any> }> = [
        { path: "/device-server", run: createDevice(user.apiKey) },
        { path: "/session-server", run: Effect.flatMap(ApiContext.ApiContext, (context) => context.refreshSession) }
      ]
      let checked = 0
      yield* Effect.gen(function*() {
        for (const post of posts) {
          for (const { expect, fault } of cases) {
            yield* emulator.clearLog
            yield* emulator.injectFault({ ...fault, method: "POST", path: post.path })
            const error = (yield* Effect.flip(post.run)) as {
              _tag: string
              reason: string
              status?: number
              message: string
            }
            const label = `POST ${post.path} ${JSON.stringify(fault)}`
            assert.strictEqual(
              [error._tag, error.reason, error.status].filter((x) => x !== undefined).join(" "),
              expect,
              label
            )
            // Exactly one request: a POST is never sent again, whatever the failure.
            const sent = (yield* emulator.log).filter((e) => e.path === post.path)
            assert.strictEqual(sent.length, 1, label)
            assert.strictEqual(sent[0]!.fault, fault._tag, label)
            checked++
          }
        }
        // Afterwards the context still works.
        yield* User.get()
      }).pipe(Effect.provide(nodeLayer(emulator, user.apiKey, { retry: { baseDelay: "1 millis" } })))
      assert.strictEqual(checked, 10)
    }))

  it.effect("491 maintenance is its own reason, on GET too, and is not retried like a 5xx", () =>
    Effect.gen(function*() {
      const emulator = yield* makeEmulator()
      const user = yield* emulator.createSandboxUser()
      yield* Effect.gen(function*() {
        yield* emulator.clearLog
        yield* emulator.injectFault({ _tag: "Status", status: 491, method: "GET", path: "/user/*" })
        const maintenance = yield* Effect.flip(User.get())
        assert.strictEqual(maintenance._tag, "ApiError")
        if (maintenance._tag !== "ApiError") return
        assert.strictEqual(maintenance.reason, "Maintenance")
        assert.strictEqual(maintenance.status, 491)
        assert.deepStrictEqual(yield* Effect.map(logLines(emulator), userPath), [`GET /user/${user.id} 491`])
        // A 5xx is a ServerError, and a GET retries it (with the TestClock driving the backoff).
        yield* emulator.clearLog
        yield* emulator.injectFault({ _tag: "Status", status: 500, method: "GET", path: "/user/*" })
        const fiber = yield* Effect.fork(User.get())
        yield* eventually(Effect.map(logLines(emulator), (l) => userPath(l).length === 1), "the first attempt")
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
        assert.deepStrictEqual(yield* Effect.map(logLines(emulator), userPath), [
          `GET /user/${user.id} 500`,
          `GET /user/${user.id} 200`
        ])
      }).pipe(Effect.provide(nodeLayer(emulator, user.apiKey, { retry: {} })))
    }))

  it.live("a response slower than the client timeout is TransportError Timeout (GET and POST)", () =>
    Effect.gen(function*() {
      const emulator = yield* makeEmulator()
      const user = yield* emulator.createSandboxUser()
      const sent: Array<string> = []
      let recording = false
      const record = (client: HttpClient.HttpClient) =>
        HttpClient.tapRequest(client, (request) =>
          Effect.sync(() => {
            if (recording) sent.push(`${request.method} ${request.url.replace(/^.*\/v1/, "").replace(/\?.*$/, "")}`)
          }))
      yield* Effect.gen(function*() {
        // Open the session first: only the calls below get the latency.
        yield* Effect.flatMap(ApiContext.ApiContext, (context) => context.session)
        recording = true
        yield* emulator.injectFault({ _tag: "Latency", millis: 5_000, method: "GET", path: "/user/*" })
        const get = yield* Effect.flip(User.get())
        assert.deepStrictEqual([get._tag, "reason" in get ? get.reason : undefined], ["TransportError", "Timeout"])
        yield* emulator.injectFault({ _tag: "Latency", millis: 5_000, method: "POST", path: "/device-server" })
        const post = yield* Effect.flip(createDevice(user.apiKey))
        assert.deepStrictEqual([post._tag, "reason" in post ? post.reason : undefined], ["TransportError", "Timeout"])
        assert.include(post.message, "Timeout")
        // Each reached the transport once: no retry of the POST (and GET retries are off here).
        assert.deepStrictEqual(sent, [`GET /user/${user.id}`, "POST /device-server"])
        const snapshot = yield* Effect.flatMap(ApiContext.ApiContext, (context) => context.snapshot)
        assert.isTrue(Option.isSome(snapshot.session))
      }).pipe(Effect.provide(nodeLayer(emulator, user.apiKey, { timeout: "150 millis" }, record)))
    }))

  it.live("a request cut off while the emulator makes its WrongKey key does not poison later WrongKey responses", () =>
    // Regression: the emulator memoized its other key with `Effect.cached`, which kept the interruption of a first
    // request that timed out during the key generation: every later `WrongKey` response was an interruption, so the
    // client saw "All fibers interrupted" instead of a `ResponseVerificationError`.
    Effect.gen(function*() {
      const emulator = yield* makeEmulator()
      const client = BunqEmulator.makeHttpClient(emulator)
      yield* emulator.injectFault({ _tag: "WrongKey", times: 2 })
      const request = HttpClientRequest.get("http://bunq.test/v1/user", {
        headers: { "User-Agent": "reliability-test" }
      })
      const first = yield* Effect.exit(Effect.timeout(client.execute(request), "1 millis"))
      assert.isTrue(Exit.isFailure(first) || first.value.status === 401)
      const second = yield* client.execute(request)
      assert.strictEqual(second.status, 401)
      assert.isDefined(second.headers["x-bunq-server-signature"])
    }))
})
