import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as BunqEmulatorControl from "@effect-bunq/emulator/BunqEmulatorControl"
import * as BrowserContextStore from "@effect-bunq/platform-browser/BrowserContextStore"
import * as BunqBrowser from "@effect-bunq/platform-browser/BunqBrowser"
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, inject, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { tutorialConformance } from "../../api/test/Tutorial.js"
import type { EmulatorControl, RuntimeOptions } from "../../device-server/test/RuntimeConformance.js"
import { runtimeConformance } from "../../device-server/test/RuntimeConformance.js"

const baseUrl = inject("bunqEmulatorUrl")
const control = Effect.runSync(
  Effect.provide(BunqEmulatorControl.makeClient(new URL(baseUrl).origin), FetchHttpClient.layer)
)

const conformanceControl: EmulatorControl = {
  baseUrl: Effect.succeed(baseUrl),
  createUser: Effect.map(control.createUser(), (user) => user.apiKey),
  log: control.log,
  clearLog: control.clearLog,
  expireSessions: control.expireSessions,
  tamperNext: (method, path) => control.injectFault({ _tag: "TamperedBody", method, path })
}

const makeLayer = (options: RuntimeOptions) =>
  BunqBrowser.layer({
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    storageName: options.store,
    permittedIps: ["*"],
    rateLimits: false
  })

runtimeConformance("BunqBrowser (IndexedDB)", conformanceControl, makeLayer)
tutorialConformance("BunqBrowser (IndexedDB)", conformanceControl, makeLayer)

const readIndexedDb = (database: string, key: string) =>
  Effect.async<unknown>((resume) => {
    const open = indexedDB.open(database, 1)
    open.onsuccess = () => {
      const get = open.result.transaction("contexts", "readonly").objectStore("contexts").get(key)
      get.onsuccess = () => {
        open.result.close()
        resume(Effect.succeed(get.result))
      }
    }
  })

describe("BunqBrowser storage", () => {
  it.live("IndexedDB keeps the private key as a non-extractable CryptoKey, never as PEM text", () =>
    Effect.gen(function*() {
      const database = `keys-${crypto.randomUUID()}`
      const apiKey = (yield* control.createUser()).apiKey
      const layer = BunqBrowser.layer({
        apiKey,
        baseUrl,
        storageName: database,
        permittedIps: ["*"],
        rateLimits: false
      })
      yield* Effect.scoped(Effect.flatMap(Layer.build(layer), () => Effect.void))
      const entry = (yield* readIndexedDb(database, ApiContext.defaultStoreKey)) as {
        readonly privateKey: CryptoKey
        readonly fields: unknown
      }
      assert.instanceOf(entry.privateKey, CryptoKey)
      assert.isFalse(entry.privateKey.extractable)
      assert.notInclude(JSON.stringify(entry.fields), "PRIVATE KEY")
    }))

  it.live("localStorage: saves and restores the context without registering again", () =>
    Effect.gen(function*() {
      const prefix = `effect-bunq-test/${crypto.randomUUID()}/`
      const apiKey = (yield* control.createUser()).apiKey
      const layer = () =>
        BunqBrowser.layer({
          apiKey,
          baseUrl,
          storage: "localStorage",
          storageName: prefix,
          permittedIps: ["*"],
          rateLimits: false
        })
      const snapshot = Effect.flatMap(ApiContext.ApiContext, (context) => context.snapshot)
      const first = yield* Effect.provide(snapshot, layer())
      assert.isNotNull(localStorage.getItem(`${prefix}${ApiContext.defaultStoreKey}`))
      yield* control.clearLog
      const second = yield* Effect.provide(snapshot, layer())
      const log = yield* control.log
      assert.isFalse(log.some((entry) => entry.method === "POST"), JSON.stringify(log))
      assert.deepStrictEqual(second.deviceId, first.deviceId)
      assert.isTrue(Option.isSome(second.session))
    }))

  it.live("layerWith: the store given as a layer (IndexedDB) keeps a non-extractable key and restores from it", () =>
    Effect.gen(function*() {
      const database = `with-${crypto.randomUUID()}`
      const apiKey = (yield* control.createUser()).apiKey
      const layer = () =>
        BunqBrowser.layerWith(
          { apiKey, baseUrl, permittedIps: ["*"], rateLimits: false },
          BrowserContextStore.layerIndexedDb({ database })
        )
      const snapshot = Effect.flatMap(ApiContext.ApiContext, (context) => context.snapshot)
      const first = yield* Effect.provide(snapshot, layer())
      const entry = (yield* readIndexedDb(database, ApiContext.defaultStoreKey)) as { readonly privateKey: CryptoKey }
      assert.instanceOf(entry.privateKey, CryptoKey)
      assert.isFalse(entry.privateKey.extractable)
      yield* control.clearLog
      const second = yield* Effect.provide(snapshot, layer())
      const log = yield* control.log
      assert.isFalse(log.some((entry) => entry.method === "POST"), JSON.stringify(log))
      assert.deepStrictEqual(second.deviceId, first.deviceId)
    }))

  it.live("layerWith: a store that saves PEM text needs extractableKeys, else saving is KeyNotExportable", () =>
    Effect.gen(function*() {
      const prefix = `effect-bunq-test/${crypto.randomUUID()}/`
      const options = {
        apiKey: (yield* control.createUser()).apiKey,
        baseUrl,
        permittedIps: ["*"],
        rateLimits: false as const
      }
      const store = BrowserContextStore.layerLocalStorage({ prefix })
      const snapshot = Effect.flatMap(ApiContext.ApiContext, (context) => context.snapshot)
      const refused = yield* Effect.flip(Effect.provide(snapshot, BunqBrowser.layerWith(options, store)))
      assert.include(JSON.stringify(refused), "KeyNotExportable")
      yield* Effect.provide(snapshot, BunqBrowser.layerWith({ ...options, extractableKeys: true }, store))
      assert.include(localStorage.getItem(`${prefix}${ApiContext.defaultStoreKey}`) ?? "", "PRIVATE KEY")
    }))
})
