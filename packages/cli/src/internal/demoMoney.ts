/**
 * The money part of `bunq demo`: bunq's own tutorial after the API context — read the user, get sandbox money from
 * the sugar daddy, list the accounts with balances, pay a second sandbox user (with an attachment), list payments and
 * events, and (on the embedded emulator) receive the payment's callback on a local webhook.
 *
 * @internal
 */
import type * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as SandboxUser from "@effect-bunq/device-server/SandboxUser"
import * as User from "@effect-bunq/device-server/User"
import * as UserSchema from "@effect-bunq/schema/User"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import * as Api from "./moneyApi.js"
import * as Output from "./output.js"
import { apiLayer, clientLayer, type Settings } from "./settings.js"
import * as Webhook from "./webhook.js"

/** The demo's step runner (see `demo.ts`). @internal */
export type Step = <A, E, R>(
  title: string,
  explain: string,
  effect: Effect.Effect<readonly [A, ReadonlyArray<string>, Record<string, unknown>], E, R>
) => Effect.Effect<A, E, R | Output.Output>

const receipt = new TextEncoder().encode("Kassabon\nKoffie en appeltaart    12.34 EUR\nBedankt!\n")

/** @internal */
export const run = (options: {
  readonly step: Step
  readonly context: Context.Context<ApiContext.ApiContext>
  readonly settings: Settings
  readonly secondContextFile: string
  readonly layerOptions: Record<string, unknown>
  readonly clientOptions: Record<string, unknown>
  /** The embedded emulator delivers callbacks to a local webhook; bunq cannot reach this machine. */
  readonly webhook: boolean
  readonly scope: Scope.Scope
}) =>
  Effect.gen(function*() {
    const { step } = options
    const provide = <A, E>(effect: Effect.Effect<A, E, ApiContext.ApiContext>) =>
      Effect.provide(effect, options.context)

    yield* step(
      "Read the user",
      "GET /user: who the API key belongs to. Every later call is under /user/{id}/….",
      provide(Effect.map(User.get(), (user) => {
        const name = Option.getOrElse(UserSchema.displayName(user), () => "")
        return [user, [`user ${user.id} (${user._tag}${name === "" ? "" : `, ${name}`})`], { userId: user.id }] as const
      }))
    )

    const callbacks = yield* Queue.unbounded<ReturnType<typeof Webhook.summary>>()
    if (options.webhook) {
      yield* step(
        "Start a webhook and register it",
        "A local HTTP server receives bunq's callbacks; POST /user/{id}/notification-filter-url asks bunq to POST " +
          "every MUTATION (money in or out) there, so your app hears about payments without polling.",
        Effect.gen(function*() {
          const url = yield* Webhook.start(
            0,
            (callback) => Effect.asVoid(Queue.offer(callbacks, Webhook.summary(callback)))
          ).pipe(Scope.extend(options.scope))
          yield* provide(Api.registerCallback("MUTATION", url))
          return [url, [`listening on ${url}`, "filter MUTATION → that URL registered"], { webhook: url }] as const
        })
      )
    }

    const main = yield* step(
      "Get sandbox money",
      "POST …/monetary-account/{id}/request-inquiry to sugardaddy@bunq.com for 500.00 EUR: in bunq's sandbox the " +
        "sugar daddy pays such a request (up to 500.00) at once.",
      provide(Effect.gen(function*() {
        const account = yield* Api.accountOrDefault(undefined)
        const id = yield* Api.createRequest({
          accountId: account.id,
          amount: "500.00",
          currency: "EUR",
          from: "sugardaddy@bunq.com",
          description: "Sandbox money for the tutorial"
        })
        return [account, [`request ${id} to sugardaddy@bunq.com: paid`], { requestId: id }] as const
      }))
    )

    yield* step(
      "List the accounts with their balances",
      "GET /user/{id}/monetary-account: every account (bank, savings …) with its balance and IBAN.",
      provide(Effect.map(Api.accounts, (rows) =>
        [
          rows,
          rows.map((a) => `${a.id}  ${a.type}  ${a.description}  ${a.balance} ${a.currency}  ${a.iban ?? ""}`),
          { accounts: rows }
        ] as const))
    )

    const second = yield* step(
      "Create a second sandbox user to pay",
      "POST /sandbox-user-person again, and an API context for it (installation, device, session), to read its " +
        "account's IBAN: the counterparty of the payment.",
      Effect.gen(function*() {
        const apiKey = yield* Effect.provide(SandboxUser.create(), clientLayer(options.settings, options.clientOptions))
        const context = yield* Layer.buildWithScope(
          apiLayer({ ...options.settings, contextFile: options.secondContextFile }, apiKey, options.layerOptions),
          options.scope
        )
        const account = yield* Effect.provide(Api.accountOrDefault(undefined), context)
        return [account, [`their account ${account.id}, IBAN ${account.iban ?? "?"}`], { iban: account.iban }] as const
      })
    )

    const paid = yield* step(
      "Pay them 12.34 EUR, with a receipt attached",
      "POST …/attachment (raw bytes, Content-Type and X-Bunq-Attachment-Description, signed over the bytes), then " +
        "POST …/payment with the amount, their IBAN and name, and the attachment. Moving money always needs a " +
        "signature.",
      provide(Effect.gen(function*() {
        const attachmentId = yield* Api.uploadAttachment(main.id, receipt, "text/plain", "Kassabon")
        const paymentId = yield* Api.createPayment({
          accountId: main.id,
          amount: "12.34",
          currency: "EUR",
          to: second.iban ?? "",
          name: "Second sandbox user",
          description: "Koffie en appeltaart",
          attachmentId
        })
        const after = yield* Api.account(main.id)
        return [paymentId, [
          `attachment ${attachmentId}, payment ${paymentId}`,
          `balance now ${after.balance} ${after.currency}`
        ], { paymentId, attachmentId, balance: after.balance }] as const
      }))
    )

    yield* step(
      "List payments and events",
      "GET …/payment (newest first, paginated like every bunq list) and GET /user/{id}/event: what happened.",
      provide(Effect.gen(function*() {
        const payments = yield* Api.payments(main.id, 5)
        const events = yield* Api.events(5)
        return [undefined, [
          ...payments.map((p) =>
            `payment ${p.id}  ${p.amount} ${p.currency}  ${p.counterparty ?? ""}  ${p.description}`
          ),
          ...events.map((e) => `event ${e.id}  ${e.action} ${e.object}  ${e.amount ?? ""}`)
        ], { payments: payments.map((p) => p.id), events: events.map((e) => e.id), paymentId: paid }] as const
      }))
    )

    if (options.webhook) {
      yield* step(
        "Receive the payment's callback",
        "bunq POSTed a NotificationUrl body (signed) to the webhook for the MUTATION; it is decoded with " +
          "@effect-bunq/api/Callback.",
        Effect.gen(function*() {
          const first = yield* Effect.timeout(Queue.take(callbacks), "5 seconds")
          const rest = yield* Queue.takeAll(callbacks)
          const all = [first, ...rest]
          return [all, all.map(Webhook.line), { callbacks: all }] as const
        })
      )
    }
  })
