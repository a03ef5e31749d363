import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorControl from "@effect-bunq/emulator/BunqEmulatorControl"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"

const layer = (control: boolean) =>
  Layer.merge(BunqEmulatorServer.layer({ control }), FetchHttpClient.layer).pipe(Layer.provide(WebCryptoSigner.layer))

describe("BunqEmulatorControl", () => {
  it.scoped("steers a served emulator over HTTP: users, log, faults, expiry, reset", () =>
    Effect.gen(function*() {
      const emulator = yield* BunqEmulator.Emulator
      const origin = new URL(yield* emulator.url).origin
      const control = yield* BunqEmulatorControl.makeClient(origin)

      const user = yield* control.createUser({ type: "company" })
      assert.strictEqual(user.type, "company")
      assert.match(Redacted.value(user.apiKey), /^sandbox_/)
      // The user exists in the emulator: bunq's own endpoint sees it (an unknown key would be rejected).
      const base = yield* emulator.url
      const installation = yield* Effect.promise(() =>
        fetch(`${base}/sandbox-user-person`, { method: "POST" }).then((r) => r.status)
      )
      assert.strictEqual(installation, 200)

      const log = yield* control.log
      assert.deepStrictEqual(log.map((e) => `${e.method} ${e.path} ${e.status}`), ["POST /sandbox-user-person 200"])
      yield* control.clearLog
      assert.deepStrictEqual(yield* control.log, [])

      yield* control.injectFault({ _tag: "Status", status: 491, path: "/sandbox-user-person" })
      const faulted = yield* Effect.promise(() =>
        fetch(`${base}/sandbox-user-person`, { method: "POST" }).then((r) => r.status)
      )
      assert.strictEqual(faulted, 491)
      // A fault for a duration travels as JSON too.
      yield* control.injectFault({ _tag: "Status", status: 503, path: "/sandbox-user-person", duration: "1 hour" })
      for (let i = 0; i < 2; i++) {
        const unavailable = yield* Effect.promise(() =>
          fetch(`${base}/sandbox-user-person`, { method: "POST" }).then((r) => r.status)
        )
        assert.strictEqual(unavailable, 503)
      }
      yield* control.clearFaults
      yield* control.expireSessions
      yield* control.forgetRegistrations
      yield* control.reset
      assert.deepStrictEqual(yield* control.log, [])

      // Unknown endpoints and bad bodies are answered, not crashed on.
      const unknown = yield* Effect.promise(() => fetch(`${origin}/_emulator/nope`).then((r) => r.status))
      assert.strictEqual(unknown, 404)
      const bad = yield* Effect.promise(() =>
        fetch(`${origin}/_emulator/users`, { method: "POST", body: "{not json" }).then((r) => r.status)
      )
      assert.strictEqual(bad, 400)
    }).pipe(Effect.provide(layer(true))))

  it.scoped("is not served unless asked for", () =>
    Effect.gen(function*() {
      const emulator = yield* BunqEmulator.Emulator
      const origin = new URL(yield* emulator.url).origin
      const status = yield* Effect.promise(() =>
        fetch(`${origin}/_emulator/users`, { method: "POST", body: "{}" }).then((r) => r.status)
      )
      assert.notStrictEqual(status, 200)
    }).pipe(Effect.provide(layer(false))))
})
