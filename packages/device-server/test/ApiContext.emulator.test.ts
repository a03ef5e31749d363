/**
 * The programs and `ApiContext` against the real emulator (in process): real signatures both ways, token kinds
 * enforced per endpoint, session expiry by the `Clock`, pagination URLs as bunq writes them.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Layer, Option, Redacted, Stream, TestClock } from "effect"
import { makeRecordingTracer } from "../../http/test/utils/recordingTracer.js"
import * as ApiContext from "../src/ApiContext.js"
import * as ContextStore from "../src/ContextStore.js"
import * as DeviceServer from "../src/DeviceServer.js"
import * as Installation from "../src/Installation.js"
import * as SandboxUser from "../src/SandboxUser.js"
import * as Session from "../src/Session.js"
import * as User from "../src/User.js"

let serverKeyPair: Signer.KeyPair | undefined

/** An emulator, a real `BunqClient` talking to it in process, and a `ContextStore` in memory. */
const setup = (options?: BunqEmulator.Options) =>
  Effect.gen(function*() {
    const signer = yield* WebCryptoSigner.make
    if (serverKeyPair === undefined) serverKeyPair = yield* signer.generateKeyPair()
    const emulator = yield* BunqEmulator.make({ serverKeyPair, ...options }).pipe(
      Effect.provideService(Signer.Signer, signer)
    )
    const url = yield* emulator.url
    const client = BunqClient.layer.pipe(
      Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, BunqEmulator.makeHttpClient(emulator))),
      Layer.provideMerge(Layer.succeed(Signer.Signer, signer)),
      Layer.provideMerge(BunqConfig.layer({ baseUrl: url, rateLimits: false, retry: false }))
    )
    const store = yield* Effect.provide(ContextStore.ContextStore, ContextStore.layerMemory)
    const storeLayer = Layer.succeed(ContextStore.ContextStore, store)
    const withContext = <A, E, R>(
      apiKey: Redacted.Redacted<string>,
      effect: Effect.Effect<A, E, R>,
      contextOptions?: Partial<ApiContext.Options>
    ) =>
      Effect.provide(
        effect,
        ApiContext.layer({ apiKey, description: "emulator tests", ...contextOptions }).pipe(
          Layer.provideMerge(client),
          Layer.provideMerge(storeLayer)
        )
      )
    const log = Effect.map(emulator.log, (entries) => entries.map((e) => `${e.method} ${e.path} ${e.status}`))
    return { emulator, client, store, withContext, log }
  })

describe("ApiContext on the emulator", () => {
  it.effect("sandbox user, bootstrap, programs, and every client signature verified", () =>
    Effect.gen(function*() {
      const { client, emulator, log, withContext } = yield* setup()
      const apiKey = yield* Effect.provide(SandboxUser.create(), client)
      yield* withContext(
        apiKey,
        Effect.gen(function*() {
          const context = yield* ApiContext.ApiContext
          const snapshot = yield* context.snapshot
          const deviceId = Option.getOrThrow(snapshot.deviceId)
          const device = yield* DeviceServer.get(deviceId)
          assert.strictEqual(device.description, "emulator tests")
          assert.strictEqual(device.status, "ACTIVE")
          const user = yield* User.get()
          assert.strictEqual(user.id, Option.getOrThrow(snapshot.session).userId)
          const users = Chunk.toReadonlyArray(yield* Stream.runCollect(User.list()))
          assert.deepStrictEqual(users.map((u) => u.id), [user.id])
          const installationIds = yield* Installation.list()
          assert.deepStrictEqual(installationIds, [Option.getOrThrow(snapshot.installation.id)])
          assert.strictEqual(
            yield* Installation.serverPublicKey(installationIds[0]!),
            emulator.serverPublicKeyPem
          )
        })
      )
      assert.deepStrictEqual((yield* log).slice(0, 4), [
        "POST /sandbox-user-person 200",
        "POST /installation 200",
        "POST /device-server 200",
        "POST /session-server 200"
      ])
      const entries = yield* emulator.log
      assert.isTrue(entries.every((e) => e.status === 200))
      // Every call after installation carries a signature the emulator verified.
      const signed = entries.filter((e) =>
        e.method !== "POST" || (e.path !== "/installation" && e.path !== "/sandbox-user-person")
      )
      assert.strictEqual(signed.length, 7, JSON.stringify(entries.map((e) => [e.path, e.signature, e.auth])))
      assert.isTrue(signed.every((e) => e.signature === "verified"))
      // Registration calls used the installation token, the rest the session token.
      assert.deepStrictEqual(
        entries.map((e) => e.auth),
        ["none", "none", "installation", "installation", ...signed.slice(2).map(() => "session")]
      )
    }))

  it.effect("a restored context makes no installation, device or session call", () =>
    Effect.gen(function*() {
      const { client, emulator, log, withContext } = yield* setup()
      const apiKey = yield* Effect.provide(SandboxUser.create(), client)
      yield* withContext(apiKey, Effect.void)
      yield* emulator.clearLog
      const user = yield* withContext(apiKey, User.get())
      assert.deepStrictEqual(yield* log, [`GET /user/${user.id} 200`])
    }))

  it.effect("sessions expire by the Clock: refreshed before expiry, 50 concurrent calls open one session", () =>
    Effect.gen(function*() {
      const { emulator, withContext } = yield* setup({ sessionTimeout: 600 })
      const user = yield* emulator.createSandboxUser()
      const sessionOpens = Effect.map(emulator.log, (l) => l.filter((e) => e.path === "/session-server").length)
      yield* withContext(
        user.apiKey,
        Effect.gen(function*() {
          yield* TestClock.adjust(Duration.seconds(569))
          yield* User.get()
          assert.strictEqual(yield* sessionOpens, 1)
          // Past the emulator's expiry: without a refresh every call would get 401.
          yield* TestClock.adjust(Duration.seconds(60))
          yield* Effect.all(Array.from({ length: 50 }, () => User.get()), { concurrency: "unbounded" })
          assert.strictEqual(yield* sessionOpens, 2)
          const statuses = (yield* emulator.log).map((e) => e.status)
          assert.isTrue(statuses.every((s) => s === 200))
        })
      )
    }))

  it.effect("an OAuth (UserApiKey) user's session timeout comes from requested_by_user", () =>
    Effect.gen(function*() {
      const { emulator, withContext } = yield* setup()
      const user = yield* emulator.createSandboxUser({ type: "api-key", sessionTimeout: 300 })
      yield* withContext(
        user.apiKey,
        Effect.gen(function*() {
          const context = yield* ApiContext.ApiContext
          const loggedIn = yield* context.user
          assert.deepStrictEqual(Option.map(loggedIn, (u) => u._tag), Option.some("UserApiKey"))
          const session = yield* context.session
          assert.strictEqual(session.expiresAt.epochMillis, 300_000)
        })
      )
    }))

  it.effect("sessions the server expired are replaced on the 401, and the call retried", () =>
    Effect.gen(function*() {
      const { emulator, log, withContext } = yield* setup()
      const user = yield* emulator.createSandboxUser()
      yield* withContext(
        user.apiKey,
        Effect.gen(function*() {
          yield* emulator.expireSessions
          yield* emulator.clearLog
          yield* Effect.all(Array.from({ length: 10 }, () => User.get()), { concurrency: 1 })
          const lines = yield* log
          assert.strictEqual(lines.filter((l) => l === "POST /session-server 200").length, 1)
          assert.strictEqual(lines.filter((l) => l.endsWith(" 401")).length, 1)
        })
      )
    }))

  it.effect("Session.delete closes the session on the emulator; the next call opens a new one", () =>
    Effect.gen(function*() {
      const { emulator, log, withContext } = yield* setup()
      const user = yield* emulator.createSandboxUser()
      yield* withContext(
        user.apiKey,
        Effect.gen(function*() {
          yield* Session.delete()
          yield* User.get()
        })
      )
      const lines = yield* log
      assert.match(lines[3]!, /^DELETE \/session\/\d+ 200$/)
      assert.deepStrictEqual(lines.slice(4, 5), ["POST /session-server 200"])
    }))

  it.effect("DeviceServer.list walks 251 devices over bunq's pagination URLs", () =>
    Effect.gen(function*() {
      const { emulator, withContext } = yield* setup()
      const user = yield* emulator.createSandboxUser()
      yield* emulator.seedDevices(user, 250)
      yield* withContext(
        user.apiKey,
        Effect.gen(function*() {
          const devices = Chunk.toReadonlyArray(yield* Stream.runCollect(DeviceServer.list()))
          assert.strictEqual(devices.length, 251)
          assert.strictEqual(new Set(devices.map((d) => d.id)).size, 251)
          const pages = (yield* emulator.log).filter((e) => e.method === "GET" && e.path === "/device-server")
          assert.strictEqual(pages.length, 2)
          const page = yield* DeviceServer.listPage({ count: 100 })
          assert.strictEqual(page.items.length, 100)
          const next = yield* DeviceServer.listPage({ count: 100, olderId: Option.getOrThrow(page.olderId) })
          assert.deepStrictEqual(next.items.map((d) => d.id), devices.slice(100, 200).map((d) => d.id))
        })
      )
    }))

  it.effect("when the emulator forgets everything, registration is retried once and the error is typed", () =>
    Effect.gen(function*() {
      const { emulator, log, withContext } = yield* setup()
      const user = yield* emulator.createSandboxUser()
      yield* withContext(
        user.apiKey,
        Effect.gen(function*() {
          yield* emulator.reset // the API key itself is gone too
          const error = yield* Effect.flip(User.get())
          assert.strictEqual(error._tag, "ApiError")
          const lines = yield* log
          assert.strictEqual(lines.filter((l) => l.startsWith("POST /installation")).length, 1)
          assert.strictEqual(lines.filter((l) => l.startsWith("POST /device-server")).length, 1)
          assert.isFalse(lines.some((l) => l.startsWith("POST /session-server 200")))
        })
      )
    }))

  it.effect("a tampered response is rejected as a typed error, never a success", () =>
    Effect.gen(function*() {
      const { emulator, withContext } = yield* setup()
      const user = yield* emulator.createSandboxUser()
      yield* withContext(
        user.apiKey,
        Effect.gen(function*() {
          yield* emulator.injectFault({ _tag: "TamperedBody", method: "GET", path: "/user/*" })
          const error = yield* Effect.flip(User.get())
          assert.strictEqual(error._tag, "ResponseVerificationError")
          // The next call is fine: nothing was cached from the tampered response.
          assert.strictEqual((yield* User.get()).id, user.id)
        })
      )
    }))
})

describe("spans", () => {
  it.effect("DeviceServer.get is one program span over one bunq.request span with the operation", () =>
    Effect.gen(function*() {
      const { emulator, withContext } = yield* setup()
      const user = yield* emulator.createSandboxUser()
      const { spans, tracer } = makeRecordingTracer()
      yield* withContext(
        user.apiKey,
        Effect.gen(function*() {
          const context = yield* ApiContext.ApiContext
          const deviceId = Option.getOrThrow((yield* context.snapshot).deviceId)
          spans.length = 0
          yield* DeviceServer.get(deviceId)
        })
      ).pipe(Effect.withTracer(tracer))

      const names = spans.map((span) => `${span.parent ?? "-"} > ${span.name}`)
      assert.strictEqual(spans.filter((span) => span.name === "DeviceServer.get").length, 1, names.join("\n"))
      const requests = spans.filter((span) => span.name === "bunq.request")
      assert.strictEqual(requests.length, 1, names.join("\n"))
      assert.strictEqual(requests[0]!.parent, "DeviceServer.get")
      assert.strictEqual(requests[0]!.attributes.get("bunq.operation"), "DeviceServer.get")
      assert.strictEqual(requests[0]!.attributes.get("http.request.method"), "GET")
    }))
})
