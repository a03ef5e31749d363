/**
 * The generated programs against the bunq emulator (in process, real signatures both ways): monetary accounts,
 * a request to the sandbox's sugar daddy, a payment to another user by IBAN, lists as streams, events, a bunq.me
 * tab, notification filters and an attachment uploaded and downloaded as bytes.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Chunk, Effect, Layer, Option, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Api from "../src/index.js"
import type * as Schemas from "../src/Schemas.js"

const png = new Uint8Array(fs.readFileSync(path.join(import.meta.dirname, "fixtures", "attachment-public.content.png")))

const setup = Effect.gen(function*() {
  const signer = yield* WebCryptoSigner.make
  const emulator = yield* BunqEmulator.make({ rateLimits: false }).pipe(Effect.provideService(Signer.Signer, signer))
  const client = BunqClient.layer.pipe(
    Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, BunqEmulator.makeHttpClient(emulator))),
    Layer.provideMerge(Layer.succeed(Signer.Signer, signer)),
    Layer.provideMerge(BunqConfig.layer({ baseUrl: yield* emulator.url, rateLimits: false, retry: false }))
  )
  const context = (apiKey: Parameters<typeof ApiContext.layer>[0]["apiKey"]) =>
    ApiContext.layer({ apiKey, description: "api emulator tests" }).pipe(
      Layer.provideMerge(client),
      Layer.provideMerge(ContextStore.layerMemory)
    )
  return { emulator, client, context }
})

const ibanOf = (account: Schemas.MonetaryAccountBank) =>
  account.alias?.find((alias) => alias.type === "IBAN")?.value ?? ""

const bankAccount = Effect.gen(function*() {
  const accounts = yield* Stream.runCollect(Api.MonetaryAccount.list())
  const bank = Chunk.findFirst(accounts, (account) => account._tag === "MonetaryAccountBank")
  const value = Option.getOrThrow(bank)
  if (value._tag !== "MonetaryAccountBank") throw new Error("not a bank account")
  return value.value
})

describe("the generated programs on the emulator", () => {
  it.effect(
    "accounts, a sugar daddy request, a payment by IBAN, lists, events, a tab, filters, an attachment",
    () =>
      Effect.gen(function*() {
        const { client, context } = yield* setup
        const aliceKey = yield* Effect.provide(Api.SandboxUserPerson.create(), client)
        const bobKey = yield* Effect.provide(Api.SandboxUserPerson.create(), client)
        const bob = yield* Effect.provide(bankAccount, context(bobKey))

        yield* Effect.gen(function*() {
          const account = yield* bankAccount
          assert.strictEqual(account.balance?.value, "0.00")
          const accountId = account.id!

          // money from the sandbox's sugar daddy, by a request
          const inquiryId = yield* Api.RequestInquiry.create({
            monetaryAccountId: accountId,
            body: {
              amount_inquired: { value: "100.00", currency: "EUR" },
              counterparty_alias: { type: "EMAIL", value: "sugardaddy@bunq.com", name: "Sugar Daddy" },
              description: "top up",
              allow_bunqme: false
            }
          })
          const inquiry = yield* Api.RequestInquiry.get({ monetaryAccountId: accountId, id: inquiryId })
          assert.strictEqual(inquiry.status, "ACCEPTED")

          // a payment to bob by IBAN
          const paymentId = yield* Api.Payment.create({
            monetaryAccountId: accountId,
            body: {
              amount: yield* Api.Amount.make(BigDecimal.unsafeFromString("12.5"), "EUR"),
              counterparty_alias: { type: "IBAN", value: ibanOf(bob), name: "Bob" },
              description: "dinner"
            }
          })
          const payment = yield* Api.Payment.get({ monetaryAccountId: accountId, id: paymentId })
          assert.deepStrictEqual(payment.amount, { value: "-12.50", currency: "EUR" })
          assert.strictEqual(payment.description, "dinner")
          const payments = yield* Stream.runCollect(Api.Payment.list({ monetaryAccountId: accountId, count: 1 }))
          assert.includeMembers(Chunk.toArray(payments).map((p) => p.id), [paymentId])
          assert.strictEqual((yield* bankAccount).balance?.value, "87.50")

          // events: the payment and the request, as tagged objects
          const events = yield* Stream.runCollect(Api.Event.list())
          const tags = Chunk.toArray(events).map((event) => event.object?._tag)
          assert.include(tags, "Payment")

          // a bunq.me tab and its share URL
          const tabId = yield* Api.BunqMeTab.create({
            monetaryAccountId: accountId,
            body: { bunqme_tab_entry: { amount_inquired: { value: "5.00", currency: "EUR" }, description: "coffee" } }
          })
          const tab = yield* Api.BunqMeTab.get({ monetaryAccountId: accountId, id: tabId })
          assert.strictEqual(tab.id, tabId)

          // notification filters for callbacks
          yield* Api.NotificationFilterUrl.create({
            body: {
              notification_filters: [{ category: "MUTATION", notification_target: "http://127.0.0.1:9/bunq/callback" }]
            }
          })
          const filters = yield* Api.NotificationFilterUrl.listPage()
          assert.isAbove(filters.items.length, 0)

          // an attachment: raw bytes up, the same bytes down, both signed and verified
          const uuid = yield* Api.AttachmentPublic.upload({ body: png, contentType: "image/png", description: "logo" })
          const content = yield* Api.Content.downloadForAttachmentPublic({ attachmentPublicUuid: uuid })
          assert.deepStrictEqual(content.bytes, png)
          assert.strictEqual(content.contentType, "image/png")
        }).pipe(Effect.provide(context(aliceKey)))

        // bob received it
        const received = yield* Effect.provide(
          Effect.flatMap(
            bankAccount,
            (account) => Stream.runCollect(Api.Payment.list({ monetaryAccountId: account.id! }))
          ),
          context(bobKey)
        )
        assert.deepStrictEqual(Chunk.toArray(received).map((p) => p.amount?.value), ["12.50"])
      }),
    { timeout: 60_000 }
  )

  it.effect(
    "a monetary account's attachment: Attachment.upload returns its id, Content downloads the same bytes from /content, verified",
    () =>
      Effect.gen(function*() {
        const { client, context, emulator } = yield* setup
        const apiKey = yield* Effect.provide(Api.SandboxUserPerson.create(), client)
        yield* Effect.gen(function*() {
          const accountId = (yield* bankAccount).id!
          const id = yield* Api.Attachment.upload({
            monetaryAccountId: accountId,
            body: png,
            contentType: "image/png",
            description: "receipt"
          })
          // the emulator, like bunq's SDKs, answers a monetary account's attachment with an integer id
          if (typeof id !== "number") return assert.fail(`expected an integer id, got ${id}`)
          const attachmentId = id

          // the emulator serves /content as the raw bytes, signed; the program verifies them and hands them out
          const content = yield* Api.Content.downloadForMonetaryAccountAttachment({
            monetaryAccountId: accountId,
            attachmentId
          })
          assert.strictEqual(content.contentType, "image/png")
          assert.deepStrictEqual(content.bytes, png)
          const log = yield* emulator.log
          const [upload, download] = log.slice(-2)
          assert.strictEqual(upload!.method, "POST")
          assert.strictEqual(upload!.signature, "verified", "the upload is signed over the raw bytes")
          assert.strictEqual(download!.method, "GET")
          assert.strictEqual(
            download!.path,
            `/user/${download!.path.split("/")[2]}/monetary-account/${accountId}/attachment/${attachmentId}/content`
          )
          assert.strictEqual(download!.status, 200)

          // one byte changed after the emulator signed it: the download fails, no bytes are handed out
          yield* emulator.injectFault({ _tag: "TamperedBody", method: "GET", path: "**/attachment/*/content" })
          const error = yield* Effect.flip(
            Api.Content.downloadForMonetaryAccountAttachment({ monetaryAccountId: accountId, attachmentId })
          )
          assert.strictEqual(error._tag, "ResponseVerificationError")

          // an id that is not this account's attachment is bunq's 404, typed
          const missing = yield* Effect.flip(
            Api.Content.downloadForMonetaryAccountAttachment({
              monetaryAccountId: accountId,
              attachmentId: attachmentId + 1000
            })
          )
          assert.strictEqual(missing._tag, "ApiError")
        }).pipe(Effect.provide(context(apiKey)))
      }),
    { timeout: 60_000 }
  )
})
