/**
 * A minimal browser app on effect-bunq: create the API context (key generation, installation, device, session;
 * saved in IndexedDB with a non-extractable key) and read this device (the runtime layer is in `layer.ts`).
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { layer } from "./layer.js"

declare const document: { body: { textContent: string | null } }

const program = Effect.gen(function*() {
  const context = yield* ApiContext.ApiContext
  const snapshot = yield* context.snapshot
  return yield* DeviceServer.get(Option.getOrThrow(snapshot.deviceId))
})

Effect.runPromise(program.pipe(Effect.provide(layer))).then((device) => {
  document.body.textContent = device.description
})
