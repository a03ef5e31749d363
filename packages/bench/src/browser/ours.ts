/**
 * A minimal browser app on effect-bunq: create the API context (key generation, installation, device, session;
 * saved in IndexedDB with a non-extractable key) and read this device. `BunqBrowser.layerWith` takes the store as a
 * layer, so the other stores `BunqBrowser.layer` can choose from are not bundled.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as BrowserContextStore from "@effect-bunq/platform-browser/BrowserContextStore"
import * as BunqBrowser from "@effect-bunq/platform-browser/BunqBrowser"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

declare const document: { body: { textContent: string | null } }

const program = Effect.gen(function*() {
  const context = yield* ApiContext.ApiContext
  const snapshot = yield* context.snapshot
  return yield* DeviceServer.get(Option.getOrThrow(snapshot.deviceId))
})

Effect.runPromise(program.pipe(
  Effect.provide(BunqBrowser.layerWith(
    { apiKey: Redacted.make("sandbox_key"), baseUrl: "https://proxy.example/v1" },
    BrowserContextStore.layerIndexedDb()
  ))
)).then((device) => {
  document.body.textContent = device.description
})
