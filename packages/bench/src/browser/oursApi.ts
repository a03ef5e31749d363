/**
 * The minimal browser app of `ours.ts` plus two generated programs: `MonetaryAccount.list` and `Payment.list` (a
 * Stream each), imported by deep path. The difference to `ours.ts` is what those two cost an app: their schemas, the
 * generated programs' runtime and `Stream`.
 */
import * as MonetaryAccount from "@effect-bunq/api/MonetaryAccount"
import * as Payment from "@effect-bunq/api/Payment"
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { layer } from "./layer.js"

declare const document: { body: { textContent: string | null } }

const program = Effect.gen(function*() {
  const context = yield* ApiContext.ApiContext
  const snapshot = yield* context.snapshot
  const device = yield* DeviceServer.get(Option.getOrThrow(snapshot.deviceId))
  const accounts = yield* Stream.runCollect(MonetaryAccount.list())
  let payments = 0
  for (const account of accounts) {
    if (account._tag === "Unknown") continue
    const id = account.value.id
    if (id === undefined) continue
    payments += yield* Stream.runCount(Payment.list({ monetaryAccountId: id }))
  }
  return `${device.description}: ${accounts.length} accounts, ${payments} payments`
})

Effect.runPromise(program.pipe(Effect.provide(layer))).then((text) => {
  document.body.textContent = text
})
