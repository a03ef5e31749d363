/**
 * The test controls of `BunqEmulatorTesting`: holds, fault lifetimes (a count, until cleared, a duration on the
 * `Clock`), `Status` faults with chosen descriptions, `forgetRegistrations`, and the issued tokens matched to the log.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import { startInProcess } from "./utils/inProcess.js"
import { call, openSession } from "./utils/raw.js"

const TestLayer = BunqEmulator.layerTest().pipe(Layer.provide(WebCryptoSigner.layer))

/** POST to a public endpoint in process: the status and the body. */
const post = (path: string) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    client.execute(
      HttpClientRequest.post(`http://bunq.test/v1${path}`).pipe(HttpClientRequest.setHeader("User-Agent", "test"))
    )).pipe(
      Effect.flatMap((response) => Effect.map(response.json, (body) => ({ status: response.status, body }))),
      Effect.scoped,
      Effect.orDie
    )

const status = (path: string) => Effect.map(post(path), (response) => response.status)

const logLines = Effect.flatMap(
  BunqEmulator.Emulator,
  (emulator) => Effect.map(emulator.log, (log) => log.map((e) => `${e.method} ${e.path} ${e.status}`))
)

describe("holds", () => {
  it.scoped("a matching request is counted and waits, unprocessed, until released; others pass", () =>
    Effect.gen(function*() {
      const emulator = yield* BunqEmulator.Emulator
      const hold = yield* emulator.hold({ method: "POST", path: "/sandbox-user-person" })
      const held = yield* Effect.fork(status("/sandbox-user-person"))
      yield* hold.awaitArrivals(1)
      assert.strictEqual(yield* hold.arrivals, 1)
      assert.strictEqual(yield* status("/sandbox-user-company"), 200)
      assert.deepStrictEqual(yield* logLines, ["POST /sandbox-user-company 200"])
      assert.isTrue(Option.isNone(yield* Fiber.poll(held)))

      yield* hold.release
      assert.strictEqual(yield* Fiber.join(held), 200)
      // Released: later requests pass at once, and are still counted.
      assert.strictEqual(yield* status("/sandbox-user-person"), 200)
      assert.strictEqual(yield* hold.arrivals, 2)
      assert.deepStrictEqual(yield* logLines, [
        "POST /sandbox-user-company 200",
        "POST /sandbox-user-person 200",
        "POST /sandbox-user-person 200"
      ])
    }).pipe(Effect.provide(TestLayer)))

  it.effect("the end of the hold's scope lets held requests go, and a held request that is interrupted is not processed", () =>
    Effect.gen(function*() {
      const emulator = yield* BunqEmulator.Emulator
      const [kept, dropped] = yield* Effect.scoped(Effect.gen(function*() {
        const hold = yield* emulator.hold({ path: "/sandbox-user-*" })
        const kept = yield* Effect.fork(status("/sandbox-user-person"))
        const dropped = yield* Effect.fork(status("/sandbox-user-company"))
        yield* hold.awaitArrivals(2)
        yield* Fiber.interrupt(dropped)
        return [kept, dropped] as const
      }))
      assert.strictEqual(yield* Fiber.join(kept), 200)
      assert.isTrue((yield* Fiber.await(dropped))._tag === "Failure")
      assert.deepStrictEqual(yield* logLines, ["POST /sandbox-user-person 200"])
    }).pipe(Effect.provide(TestLayer)))
})

describe("fault lifetimes", () => {
  it.effect("a count, until cleared, for a duration on the Clock, or whichever ends first", () =>
    Effect.gen(function*() {
      const emulator = yield* BunqEmulator.Emulator
      const path = "/sandbox-user-person"
      const statuses = (n: number) => Effect.all(Array.from({ length: n }, () => status(path)))

      yield* emulator.injectFault({ _tag: "Status", status: 503, path, times: 2 })
      assert.deepStrictEqual(yield* statuses(3), [503, 503, 200])

      yield* emulator.injectFault({ _tag: "Status", status: 503, path, times: "unlimited" })
      assert.deepStrictEqual(yield* statuses(10), Array.from({ length: 10 }, () => 503))
      yield* emulator.clearFaults
      assert.strictEqual(yield* status(path), 200)

      yield* emulator.injectFault({ _tag: "Status", status: 429, path, duration: "30 seconds" })
      assert.deepStrictEqual(yield* statuses(3), [429, 429, 429])
      yield* TestClock.adjust("29 seconds")
      assert.strictEqual(yield* status(path), 429)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* status(path), 200)

      // Both: the count runs out first, or the time does.
      yield* emulator.injectFault({ _tag: "Status", status: 500, path, times: 1, duration: "1 minute" })
      assert.deepStrictEqual(yield* statuses(2), [500, 200])
      yield* emulator.injectFault({ _tag: "Status", status: 500, path, times: 5, duration: "1 second" })
      assert.strictEqual(yield* status(path), 500)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* status(path), 200)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a Status fault with descriptions sends exactly those (none: an empty Error list)", () =>
    Effect.gen(function*() {
      const emulator = yield* BunqEmulator.Emulator
      yield* emulator.injectFault({ _tag: "Status", status: 401, descriptions: [], path: "/sandbox-user-person" })
      assert.deepStrictEqual(yield* post("/sandbox-user-person"), { status: 401, body: { Error: [] } })
      yield* emulator.injectFault({ _tag: "Status", status: 403, descriptions: ["One.", "Two."] })
      const two = yield* post("/sandbox-user-person")
      assert.strictEqual(two.status, 403)
      assert.deepStrictEqual(two.body, {
        Error: [
          { error_description: "One.", error_description_translated: "One." },
          { error_description: "Two.", error_description_translated: "Two." }
        ]
      })
    }).pipe(Effect.provide(TestLayer)))
})

describe("issued tokens and forgetRegistrations", () => {
  it("names every token issued, matches them to the log by hash, and never logs them", async () => {
    const running = await startInProcess()
    try {
      const ctx = await openSession(running.url, { fetch: running.fetch })
      const user = await call(`${running.url}/user/${ctx.userId}`, { token: ctx.sessionToken, fetch: running.fetch })
      assert.strictEqual(user.status, 200)
      const tokens = await running.run(running.emulator.tokens)
      assert.deepStrictEqual(tokens.map((t) => [t.kind, Redacted.value(t.token)]), [
        ["installation", ctx.installationToken],
        ["session", ctx.sessionToken]
      ])
      assert.notInclude(String(tokens[1]!.token), ctx.sessionToken)
      const log = await running.run(running.emulator.log)
      const byHash = (hash: string | undefined) => tokens.find((t) => t.hash === hash)?.kind
      assert.deepStrictEqual(log.map((e) => `${e.path} ${byHash(e.tokenHash)}`), [
        "/sandbox-user-person undefined",
        "/installation undefined",
        "/device-server installation",
        "/session-server installation",
        `/user/${ctx.userId} session`
      ])
      assert.notInclude(JSON.stringify(log), ctx.sessionToken)
      assert.notInclude(JSON.stringify(log), ctx.installationToken)
    } finally {
      await running.close()
    }
  })

  it("forgetRegistrations drops installations, devices and sessions; the user and API key register again", async () => {
    const running = await startInProcess()
    try {
      const first = await openSession(running.url, { fetch: running.fetch })
      await running.run(running.emulator.forgetRegistrations)
      const old = await call(`${running.url}/user/${first.userId}`, { token: first.sessionToken, fetch: running.fetch })
      assert.strictEqual(old.status, 401)
      const installationCall = await call(`${running.url}/session-server`, {
        method: "POST",
        body: { secret: first.apiKey },
        token: first.installationToken,
        signWith: first.keys.privateKeyPem,
        fetch: running.fetch
      })
      assert.strictEqual(installationCall.status, 401)

      // Same API key, same user; only the new device is listed.
      const second = await openSession(running.url, { fetch: running.fetch, apiKey: first.apiKey })
      assert.strictEqual(second.userId, first.userId)
      assert.notStrictEqual(second.sessionToken, first.sessionToken)
      const devices = await call(`${running.url}/device-server`, {
        token: second.sessionToken,
        fetch: running.fetch
      })
      assert.deepStrictEqual(devices.json.Response.map((d: any) => d.DeviceServer.id), [second.deviceId])
      const tokens = await running.run(running.emulator.tokens)
      assert.deepStrictEqual(tokens.map((t) => t.kind), ["installation", "session", "installation", "session"])
    } finally {
      await running.close()
    }
  })
})
