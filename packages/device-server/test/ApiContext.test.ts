/**
 * `ApiContext` against the bunq emulator in process (`utils/bunq.ts`): bootstrap, restore, session refresh by the
 * `Clock`, single flight (held with `Emulator.hold`), re-registration (`forgetRegistrations`, failing
 * `POST /session-server` until cleared), and the exact token each request presented (`Emulator.tokens`).
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import {
  Chunk,
  ConfigError,
  ConfigProvider,
  Context,
  Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  Layer,
  Option,
  Redacted,
  Scope,
  Stream,
  TestClock
} from "effect"
import * as ApiContext from "../src/ApiContext.js"
import * as ContextStore from "../src/ContextStore.js"
import * as DeviceServer from "../src/DeviceServer.js"
import * as Installation from "../src/Installation.js"
import * as SandboxUser from "../src/SandboxUser.js"
import * as SdkContext from "../src/SdkContext.js"
import * as Session from "../src/Session.js"
import * as User from "../src/User.js"
import { type BunqOptions, makeBunq, type TestBunq } from "./utils/bunq.js"

/** A `ContextStore` over one in-memory `KeyValueStore`, shared by every layer built from it (serialization included). */
const makeStore = Effect.gen(function*() {
  const kv = yield* Effect.provide(KeyValueStore.KeyValueStore, KeyValueStore.layerMemory)
  const store = yield* Effect.provide(
    ContextStore.ContextStore,
    ContextStore.layerKeyValueStore().pipe(
      Layer.provide(Layer.succeed(KeyValueStore.KeyValueStore, kv)),
      Layer.provide(WebCryptoSigner.layer)
    )
  )
  return { kv, store }
})

/** Build an `ApiContext` for the emulator's user and run `f` with it (and the client layers) provided. */
const withContext = <A, E, R>(
  bunq: TestBunq,
  store: ContextStore.ContextStore.Service,
  f: Effect.Effect<A, E, R>,
  options?: Partial<ApiContext.Options>
) =>
  Effect.provide(
    f,
    ApiContext.layer({ apiKey: bunq.apiKey, description: "tests", ...options }).pipe(
      Layer.provideMerge(bunq.clientLayer),
      Layer.provideMerge(Layer.succeed(ContextStore.ContextStore, store))
    )
  )

/**
 * What almost every test starts with: an emulator with one user, a store shared by every context the test builds,
 * and `run` to run an effect with an `ApiContext` over both.
 */
const setup = (options?: BunqOptions) =>
  Effect.gen(function*() {
    const bunq = yield* makeBunq(options)
    const { kv, store } = yield* makeStore
    const run = <A, E, R>(f: Effect.Effect<A, E, R>, contextOptions?: Partial<ApiContext.Options>) =>
      withContext(bunq, store, f, contextOptions)
    return { bunq, kv, store, run, userId: bunq.user.id }
  })

const sessionServerCalls = (bunq: TestBunq) => bunq.count("POST", "/session-server")

/** By the TestClock: after `reusedFor` seconds a call reuses the session; `after` seconds later one opens a new one. */
const reusedThenRenewed = (bunq: TestBunq, reusedFor: number, after: number) =>
  Effect.gen(function*() {
    const opened = yield* sessionServerCalls(bunq)
    yield* TestClock.adjust(Duration.seconds(reusedFor))
    yield* User.get()
    assert.strictEqual(yield* sessionServerCalls(bunq), opened)
    yield* TestClock.adjust(Duration.seconds(after))
    yield* User.get()
    assert.strictEqual(yield* sessionServerCalls(bunq), opened + 1)
  })

/** An hour on (the session expired), six concurrent calls while `POST /session-server` answers `status`: all fail. */
const sixCallsWhileSessionOpensFail = (bunq: TestBunq, status: number) =>
  Effect.gen(function*() {
    yield* TestClock.adjust(Duration.hours(1))
    yield* bunq.failSessionServer(status)
    const results = yield* Effect.all(Array.from({ length: 6 }, () => Effect.either(User.get())), {
      concurrency: "unbounded"
    })
    assert.isTrue(results.every((r) => Either.isLeft(r) && r.left._tag === "ApiError" && r.left.status === status))
  })

describe("ApiContext bootstrap and restore", () => {
  it.effect("a fresh context runs installation, device registration and session, and saves it", () =>
    Effect.gen(function*() {
      const { bunq, run, store, userId } = yield* setup()
      const device = yield* run(Effect.gen(function*() {
        const context = yield* ApiContext.ApiContext
        const snapshot = yield* context.snapshot
        return yield* DeviceServer.get(Option.getOrThrow(snapshot.deviceId))
      }))
      const log = yield* bunq.log
      assert.deepStrictEqual(
        log.map((entry) => `${entry.method} ${entry.path} ${entry.status}`),
        [
          "POST /installation 200",
          "POST /device-server 200",
          "POST /session-server 200",
          `GET /device-server/${device.id} 200`
        ]
      )
      assert.strictEqual(device.description, "tests")
      // The device call used the session token, the registration calls the installation token.
      const installationTokens = yield* bunq.installationTokens
      const sessionTokens = yield* bunq.sessionTokens
      assert.strictEqual(log[1]!.token, installationTokens[0])
      assert.strictEqual(log[2]!.token, installationTokens[0])
      assert.strictEqual(log[3]!.token, sessionTokens[0])
      const saved = Option.getOrThrow(yield* store.load("default"))
      assert.strictEqual(saved.environment, bunq.baseUrl)
      assert.strictEqual(saved.apiKeyFingerprint, yield* ContextStore.fingerprint(bunq.apiKey))
      assert.strictEqual(Redacted.value(saved.installation.token), installationTokens[0])
      assert.strictEqual(saved.installation.serverPublicKey, bunq.emulator.serverPublicKeyPem)
      assert.deepStrictEqual(saved.deviceId, Option.some(device.id))
      const session = Option.getOrThrow(saved.session)
      assert.strictEqual(Redacted.value(session.token), sessionTokens[0])
      assert.strictEqual(session.userId, userId)
    }))

  it.effect("a saved context is restored without any installation, device or session call", () =>
    Effect.gen(function*() {
      const { bunq, run, userId } = yield* setup()
      yield* run(Effect.void)
      const before = (yield* bunq.log).length
      assert.strictEqual(before, 3)
      const user = yield* run(User.get())
      const after = (yield* bunq.log).slice(before)
      assert.deepStrictEqual(after.map((entry) => `${entry.method} ${entry.path}`), [`GET /user/${userId}`])
      assert.strictEqual(after[0]!.token, (yield* bunq.sessionTokens)[0])
      assert.strictEqual(user.id, userId)
      assert.strictEqual(yield* bunq.count("POST", "/installation"), 1)
      assert.strictEqual(yield* bunq.count("POST", "/device-server"), 1)
      assert.strictEqual(yield* sessionServerCalls(bunq), 1)
    }))

  it.effect("a saved context of another API key or environment is Foreign, and is left as it is", () =>
    Effect.gen(function*() {
      const { bunq, kv, run, store } = yield* setup()
      yield* run(Effect.void)
      const savedText = Option.getOrThrow(yield* kv.get("effect-bunq/context/default"))
      const calls = (yield* bunq.log).length
      const otherKey = yield* Effect.either(
        run(Effect.void, { apiKey: Redacted.make("another key") })
      )
      assert.isTrue(Either.isLeft(otherKey))
      const error = Either.getLeft(otherKey).pipe(Option.getOrThrow)
      assert.strictEqual(error._tag, "ContextStoreError")
      assert.strictEqual((error as ContextStore.ContextStoreError).reason, "Foreign")
      assert.notInclude(error.message, "another key")
      assert.strictEqual((yield* bunq.log).length, calls)
      assert.strictEqual(Option.getOrThrow(yield* kv.get("effect-bunq/context/default")), savedText)

      // Another environment (base URL) is foreign too.
      const otherEnvironment = yield* Effect.flip(
        ApiContext.make({ apiKey: bunq.apiKey }).pipe(
          Effect.scoped,
          Effect.provide(bunq.clientLayer),
          Effect.provide(
            Layer.succeed(ContextStore.ContextStore, {
              ...store,
              load: (key) =>
                Effect.map(
                  store.load(key),
                  Option.map((context) => ({ ...context, environment: "https://api.bunq.com/v1" }))
                )
            })
          )
        )
      )
      assert.strictEqual(otherEnvironment._tag, "ContextStoreError")
      assert.include(otherEnvironment.message, "https://api.bunq.com/v1")
      assert.strictEqual(Option.getOrThrow(yield* kv.get("effect-bunq/context/default")), savedText)
      assert.strictEqual((yield* bunq.log).length, calls)
    }))

  it.effect("a corrupt saved context is a typed error, not overwritten; reset forgets it", () =>
    Effect.gen(function*() {
      const { bunq, kv, run, store } = yield* setup()
      yield* kv.set("effect-bunq/context/default", "{\"version\":1,\"environment\":")
      const error = yield* Effect.flip(run(Effect.void))
      assert.strictEqual(error._tag, "ContextStoreError")
      assert.strictEqual((error as ContextStore.ContextStoreError).reason, "Corrupt")
      assert.strictEqual((yield* bunq.log).length, 0)
      assert.strictEqual(
        Option.getOrThrow(yield* kv.get("effect-bunq/context/default")),
        "{\"version\":1,\"environment\":"
      )
      yield* Effect.provideService(ApiContext.reset(), ContextStore.ContextStore, store)
      assert.isTrue(Option.isNone(yield* kv.get("effect-bunq/context/default")))
      yield* run(Effect.void)
      assert.strictEqual(yield* bunq.count("POST", "/installation"), 1)
      assert.isTrue(Option.isSome(yield* store.load("default")))
    }))
})

describe("ApiContext sessions", () => {
  it.effect("refreshes before expiry (margin) by the Clock, and saves the new session", () =>
    Effect.gen(function*() {
      const { bunq, run, store } = yield* setup({ sessionTimeout: 3600 })
      yield* run(Effect.gen(function*() {
        assert.strictEqual(yield* sessionServerCalls(bunq), 1)
        // 3600 s session, 30 s margin: still fresh just before 3570 s.
        yield* reusedThenRenewed(bunq, 3569, 2)
        const log = yield* bunq.log
        const sessionTokens = yield* bunq.sessionTokens
        assert.strictEqual(log[log.length - 1]!.token, sessionTokens[1])
        const saved = Option.getOrThrow(Option.getOrThrow(yield* store.load("default")).session)
        assert.strictEqual(Redacted.value(saved.token), sessionTokens[1])
      }))
    }))

  it.effect("the margin is configurable", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup({ sessionTimeout: 7200 })
      yield* run(
        Effect.gen(function*() {
          // 7200 s session, 600 s margin (below a tenth of the lifetime): fresh until 6600 s.
          yield* reusedThenRenewed(bunq, 6599, 1)
        }),
        { refreshMargin: Duration.minutes(10) }
      )
    }))

  it.effect("a short session (20 s, 60 s) is reused until just before it expires: the margin is capped", () =>
    Effect.gen(function*() {
      for (const timeout of [20, 60]) {
        const { bunq, run } = yield* setup({ sessionTimeout: timeout })
        yield* run(Effect.gen(function*() {
          // A tenth of the lifetime: 2 s of a 20 s session, 6 s of a 60 s one (not the 30 s default margin).
          const reusedFor = timeout * 0.9
          for (let second = 1; second < reusedFor; second++) {
            yield* TestClock.adjust(Duration.seconds(1))
            yield* User.get()
          }
          assert.strictEqual(yield* sessionServerCalls(bunq), 1, `${timeout} s session reused for ${reusedFor - 1} s`)
          yield* TestClock.adjust(Duration.seconds(1))
          yield* User.get()
          assert.strictEqual(yield* sessionServerCalls(bunq), 2, `${timeout} s session renewed at ${reusedFor} s`)
          // and the new one is reused just as long
          yield* TestClock.adjust(Duration.seconds(reusedFor - 1))
          yield* User.get()
          assert.strictEqual(yield* sessionServerCalls(bunq), 2)
        }))
      }
    }))

  it.effect("concurrent calls while opening a session fails share that one failure (500: one POST)", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup({ sessionTimeout: 600 })
      yield* run(Effect.gen(function*() {
        yield* sixCallsWhileSessionOpensFail(bunq, 500)
        assert.strictEqual(yield* sessionServerCalls(bunq), 2, "one POST /session-server for the six calls")
        assert.strictEqual(yield* bunq.count("POST", "/installation"), 1)
        // the next call (after the shared failure) tries again, and recovers
        yield* bunq.emulator.clearFaults
        yield* User.get()
        assert.strictEqual(yield* sessionServerCalls(bunq), 3)
      }))
    }))

  it.effect("concurrent calls on a rejected registration (403) register once; again only after the cool-down", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup({ sessionTimeout: 600 })
      yield* run(Effect.gen(function*() {
        yield* sixCallsWhileSessionOpensFail(bunq, 403)
        assert.strictEqual(yield* bunq.count("POST", "/installation"), 2, "one registration for the six calls")
        assert.strictEqual(yield* bunq.count("POST", "/device-server"), 2)
        assert.strictEqual(yield* sessionServerCalls(bunq), 3, "before and after the one registration")
        // within the cool-down: the session open is tried, no new registration
        yield* TestClock.adjust(Duration.minutes(1))
        yield* Effect.flip(User.get())
        assert.strictEqual(yield* bunq.count("POST", "/installation"), 2)
        assert.strictEqual(yield* sessionServerCalls(bunq), 4)
        // after it: registering again is allowed once more
        yield* TestClock.adjust(Duration.minutes(5))
        yield* Effect.flip(User.get())
        assert.strictEqual(yield* bunq.count("POST", "/installation"), 3)
      }))
    }))

  it.effect("50 concurrent calls on an expired session open exactly one session", () =>
    Effect.gen(function*() {
      const { bunq, run, userId } = yield* setup({ sessionTimeout: 600 })
      yield* run(Effect.gen(function*() {
        yield* TestClock.adjust(Duration.hours(1))
        const users = yield* Effect.all(Array.from({ length: 50 }, () => User.get()), {
          concurrency: "unbounded"
        })
        assert.strictEqual(users.length, 50)
        assert.strictEqual(yield* sessionServerCalls(bunq), 2)
        assert.strictEqual(yield* bunq.count("GET", `/user/${userId}`), 50)
        // Every call used the new session.
        const newSession = (yield* bunq.sessionTokens)[1]
        assert.isDefined(newSession)
        assert.isTrue((yield* bunq.log).filter((e) => e.method === "GET").every((e) => e.token === newSession))
      }))
    }))

  it.effect("a caller interrupted while the session opens does not abort it; the next call uses it", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup({ sessionTimeout: 600 })
      yield* run(Effect.scoped(Effect.gen(function*() {
        yield* TestClock.adjust(Duration.hours(1))
        const hold = yield* bunq.emulator.hold({ method: "POST", path: "/session-server" })
        const caller = yield* Effect.fork(User.get())
        yield* hold.awaitArrivals(1)
        yield* Fiber.interrupt(caller)
        yield* hold.release
        yield* User.get()
        assert.strictEqual(yield* hold.arrivals, 1)
        assert.strictEqual(yield* sessionServerCalls(bunq), 2)
        const log = yield* bunq.log
        assert.strictEqual(log[log.length - 1]!.token, (yield* bunq.sessionTokens)[1])
      })))
    }))

  it.effect("closing the layer stops a session refresh in flight: no fiber outlives it, nothing is saved after", () =>
    Effect.gen(function*() {
      const { bunq, kv, run } = yield* setup({ sessionTimeout: 600 })
      yield* run(Effect.void)
      const savedBefore = Option.getOrThrow(yield* kv.get("effect-bunq/context/default"))
      yield* TestClock.adjust(Duration.hours(1))
      yield* Effect.scoped(Effect.gen(function*() {
        const hold = yield* bunq.emulator.hold({ method: "POST", path: "/session-server" })
        const rootsBefore = (yield* Fiber.roots).length
        // The app's scope around the layer, closed while the refresh waits for bunq's answer.
        const app = yield* Effect.fork(run(User.get()))
        yield* hold.awaitArrivals(1)
        yield* Fiber.interrupt(app)
        // bunq answers after the app has gone: the refresh fiber must be gone too, so nothing is saved.
        yield* hold.release
        for (let i = 0; i < 50; i++) yield* Effect.yieldNow()
        assert.strictEqual(yield* sessionServerCalls(bunq), 1)
        assert.strictEqual(Option.getOrThrow(yield* kv.get("effect-bunq/context/default")), savedBefore)
        assert.strictEqual((yield* Fiber.roots).length, rootsBefore)
      }))
    }))

  it.effect("a 401 on a session call opens a new session and retries the call once", () =>
    Effect.gen(function*() {
      const { bunq, run, store, userId } = yield* setup()
      yield* run(Effect.gen(function*() {
        yield* bunq.emulator.expireSessions
        const user = yield* User.get()
        assert.strictEqual(user.id, userId)
        assert.deepStrictEqual(
          (yield* bunq.lines).slice(3),
          [`GET /user/${userId} 401`, "POST /session-server 200", `GET /user/${userId} 200`]
        )
        const saved = Option.getOrThrow(Option.getOrThrow(yield* store.load("default")).session)
        assert.strictEqual(Redacted.value(saved.token), (yield* bunq.sessionTokens)[1])
      }))
    }))

  it.effect("many fibers hitting a rejected session share one new session", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup()
      yield* run(Effect.gen(function*() {
        yield* bunq.emulator.expireSessions
        yield* Effect.all(Array.from({ length: 20 }, () => User.get()), { concurrency: "unbounded" })
        assert.strictEqual(yield* sessionServerCalls(bunq), 2)
      }))
    }))

  it.effect("a 401/403 without bunq's session text is not a reason to re-send (empty or other descriptions)", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup()
      yield* run(Effect.gen(function*() {
        const context = yield* ApiContext.ApiContext
        // bunq answers these two paths with a 401 without descriptions and a 403 with another text, for good.
        yield* bunq.emulator.injectFault({
          _tag: "Status",
          status: 401,
          descriptions: [],
          path: "/reject-401-empty",
          times: "unlimited"
        })
        yield* bunq.emulator.injectFault({
          _tag: "Status",
          status: 403,
          description: "This IP is not allowed to use this API key.",
          path: "/reject-403-other",
          times: "unlimited"
        })
        for (const path of ["/reject-401-empty", "/reject-403-other"]) {
          for (const method of ["POST", "GET"] as const) {
            const before = (yield* bunq.log).length
            const error = yield* Effect.flip(
              context.request({
                operation: "Test.rejected",
                method,
                path,
                ...(method === "POST" ? { body: {} } : {})
              })
            )
            assert.strictEqual(error._tag, "ApiError")
            assert.deepStrictEqual((yield* bunq.log).slice(before).map((e) => `${e.method} ${e.path}`), [
              `${method} ${path}`
            ])
          }
        }
        assert.strictEqual(yield* sessionServerCalls(bunq), 1)
        assert.isFalse(ApiContext.isSessionRejected({ _tag: "ApiError", status: 401, descriptions: [] }))
        assert.isTrue(
          ApiContext.isSessionRejected({
            _tag: "ApiError",
            status: 403,
            descriptions: [{ description: "Insufficient authentication." }]
          })
        )
      }))
    }))

  it.effect("a POST rejected with bunq's session text is sent again once, on a new session", () =>
    Effect.gen(function*() {
      const { bunq, run, userId } = yield* setup()
      yield* run(Effect.gen(function*() {
        yield* bunq.emulator.expireSessions
        const context = yield* ApiContext.ApiContext
        // An account without the fields bunq needs: 401 on the expired session, then 400 on the new one.
        const path = `/user/${userId}/monetary-account-bank`
        yield* Effect.flip(context.request({ operation: "Test.post", method: "POST", path, body: {} }))
        assert.deepStrictEqual(
          (yield* bunq.lines).slice(3),
          [`POST ${path} 401`, "POST /session-server 200", `POST ${path} 400`]
        )
      }))
    }))

  it.effect("a call that is still rejected after the new session fails with the ApiError (one retry only)", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup()
      yield* run(Effect.gen(function*() {
        const context = yield* ApiContext.ApiContext
        // bunq keeps answering 401 on this endpoint (e.g. a permission the key does not have).
        yield* bunq.emulator.injectFault({
          _tag: "Status",
          status: 401,
          description: "Insufficient authorisation.",
          path: "/always-401",
          times: "unlimited"
        })
        const error = yield* Effect.flip(
          context.request({ operation: "Test.alwaysRejected", method: "GET", path: "/always-401" })
        )
        assert.deepStrictEqual(
          (yield* bunq.lines).slice(3),
          ["GET /always-401 401", "POST /session-server 200", "GET /always-401 401"]
        )
        assert.strictEqual(error._tag, "ApiError")
      }))
    }))

  it.effect("when bunq forgot the installation, the context registers again once", () =>
    Effect.gen(function*() {
      const { bunq, run, store, userId } = yield* setup()
      yield* run(Effect.gen(function*() {
        yield* bunq.emulator.forgetRegistrations
        assert.strictEqual((yield* User.get()).id, userId)
        assert.deepStrictEqual(
          (yield* bunq.lines).slice(3),
          [
            `GET /user/${userId} 401`,
            "POST /session-server 401",
            "POST /installation 200",
            "POST /device-server 200",
            "POST /session-server 200",
            `GET /user/${userId} 200`
          ]
        )
        const saved = Option.getOrThrow(yield* store.load("default"))
        assert.strictEqual(Redacted.value(saved.installation.token), (yield* bunq.installationTokens)[1])
        assert.strictEqual(Redacted.value(Option.getOrThrow(saved.session).token), (yield* bunq.sessionTokens)[1])
      }))
    }))

  it.effect("re-registration is attempted once, not in a loop, and the error is typed", () =>
    Effect.gen(function*() {
      const { bunq, run, store } = yield* setup()
      yield* run(Effect.gen(function*() {
        yield* bunq.emulator.expireSessions
        yield* bunq.failSessionServer(401)
        const error = yield* Effect.flip(User.get())
        assert.strictEqual(error._tag, "ApiError")
        if (error._tag === "ApiError") {
          assert.strictEqual(error.status, 401)
          assert.strictEqual(error.reason, "Unauthorized")
          assert.strictEqual(error.operation, "SessionServer.create")
        }
        assert.strictEqual(yield* bunq.count("POST", "/installation"), 2)
        assert.strictEqual(yield* bunq.count("POST", "/device-server"), 2)
        assert.strictEqual(yield* sessionServerCalls(bunq), 3)
        // The new registration is saved even though no session could be opened.
        const saved = Option.getOrThrow(yield* store.load("default"))
        assert.strictEqual(Redacted.value(saved.installation.token), (yield* bunq.installationTokens)[1])
        assert.isTrue(Option.isNone(saved.session))
        // bunq is fine again: the next call opens a session on the new registration, no new installation.
        yield* bunq.emulator.clearFaults
        yield* User.get()
        assert.strictEqual(yield* bunq.count("POST", "/installation"), 2)
      }))
    }))

  it.effect("a rate-limited session open (429) is not a reason to register again", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup()
      yield* run(Effect.gen(function*() {
        yield* bunq.emulator.expireSessions
        yield* bunq.failSessionServer(429)
        const error = yield* Effect.flip(User.get())
        assert.strictEqual(error._tag, "ApiError")
        assert.strictEqual(yield* bunq.count("POST", "/installation"), 1)
      }))
    }))

  it.effect("Session.delete closes the session and forgets it; the next call opens a new one", () =>
    Effect.gen(function*() {
      const { bunq, run, store } = yield* setup()
      yield* run(Effect.gen(function*() {
        const context = yield* ApiContext.ApiContext
        const sessionId = Option.getOrThrow(Option.getOrThrow((yield* context.snapshot).session).id)
        yield* Session.delete()
        const lines = yield* bunq.lines
        assert.strictEqual(lines[lines.length - 1], `DELETE /session/${sessionId} 200`)
        assert.isTrue(Option.isNone((yield* context.snapshot).session))
        assert.isTrue(Option.isNone(Option.getOrThrow(yield* store.load("default")).session))
        yield* Session.delete() // nothing to close: no request
        assert.strictEqual(yield* bunq.count("DELETE", /^\/session\//), 1)
        yield* User.get()
        assert.strictEqual(yield* sessionServerCalls(bunq), 2)
      }))
    }))
  it.effect("Session.delete sends nothing for an expired session, and treats a session bunq already ended as closed", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup({ sessionTimeout: 600 })
      yield* run(Effect.gen(function*() {
        const context = yield* ApiContext.ApiContext
        yield* TestClock.adjust(Duration.seconds(600))
        yield* Session.delete()
        assert.strictEqual(yield* bunq.count("DELETE", /^\/session\//), 0)
        assert.isTrue(Option.isNone((yield* context.snapshot).session))
        yield* User.get() // opens session 2
        yield* bunq.emulator.expireSessions
        yield* Session.delete()
        assert.strictEqual(yield* bunq.count("DELETE", /^\/session\//), 1)
        assert.isTrue(Option.isNone((yield* context.snapshot).session))
        assert.strictEqual(yield* sessionServerCalls(bunq), 2)
      }))
    }))
})

describe("programs", () => {
  it.effect("Installation.list, get and serverPublicKey", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup()
      yield* run(Effect.gen(function*() {
        const ids = yield* Installation.list()
        assert.strictEqual(ids.length, 1)
        const saved = yield* (yield* ApiContext.ApiContext).snapshot
        assert.deepStrictEqual(Option.some(ids[0]), saved.installation.id)
        assert.strictEqual(yield* Installation.get(ids[0]!), ids[0])
        assert.strictEqual(yield* Installation.serverPublicKey(ids[0]!), bunq.emulator.serverPublicKeyPem)
      }))
    }))

  it.effect("DeviceServer.list follows pagination lazily; listPage walks with cursors", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup({ devices: 5 })
      yield* run(Effect.gen(function*() {
        const before = yield* bunq.count("GET", "/device-server")
        const all = yield* Stream.runCollect(DeviceServer.list({ count: 2 }))
        const ids = Chunk.toReadonlyArray(all).map((d) => d.id)
        assert.strictEqual(ids.length, 6) // our device + 5 seeded
        assert.deepStrictEqual([...ids].sort((a, b) => b - a), ids)
        assert.strictEqual((yield* bunq.count("GET", "/device-server")) - before, 3)

        // Lazy: taking 2 fetches one page.
        const first = yield* Stream.runCollect(Stream.take(DeviceServer.list({ count: 2 }), 2))
        assert.strictEqual(first.length, 2)
        assert.strictEqual((yield* bunq.count("GET", "/device-server")) - before, 4)

        // Page at a time.
        const page1 = yield* DeviceServer.listPage({ count: 4 })
        assert.deepStrictEqual(page1.items.map((d) => d.id), ids.slice(0, 4))
        const page2 = yield* DeviceServer.listPage({ count: 4, olderId: Option.getOrThrow(page1.olderId) })
        assert.deepStrictEqual(page2.items.map((d) => d.id), ids.slice(4))
        assert.isTrue(Option.isNone(page2.olderId))

        // Default page size is 200.
        yield* Stream.runDrain(DeviceServer.list())
        const log = yield* bunq.log
        assert.strictEqual(log[log.length - 1]!.query.get("count"), "200")
      }))
    }))

  it.effect("a session that expires during a long list is renewed between pages", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup({ devices: 5 })
      yield* run(Effect.gen(function*() {
        // Newest first, two a page: [ours, 5th], [4th, 3rd], [2nd, 1st]; bunq ends the session after page one.
        const endOfPageOne = bunq.seededDevices[4]!
        const devices = yield* DeviceServer.list({ count: 2 }).pipe(
          Stream.tap((device) => device.id === endOfPageOne ? bunq.emulator.expireSessions : Effect.void),
          Stream.runCollect
        )
        assert.strictEqual(devices.length, 6)
        assert.strictEqual(yield* sessionServerCalls(bunq), 2)
      }))
    }))

  it.effect("User.get and User.list", () =>
    Effect.gen(function*() {
      const { run, userId } = yield* setup()
      yield* run(Effect.gen(function*() {
        const user = yield* User.get()
        assert.strictEqual(user._tag, "UserPerson")
        const context = yield* ApiContext.ApiContext
        const sessionUser = Option.getOrThrow(yield* context.user)
        const name = user._tag === "UserPerson" ? user.display_name : undefined
        assert.match(name ?? "", /^\S+ \S+$/)
        assert.strictEqual(sessionUser._tag === "UserPerson" ? sessionUser.display_name : undefined, name)
        const users = Chunk.toReadonlyArray(yield* Stream.runCollect(User.list()))
        assert.deepStrictEqual(users.map((u) => u.id), [userId])
        assert.strictEqual(sessionUser.id, userId)
      }))
    }))

  it.effect("DeviceServer.get of an unknown id is a typed ApiError NotFound with the response id", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup()
      const error = yield* run(Effect.flip(DeviceServer.get(999_999)))
      assert.strictEqual(error._tag, "ApiError")
      if (error._tag === "ApiError") {
        assert.strictEqual(error.reason, "NotFound")
        assert.strictEqual(error.operation, "DeviceServer.get")
        assert.strictEqual(error.descriptions[0]!.description, "DeviceServer for id \"999999\" not found.")
        const log = yield* bunq.emulator.log
        assert.strictEqual(error.responseId, log[log.length - 1]!.responseId)
      }
      // Not a session problem: no new session.
      assert.strictEqual(yield* sessionServerCalls(bunq), 1)
    }))

  it.effect("SandboxUser.create returns a new API key, redacted", () =>
    Effect.gen(function*() {
      const bunq = yield* makeBunq()
      const key = yield* Effect.provide(SandboxUser.create(), bunq.clientLayer)
      assert.match(Redacted.value(key), /^sandbox_[0-9a-f]{56}$/)
      assert.notInclude(String(key), "sandbox_")
      const log = yield* bunq.emulator.log
      assert.deepStrictEqual(log.map((e) => `${e.method} ${e.path} ${e.status} ${e.auth}`), [
        "POST /sandbox-user-person 200 none"
      ])
    }))
})

describe("SDK context import", () => {
  it.effect("an SDK file is restored without registration and used as is", () =>
    Effect.gen(function*() {
      const bunq = yield* makeBunq()
      const first = yield* makeStore
      // Register once, then write that context out the way the SDKs do.
      const sdkText = yield* withContext(
        bunq,
        first.store,
        Effect.gen(function*() {
          const snapshot = yield* (yield* ApiContext.ApiContext).snapshot
          return yield* SdkContext.encode(snapshot, bunq.apiKey, { environmentType: "SANDBOX" })
        })
      )
      const calls = (yield* bunq.log).length
      const second = yield* makeStore
      const importedKey = yield* SdkContext.importToStore(sdkText, { baseUrl: bunq.baseUrl }).pipe(
        Effect.provideService(ContextStore.ContextStore, second.store),
        Effect.provide(WebCryptoSigner.layer)
      )
      assert.strictEqual(Redacted.value(importedKey), Redacted.value(bunq.apiKey))
      yield* withContext(
        bunq,
        second.store,
        Effect.gen(function*() {
          yield* User.get()
          yield* Session.delete()
        }),
        { apiKey: importedKey }
      )
      assert.deepStrictEqual(
        (yield* bunq.lines).slice(calls),
        [`GET /user/${bunq.user.id} 200`, "DELETE /session/0 200"]
      )
    }))
})

describe("ApiContext.layerConfig", () => {
  it.effect("reads BUNQ_API_KEY and friends; overrides win", () =>
    Effect.gen(function*() {
      const env = ConfigProvider.fromMap(
        new Map([
          ["BUNQ_API_KEY", "sandbox_from_env"],
          ["BUNQ_DEVICE_DESCRIPTION", "from env"],
          ["BUNQ_PERMITTED_IPS", "1.2.3.4, *"],
          ["BUNQ_SESSION_REFRESH_MARGIN", "2 minutes"],
          ["BUNQ_CONTEXT_KEY", "env-key"]
        ])
      )
      const options = yield* Effect.withConfigProvider(ApiContext.config, env)
      assert.strictEqual(Redacted.value(options.apiKey), "sandbox_from_env")
      assert.strictEqual(options.description, "from env")
      assert.deepStrictEqual(options.permittedIps, ["1.2.3.4", "*"])
      assert.isTrue(Duration.equals(Duration.decode(options.refreshMargin!), Duration.minutes(2)))
      assert.strictEqual(options.storeKey, "env-key")
      assert.notInclude(String(options.apiKey), "sandbox_from_env")

      const missing = yield* Effect.flip(
        Effect.withConfigProvider(ApiContext.config, ConfigProvider.fromMap(new Map()))
      )
      assert.include(String(missing), "BUNQ_API_KEY")

      // An empty text variable counts as unset (as in the CLI): the defaults, not a store key "".
      const empty = yield* Effect.withConfigProvider(
        ApiContext.config,
        ConfigProvider.fromMap(
          new Map([
            ["BUNQ_API_KEY", "sandbox_from_env"],
            ["BUNQ_DEVICE_DESCRIPTION", ""],
            ["BUNQ_PERMITTED_IPS", ""],
            ["BUNQ_CONTEXT_KEY", ""]
          ])
        )
      )
      assert.isUndefined(empty.description)
      assert.isUndefined(empty.permittedIps)
      assert.isUndefined(empty.storeKey)

      // Against the emulator: its user's key from the environment, the description from the override.
      const { bunq, store } = yield* setup()
      const emulatorEnv = ConfigProvider.fromMap(
        new Map([
          ["BUNQ_API_KEY", Redacted.value(bunq.apiKey)],
          ["BUNQ_DEVICE_DESCRIPTION", "from env"],
          ["BUNQ_CONTEXT_KEY", "env-key"]
        ])
      )
      const device = yield* Effect.gen(function*() {
        const context = yield* ApiContext.ApiContext
        assert.strictEqual(context.storeKey, "env-key")
        return yield* DeviceServer.get(Option.getOrThrow((yield* context.snapshot).deviceId))
      }).pipe(
        Effect.provide(
          ApiContext.layerConfig({ description: "override" }).pipe(
            Layer.provideMerge(bunq.clientLayer),
            Layer.provideMerge(Layer.succeed(ContextStore.ContextStore, store))
          )
        ),
        Effect.withConfigProvider(emulatorEnv)
      )
      assert.strictEqual(device.description, "override")
      assert.isTrue(Option.isSome(yield* store.load("env-key")))
    }))
})

describe("bad input is a typed error before anything is sent", () => {
  it.effect("an empty or whitespace API key is a ConfigError naming the setting; nothing is sent", () =>
    Effect.gen(function*() {
      for (const key of ["", "   ", "\n"]) {
        const { bunq, run } = yield* setup()
        const error = yield* Effect.flip(
          run(Effect.void, { apiKey: Redacted.make(key) })
        )
        assert.isTrue(ConfigError.isConfigError(error), String(error))
        assert.include(String(error), "apiKey")
        assert.include(String(error), "the API key is empty")
        assert.strictEqual((yield* bunq.log).length, 0, "nothing sent")
      }
      const fromEnv = yield* Effect.flip(
        Effect.withConfigProvider(ApiContext.config, ConfigProvider.fromMap(new Map([["BUNQ_API_KEY", " "]])))
      )
      assert.isTrue(ConfigError.isConfigError(fromEnv))
      assert.include(String(fromEnv), "BUNQ_API_KEY")
      assert.include(String(fromEnv), "the API key is empty")
    }))

  it.effect("a page count of -5, 0, 1.5, NaN, 1e9 is InvalidCount on every list path; nothing is sent", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup({ devices: 3 })
      yield* run(Effect.gen(function*() {
        const before = (yield* bunq.log).length
        for (const count of [-5, 0, 1.5, Number.NaN, 1e9]) {
          const paths = [
            Effect.flip(DeviceServer.listPage({ count })),
            Effect.flip(Stream.runDrain(DeviceServer.list({ count }))),
            Effect.flip(
              ApiContext.request({ operation: "T", method: "GET", path: "/device-server", urlParams: { count } })
            ),
            Effect.flip(Stream.runDrain(
              ApiContext.paginate({ operation: "T", method: "GET", path: `/device-server?count=${count}` })
            ))
          ]
          for (const path of paths) {
            const error = yield* path
            assert.strictEqual(error._tag, "InvalidCount", `count ${count}`)
            assert.include(error.message, "from 1 to 200")
          }
        }
        assert.strictEqual((yield* bunq.log).length, before, "nothing sent")
        // the bounds themselves are fine
        assert.strictEqual((yield* DeviceServer.listPage({ count: 1 })).items.length, 1)
        assert.strictEqual((yield* DeviceServer.listPage({ count: 200 })).items.length, 4)
      }))
    }))

  it.effect("page ids: both is InvalidCursor on every list path, nothing sent; a hand-written newer_id walks newer alone; one request goes to bunq as written", () =>
    Effect.gen(function*() {
      const { bunq, run } = yield* setup({ devices: 4 })
      yield* run(Effect.gen(function*() {
        const ids = (yield* DeviceServer.listPage()).items.map((device) => device.id).reverse()
        const before = (yield* bunq.log).length
        const paths = [
          Effect.flip(DeviceServer.listPage({ olderId: ids[3]!, newerId: ids[0]! })),
          Effect.flip(Stream.runDrain(DeviceServer.list({ olderId: ids[3]!, newerId: ids[0]! }))),
          Effect.flip(Stream.runDrain(
            ApiContext.paginate({
              operation: "T",
              method: "GET",
              path: `/device-server?older_id=${ids[3]}&newer_id=${ids[0]}`
            })
          ))
        ]
        for (const path of paths) {
          const error = yield* path
          assert.strictEqual(error._tag, "InvalidCursor")
          assert.include(error.message, "not both")
        }
        assert.strictEqual((yield* bunq.log).length, before, "nothing sent")
        // bunq's "Use either older_id or newer_id, not both." never comes: the walk goes newer, with newer_id only
        const walked = yield* Stream.runCollect(
          ApiContext.paginate({ operation: "T", method: "GET", path: `/device-server?count=2&newer_id=${ids[0]}` })
        )
        assert.deepStrictEqual(
          Chunk.toReadonlyArray(walked).flatMap((page) =>
            page.items.map((item) => (item["DeviceServer"] as { id: number }).id)
          ),
          [ids[2], ids[1], ids[4], ids[3]]
        )
        const sent = (yield* bunq.log).slice(before).map((entry) => `${entry.status} ${entry.query.toString()}`)
        assert.deepStrictEqual(sent, [`200 count=2&newer_id=${ids[0]}`, `200 count=2&newer_id=${ids[2]}`])
        // One request is sent as written (only its count is checked here): bunq refuses both ids itself
        const single = yield* Effect.flip(ApiContext.request({
          operation: "T",
          method: "GET",
          path: `/device-server?older_id=${ids[3]}`,
          urlParams: { newer_id: ids[0]! }
        }))
        assert.strictEqual(single._tag, "ApiError")
        assert.strictEqual(single._tag === "ApiError" ? single.status : 0, 400)
      }))
    }))
})

describe("ApiContext.layerRuntime", () => {
  it.effect("takes each service as an effect (run once, in the layer's scope) or a layer (shared with the app's)", () =>
    Effect.gen(function*() {
      const { bunq, store } = yield* setup()
      const runs = { config: 0, signer: 0, store: 0, httpClient: 0, released: 0 }
      // Effects for the config and the HTTP client (a scoped one: released when the layer closes), layers for the
      // signer and the store; the app also builds the same store layer for itself.
      const storeLayer = Layer.effect(ContextStore.ContextStore, Effect.sync(() => (runs.store++, store)))
      const runtime = ApiContext.layerRuntime({ apiKey: bunq.apiKey, description: "tests" }, {
        config: Effect.suspend(() => (runs.config++, BunqConfig.validate({ baseUrl: bunq.baseUrl, retry: false }))),
        signer: Layer.effect(Signer.Signer, Effect.zipLeft(WebCryptoSigner.make, Effect.sync(() => runs.signer++))),
        store: storeLayer,
        httpClient: Effect.acquireRelease(
          Effect.sync(() => (runs.httpClient++, BunqEmulator.makeHttpClient(bunq.emulator))),
          () => Effect.sync(() => runs.released++)
        )
      })
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(Layer.merge(runtime, storeLayer), scope)
      const device = yield* Effect.provide(
        Effect.flatMap(
          ApiContext.ApiContext,
          (api) => Effect.flatMap(api.snapshot, (snapshot) => DeviceServer.get(Option.getOrThrow(snapshot.deviceId)))
        ),
        context
      )
      assert.strictEqual(device.description, "tests")
      assert.strictEqual(Context.get(context, ContextStore.ContextStore), store)
      assert.deepStrictEqual(runs, { config: 1, signer: 1, store: 1, httpClient: 1, released: 0 })
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(runs.released, 1)
    }))

  it.effect("an effect's failure fails the layer with that error", () =>
    Effect.gen(function*() {
      const { bunq, store } = yield* setup()
      const error = yield* Effect.flip(Effect.scoped(Layer.build(
        ApiContext.layerRuntime({ apiKey: bunq.apiKey }, {
          config: BunqConfig.validate({ baseUrl: "ftp://bunq.example" }),
          signer: WebCryptoSigner.make,
          store: Effect.succeed(store),
          httpClient: Effect.succeed(BunqEmulator.makeHttpClient(bunq.emulator))
        })
      )))
      assert.strictEqual(error._tag, "ConfigError")
      assert.deepStrictEqual((yield* bunq.log).length, 0)
    }))
})
