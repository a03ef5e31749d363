/**
 * The runtime layer of the minimal browser apps: `BunqBrowser.layerWith` takes the store as a layer, so the other
 * stores `BunqBrowser.layer` can choose from are not bundled.
 */
import * as BrowserContextStore from "@effect-bunq/platform-browser/BrowserContextStore"
import * as BunqBrowser from "@effect-bunq/platform-browser/BunqBrowser"
import * as Redacted from "effect/Redacted"

export const layer = BunqBrowser.layerWith(
  { apiKey: Redacted.make("sandbox_key"), baseUrl: "https://proxy.example/v1" },
  BrowserContextStore.layerIndexedDb()
)
