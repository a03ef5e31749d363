// ApiContext in Chromium: WebCrypto keys (non-extractable ones too), the in-process emulator, and stores the browser
// runtime builds on (objects in memory; JSON in localStorage through KeyValueStore).
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient } from "@effect/platform"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import * as ApiContext from "../src/ApiContext.js"
import * as ContextDocument from "../src/ContextDocument.js"
import * as ContextStore from "../src/ContextStore.js"
import * as DeviceServer from "../src/DeviceServer.js"
import * as User from "../src/User.js"

const setup = Effect.gen(function*() {
  const signer = yield* WebCryptoSigner.make
  const emulator = yield* BunqEmulator.make().pipe(Effect.provideService(Signer.Signer, signer))
  const url = yield* emulator.url
  const client = BunqClient.layer.pipe(
    Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, BunqEmulator.makeHttpClient(emulator))),
    Layer.provideMerge(Layer.succeed(Signer.Signer, signer)),
    Layer.provideMerge(BunqConfig.layer({ baseUrl: url, rateLimits: false, retry: false }))
  )
  const user = yield* emulator.createSandboxUser()
  return { emulator, client, signer, user }
})

describe("ApiContext in the browser", () => {
  it.effect("non-extractable keys kept as objects: bootstrap, restore, fields codec", () =>
    Effect.gen(function*() {
      const { client, emulator, user } = yield* setup
      const store = yield* Effect.provide(ContextStore.ContextStore, ContextStore.layerMemory)
      const contextLayer = ApiContext.layer({ apiKey: user.apiKey, extractableKeys: false }).pipe(
        Layer.provideMerge(client),
        Layer.provideMerge(Layer.succeed(ContextStore.ContextStore, store))
      )
      const snapshot = yield* Effect.gen(function*() {
        const context = yield* ApiContext.ApiContext
        const snapshot = yield* context.snapshot
        yield* DeviceServer.get(Option.getOrThrow(snapshot.deviceId))
        return snapshot
      }).pipe(Effect.provide(contextLayer))
      assert.isFalse(snapshot.keyPair.privateKey.extractable)
      assert.instanceOf(snapshot.keyPair.privateKey.handle, CryptoKey)

      yield* emulator.clearLog
      const restoredUser = yield* Effect.provide(User.get(), contextLayer)
      assert.strictEqual(restoredUser.id, user.id)
      assert.deepStrictEqual((yield* emulator.log).map((e) => e.path), [`/user/${user.id}`])

      // What an IndexedDB store does: the fields as JSON, the CryptoKey as is.
      const fields = JSON.parse(JSON.stringify(ContextDocument.encodeFields(snapshot)))
      const decoded = yield* ContextDocument.decodeFields("default", fields, snapshot.keyPair.privateKey)
      assert.strictEqual(decoded.installation.serverPublicKey, snapshot.installation.serverPublicKey)
    }))

  it.effect("a context saved in localStorage is restored by a new layer", () =>
    Effect.gen(function*() {
      const { client, emulator, user } = yield* setup
      localStorage.clear()
      const storage = ContextStore.layerKeyValueStore({ prefix: "test/" }).pipe(
        Layer.provide(KeyValueStore.layerStorage(() => localStorage)),
        Layer.provide(WebCryptoSigner.layer)
      )
      const contextLayer = ApiContext.layer({ apiKey: user.apiKey }).pipe(
        Layer.provideMerge(client),
        Layer.provide(storage)
      )
      yield* Effect.provide(User.get(), contextLayer)
      const saved = JSON.parse(localStorage.getItem("test/default")!)
      assert.strictEqual(saved.version, 1)
      yield* emulator.clearLog
      yield* Effect.provide(User.get(), contextLayer)
      assert.deepStrictEqual((yield* emulator.log).map((e) => `${e.method} ${e.path}`), [`GET /user/${user.id}`])
      localStorage.clear()
    }))
})
