import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import { randomUUID } from "node:crypto"
import { sharedKeys, signBytes, verifyBytes } from "./utils/raw.js"

const testLayer = (options?: BunqEmulator.Options & BunqEmulator.ClientOptions) =>
  BunqEmulator.layerTest(options).pipe(Layer.provide(WebCryptoSigner.layer))

interface Sent {
  readonly status: number
  readonly json: any
  readonly verified: boolean
}

/** One bunq call through the in-process HttpClient, signed with node:crypto. */
const send = (
  method: "GET" | "POST" | "DELETE",
  path: string,
  options: { body?: unknown; token?: string; signWith?: string; serverKey?: string } = {}
) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const text = options.body === undefined ? "" : JSON.stringify(options.body)
    const bytes = new TextEncoder().encode(text)
    let request = HttpClientRequest.make(method)(`http://anything.invalid/v1${path}`).pipe(
      HttpClientRequest.setHeader("X-Bunq-Client-Request-Id", randomUUID()),
      HttpClientRequest.setHeader("User-Agent", "emulator-in-process-test/1.0")
    )
    if (text.length > 0) request = HttpClientRequest.bodyUint8Array(request, bytes, "application/json")
    if (options.token) request = HttpClientRequest.setHeader(request, "X-Bunq-Client-Authentication", options.token)
    if (options.signWith) {
      request = HttpClientRequest.setHeader(request, "X-Bunq-Client-Signature", signBytes(options.signWith, bytes))
    }
    const response = yield* client.execute(request)
    const raw = new Uint8Array(yield* response.arrayBuffer)
    const signature = response.headers["x-bunq-server-signature"]
    const verified = options.serverKey !== undefined && signature !== undefined &&
      verifyBytes(options.serverKey, raw, signature)
    return { status: response.status, json: JSON.parse(new TextDecoder().decode(raw)), verified } satisfies Sent
  })

const openSession = Effect.gen(function*() {
  const emulator = yield* BunqEmulator.Emulator
  const user = yield* emulator.createSandboxUser()
  const apiKey = Redacted.value(user.apiKey)
  const keys = sharedKeys()
  const installation = yield* send("POST", "/installation", { body: { client_public_key: keys.publicKeyPem } })
  const installationToken: string = installation.json.Response[1].Token.token
  const serverKey: string = installation.json.Response[2].ServerPublicKey.server_public_key
  const device = yield* send("POST", "/device-server", {
    body: { description: "in-process", secret: apiKey },
    token: installationToken,
    serverKey
  })
  const session = yield* send("POST", "/session-server", {
    body: { secret: apiKey },
    token: installationToken,
    signWith: keys.privateKeyPem,
    serverKey
  })
  return {
    user,
    keys,
    serverKey,
    installationToken,
    deviceId: device.json.Response[0].Id.id as number,
    sessionToken: session.json.Response[1].Token.token as string,
    session
  }
})

describe("in-process HttpClient layer", () => {
  it.effect("runs the whole flow with no socket, signed and verified", () =>
    Effect.gen(function*() {
      const ctx = yield* openSession
      expect(ctx.session.status).toBe(200)
      expect(ctx.session.verified).toBe(true)
      const device = yield* send("GET", `/device-server/${ctx.deviceId}`, {
        token: ctx.sessionToken,
        signWith: ctx.keys.privateKeyPem,
        serverKey: ctx.serverKey
      })
      expect(device.status).toBe(200)
      expect(device.verified).toBe(true)
      expect(device.json.Response[0].DeviceServer.ip).toBe("10.1.2.3")
      const emulator = yield* BunqEmulator.Emulator
      expect(yield* emulator.url).toBe("http://bunq-emulator.localhost/v1")
      const log = yield* emulator.log
      expect(log.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
        "POST /installation 200",
        "POST /device-server 200",
        "POST /session-server 200",
        `GET /device-server/${ctx.deviceId} 200`
      ])
      expect(log.every((e) => e.clientIp === "10.1.2.3")).toBe(true)
    }).pipe(Effect.provide(testLayer({ clientIp: "10.1.2.3" }))))

  it.effect("turns a ConnectionReset fault into a transport RequestError", () =>
    Effect.gen(function*() {
      const emulator = yield* BunqEmulator.Emulator
      yield* emulator.injectFault({ _tag: "ConnectionReset", path: "/sandbox-user-person" })
      const error = yield* Effect.flip(send("POST", "/sandbox-user-person"))
      assert(error._tag === "RequestError")
      expect(error.reason).toBe("Transport")
      const ok = yield* send("POST", "/sandbox-user-person")
      expect(ok.status).toBe(200)
    }).pipe(Effect.provide(testLayer())))

  it.effect("a header the transport refuses is a transport RequestError, not a defect, and nothing reaches the app", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const emulator = yield* BunqEmulator.Emulator
      for (const value of ["a\r\nX-Evil: 1", "receipt €5 😀"]) {
        const request = HttpClientRequest.post("http://anything.invalid/v1/attachment-public").pipe(
          HttpClientRequest.setHeader("X-Bunq-Attachment-Description", value),
          HttpClientRequest.bodyUint8Array(new Uint8Array([1, 2, 3]), "image/png")
        )
        const exit = yield* Effect.exit(client.execute(request))
        assert(Exit.isFailure(exit) && Cause.isFailType(exit.cause), "a typed failure")
        const error = exit.cause.error
        assert(error._tag === "RequestError")
        expect(error.reason).toBe("Transport")
        expect(error.message).toContain("a header name or value that HTTP does not allow")
        expect(error.message).not.toContain("X-Evil")
        expect(error.message).not.toContain("€")
      }
      expect(yield* emulator.log).toEqual([])
    }).pipe(Effect.provide(testLayer())))

  it.effect("Latency follows the Clock", () =>
    Effect.gen(function*() {
      const emulator = yield* BunqEmulator.Emulator
      yield* emulator.injectFault({ _tag: "Latency", millis: 10_000 })
      const fiber = yield* Effect.fork(send("POST", "/sandbox-user-person"))
      yield* TestClock.adjust("9 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("2 seconds")
      const response = yield* Fiber.join(fiber)
      expect(response.status).toBe(200)
    }).pipe(Effect.provide(testLayer())))

  it.effect("sessions expire after session_timeout", () =>
    Effect.gen(function*() {
      const ctx = yield* openSession
      const user = () =>
        send("GET", "/user", { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem, serverKey: ctx.serverKey })
      yield* TestClock.adjust("59 seconds")
      expect((yield* user()).status).toBe(200)
      yield* TestClock.adjust("2 seconds")
      const expired = yield* user()
      expect(expired.status).toBe(401)
      expect(expired.verified).toBe(true)
      expect(expired.json.Error[0].error_description).toBe("Insufficient authorisation.")
    }).pipe(Effect.provide(testLayer({ sessionTimeout: 60 }))))

  it.effect("rate-limit windows slide with the Clock", () =>
    Effect.gen(function*() {
      const statuses: Array<number> = []
      for (let i = 0; i < 6; i++) statuses.push((yield* send("POST", "/sandbox-user-person")).status)
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429])
      yield* TestClock.adjust("3001 millis")
      expect((yield* send("POST", "/sandbox-user-person")).status).toBe(200)
    }).pipe(Effect.provide(testLayer({ rateLimits: BunqEmulator.bunqRateLimits }))))

  it.effect("the daily limit is per UTC day of the emulator's Clock", () =>
    Effect.gen(function*() {
      const ctx = yield* openSession
      const emulator = yield* BunqEmulator.Emulator
      const other = yield* emulator.createSandboxUser()
      yield* emulator.topUp(ctx.user, "1200.00")
      const signed = { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem, serverKey: ctx.serverKey }
      const accounts = yield* send("GET", `/user/${ctx.user.id}/monetary-account`, signed)
      const account = accounts.json.Response[0].MonetaryAccountBank
      expect(account.daily_limit).toEqual({ value: "1000.00", currency: "EUR" })
      const pay = (value: string) =>
        send("POST", `/user/${ctx.user.id}/monetary-account/${account.id}/payment`, {
          ...signed,
          body: {
            amount: { value, currency: "EUR" },
            counterparty_alias: { type: "EMAIL", value: `sandbox+${other.id}@bunq-emulator.local` },
            description: "today"
          }
        })
      const spent = Effect.map(
        send("GET", `/user/${ctx.user.id}/monetary-account/${account.id}`, signed),
        (read) => read.json.Response[0].MonetaryAccountBank.daily_spent.value
      )
      // TestClock starts at 1970-01-01T00:00:00Z: the day ends at 24:00 UTC.
      yield* TestClock.adjust("23 hours")
      expect((yield* pay("999.99")).status).toBe(200)
      expect((yield* pay("0.02")).status).toBe(400)
      expect(yield* spent).toBe("999.99")
      yield* TestClock.adjust("59 minutes")
      expect((yield* pay("0.02")).status).toBe(400)
      yield* TestClock.adjust("1 minute")
      expect(yield* spent).toBe("0.00")
      expect((yield* pay("0.02")).status).toBe(200)
      expect(yield* spent).toBe("0.02")
    }).pipe(Effect.provide(testLayer())))

  it.effect("reset forgets users and sessions", () =>
    Effect.gen(function*() {
      const ctx = yield* openSession
      const emulator = yield* BunqEmulator.Emulator
      yield* emulator.reset
      const after = yield* send("GET", "/user", { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem })
      expect(after.status).toBe(401)
      expect(yield* emulator.log).toHaveLength(1)
    }).pipe(Effect.provide(testLayer())))

  it.effect("seeds 10,000 devices for big pagination", () =>
    Effect.gen(function*() {
      const ctx = yield* openSession
      const emulator = yield* BunqEmulator.Emulator
      const ids = yield* emulator.seedDevices(Redacted.value(ctx.user.apiKey), 10_000)
      expect(ids).toHaveLength(10_000)
      const page = yield* send("GET", "/device-server?count=200", {
        token: ctx.sessionToken,
        signWith: ctx.keys.privateKeyPem,
        serverKey: ctx.serverKey
      })
      expect(page.json.Response).toHaveLength(200)
      expect(page.json.Response[0].DeviceServer.id).toBe(ids[ids.length - 1])
      expect(page.json.Pagination.older_url).toBe(`/v1/device-server?count=200&older_id=${ids[ids.length - 200]}`)
    }).pipe(Effect.provide(testLayer())))
})
