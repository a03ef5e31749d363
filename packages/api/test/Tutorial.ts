// bunq's tutorial as a conformance test every runtime layer must pass (BunqNode.layer in Node over HTTP, BunqBrowser.layer
// in Chromium), against a real emulator: sandbox users, API context, user, sandbox money from the sugar daddy,
// accounts with balances, a payment with an attachment to a second user, payments and events, and a restore without
// registering. Browser-safe: no node:* imports. (The callback step needs a listening server: Node only, see
// packages/emulator/test/callbacks.test.ts and the demo.)
import * as Event from "@effect-bunq/api/Event"
import * as MonetaryAccount from "@effect-bunq/api/MonetaryAccount"
import * as Payment from "@effect-bunq/api/Payment"
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as User from "@effect-bunq/device-server/User"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream } from "effect"
import type { EmulatorControl, RuntimeOptions, RuntimeServices } from "../../device-server/test/RuntimeConformance.js"

/** A POST under /user/{id} with a bunq `Pointer` body, answered with `{"Id":{"id":…}}`. */
const post = (path: string, request: Omit<ApiContext.Request, "operation" | "method" | "path">) =>
  Effect.gen(function*() {
    const context = yield* ApiContext.ApiContext
    const { userId } = yield* context.session
    const response = yield* context.request({
      operation: `tutorial ${path}`,
      method: "POST",
      path: `/user/${userId}${path}`,
      ...request
    })
    return (response.items[0]?.["Id"] as { readonly id: number }).id
  })

const mainAccount = Effect.gen(function*() {
  const accounts = yield* Stream.runCollect(MonetaryAccount.list())
  for (const account of accounts) {
    if (account._tag !== "MonetaryAccountBank" || account.value.status !== "ACTIVE") continue
    return {
      id: account.value.id!,
      iban: account.value.alias?.find((alias) => alias.type === "IBAN")?.value ?? "",
      balance: account.value.balance?.value
    }
  }
  return yield* Effect.dieMessage("no active bank account")
})

const receipt = new TextEncoder().encode("Kassabon: koffie en appeltaart 12.34 EUR\n")

export const tutorialConformance = (
  name: string,
  control: EmulatorControl,
  makeLayer: (options: RuntimeOptions) => Layer.Layer<RuntimeServices, unknown>
) =>
  describe(`${name}: bunq's tutorial against the emulator`, () => {
    const run = <A, E>(options: RuntimeOptions, program: Effect.Effect<A, E, RuntimeServices>) =>
      Effect.scoped(Effect.flatMap(Layer.build(makeLayer(options)), (context) => Effect.provide(program, context)))

    it.live("user, sandbox money, accounts, a payment with an attachment, payments, events, restore", () =>
      Effect.gen(function*() {
        const baseUrl = yield* control.baseUrl
        const store = `tutorial-${crypto.randomUUID()}`
        const me: RuntimeOptions = { apiKey: yield* control.createUser, baseUrl, store }
        const friend: RuntimeOptions = { apiKey: yield* control.createUser, baseUrl, store: `${store}-friend` }
        const friendAccount = yield* run(friend, mainAccount)
        assert.match(friendAccount.iban, /^NL\d{2}BUNQ\d{10}$/)

        const result = yield* run(
          me,
          Effect.gen(function*() {
            const user = yield* User.get()
            const main = yield* mainAccount
            assert.strictEqual(main.balance, "0.00")
            yield* post(`/monetary-account/${main.id}/request-inquiry`, {
              body: {
                amount_inquired: { value: "500.00", currency: "EUR" },
                counterparty_alias: { type: "EMAIL", value: "sugardaddy@bunq.com", name: "Sugar Daddy" },
                description: "Sandbox money",
                allow_bunqme: false
              }
            })
            assert.strictEqual((yield* mainAccount).balance, "500.00")
            const attachmentId = yield* post(`/monetary-account/${main.id}/attachment`, {
              rawBody: { bytes: receipt, contentType: "text/plain" },
              headers: { "X-Bunq-Attachment-Description": "Kassabon" }
            })
            const paymentId = yield* post(`/monetary-account/${main.id}/payment`, {
              body: {
                amount: { value: "12.34", currency: "EUR" },
                counterparty_alias: { type: "IBAN", value: friendAccount.iban, name: "A friend" },
                description: "Koffie en appeltaart",
                attachment: [{ id: attachmentId }]
              }
            })
            const payment = yield* Payment.get({ monetaryAccountId: main.id, id: paymentId })
            const payments = yield* Stream.runCollect(Payment.list({ monetaryAccountId: main.id }))
            const events = yield* Stream.runCollect(Stream.take(Event.list({ count: 2 }), 3))
            return { user, main, payment, payments, events, balance: (yield* mainAccount).balance }
          })
        )
        assert.strictEqual(result.payment.amount?.value, "-12.34")
        assert.strictEqual(result.payment.counterparty_alias?.iban, friendAccount.iban)
        assert.deepStrictEqual(result.payment.attachment?.map((a) => a.id), [result.payment.attachment?.[0]?.id])
        assert.deepStrictEqual(Chunk.toArray(result.payments).map((p) => p.amount?.value), ["-12.34", "500.00"])
        assert.deepStrictEqual(
          Chunk.toArray(result.events).map((e) => e.object?._tag),
          ["Payment", "RequestInquiry", "Payment"]
        )
        assert.strictEqual(result.balance, "487.66")
        assert.strictEqual((yield* run(friend, mainAccount)).balance, "12.34")

        // A second run restores the saved context: no installation, device or session request.
        yield* control.clearLog
        const again = yield* run(me, User.get())
        assert.strictEqual(again.id, result.user.id)
        const registrations = (yield* control.log).filter((e) =>
          e.method === "POST" && /\/(installation|device-server|session-server)$/.test(e.path)
        )
        assert.deepStrictEqual(registrations, [])
      }))
  })
