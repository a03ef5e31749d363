// The end-to-end suite every runtime layer must pass (BunqNode.layer in Node, BunqBrowser.layer in Chromium), against
// a real emulator over HTTP. Browser-safe: no node:* imports.
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as User from "@effect-bunq/device-server/User"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as Headers from "@effect/platform/Headers"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, FiberRef, Layer, Option, Redacted, Stream } from "effect"

/** What the suite needs to steer the emulator (directly in Node, through its control endpoints from a browser). */
export interface EmulatorControl {
  /** The emulator's base URL, e.g. `http://127.0.0.1:PORT/v1`. */
  readonly baseUrl: Effect.Effect<string>
  readonly createUser: Effect.Effect<Redacted.Redacted<string>>
  readonly log: Effect.Effect<
    ReadonlyArray<{ readonly method: string; readonly path: string; readonly status: number }>
  >
  readonly clearLog: Effect.Effect<void>
  readonly expireSessions: Effect.Effect<void>
  readonly tamperNext: (method: string, path: string) => Effect.Effect<void>
}

export interface RuntimeOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly baseUrl: string
  /** Layers built with the same `store` name share their saved context (same file / same browser database). */
  readonly store: string
}

export type RuntimeServices = ApiContext.ApiContext | BunqClient.BunqClient

const count = (
  log: ReadonlyArray<{ readonly method: string; readonly path: string }>,
  method: string,
  suffix: string
) => log.filter((entry) => entry.method === method && entry.path.endsWith(suffix)).length

export const runtimeConformance = (
  name: string,
  control: EmulatorControl,
  makeLayer: (options: RuntimeOptions) => Layer.Layer<RuntimeServices, unknown>
) =>
  describe(`${name}: runtime conformance against the emulator`, () => {
    const fresh = (store: string) =>
      Effect.gen(function*() {
        const apiKey = yield* control.createUser
        const baseUrl = yield* control.baseUrl
        return { apiKey, baseUrl, store: `${store}-${crypto.randomUUID()}` }
      })

    const run = <A, E>(options: RuntimeOptions, program: Effect.Effect<A, E, RuntimeServices>) =>
      Effect.scoped(Effect.flatMap(Layer.build(makeLayer(options)), (context) => Effect.provide(program, context)))

    it.live("bootstraps (installation → device → session), reads and lists devices", () =>
      Effect.gen(function*() {
        const options = yield* fresh("bootstrap")
        yield* control.clearLog
        const [device, devices, user] = yield* run(
          options,
          Effect.gen(function*() {
            const context = yield* ApiContext.ApiContext
            const snapshot = yield* context.snapshot
            const deviceId = Option.getOrThrow(snapshot.deviceId)
            const device = yield* DeviceServer.get(deviceId)
            const devices = Chunk.toReadonlyArray(yield* Stream.runCollect(DeviceServer.list({ count: 2 })))
            return [device, devices, yield* User.get()] as const
          })
        )
        const log = yield* control.log
        assert.strictEqual(count(log, "POST", "/installation"), 1)
        assert.strictEqual(count(log, "POST", "/device-server"), 1)
        assert.strictEqual(count(log, "POST", "/session-server"), 1)
        assert.isTrue(log.every((entry) => entry.status < 400), JSON.stringify(log))
        assert.strictEqual(device.status, "ACTIVE")
        assert.isTrue(devices.some((d) => d.id === device.id))
        assert.isAbove(user.id, 0)
      }))

    it.live("marks bunq's secret headers as redacted for everything run on the layer", () =>
      Effect.gen(function*() {
        const options = yield* fresh("redacted")
        const names = yield* Effect.provide(FiberRef.get(Headers.currentRedactedNames), makeLayer(options))
        for (const secret of BunqClient.secretHeaderNames) {
          assert.isTrue(
            names.some((name) =>
              typeof name === "string" ? name.toLowerCase() === secret.toLowerCase() : name.test(secret)
            ),
            `${secret} is not redacted`
          )
        }
      }))

    it.live("saves the context and restores it in a fresh layer without installation or device calls", () =>
      Effect.gen(function*() {
        const options = yield* fresh("restore")
        const first = yield* run(options, Effect.flatMap(ApiContext.ApiContext, (c) => c.snapshot))
        yield* control.clearLog
        const second = yield* run(
          options,
          Effect.gen(function*() {
            const snapshot = yield* Effect.flatMap(ApiContext.ApiContext, (c) => c.snapshot)
            yield* DeviceServer.get(Option.getOrThrow(snapshot.deviceId))
            return snapshot
          })
        )
        const log = yield* control.log
        assert.strictEqual(count(log, "POST", "/installation"), 0)
        assert.strictEqual(count(log, "POST", "/device-server"), 0)
        assert.strictEqual(count(log, "POST", "/session-server"), 0)
        assert.strictEqual(count(log, "GET", `/device-server/${Option.getOrThrow(second.deviceId)}`), 1)
        assert.strictEqual(second.keyPair.publicKeyPem, first.keyPair.publicKeyPem)
        assert.deepStrictEqual(second.deviceId, first.deviceId)
        assert.strictEqual(Redacted.value(second.installation.token), Redacted.value(first.installation.token))
      }))

    it.live("opens a new session when the emulator expires the current one, and the call succeeds", () =>
      Effect.gen(function*() {
        const options = yield* fresh("refresh")
        yield* run(
          options,
          Effect.gen(function*() {
            const context = yield* ApiContext.ApiContext
            const before = yield* context.session
            yield* control.expireSessions
            yield* control.clearLog
            const deviceId = Option.getOrThrow((yield* context.snapshot).deviceId)
            const device = yield* DeviceServer.get(deviceId)
            assert.strictEqual(device.id, deviceId)
            const after = yield* context.session
            assert.notStrictEqual(Redacted.value(after.token), Redacted.value(before.token))
            const log = yield* control.log
            assert.strictEqual(count(log, "POST", "/session-server"), 1)
            assert.strictEqual(log[0]!.status, 401)
          })
        )
      }))

    it.live("rejects a tampered response with ResponseVerificationError", () =>
      Effect.gen(function*() {
        const options = yield* fresh("tamper")
        yield* run(
          options,
          Effect.gen(function*() {
            const deviceId = Option.getOrThrow(
              (yield* Effect.flatMap(ApiContext.ApiContext, (c) => c.snapshot)).deviceId
            )
            yield* control.tamperNext("GET", `/device-server/${deviceId}`)
            const error = yield* Effect.flip(DeviceServer.get(deviceId))
            assert.strictEqual(error._tag, "ResponseVerificationError")
            // The next, untampered, call works.
            const device = yield* DeviceServer.get(deviceId)
            assert.strictEqual(device.id, deviceId)
          })
        )
      }))
  })
