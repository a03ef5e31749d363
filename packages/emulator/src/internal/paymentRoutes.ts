/**
 * Payments: `payment` (create, list, read), `payment-batch` (create, list, read) and `draft-payment` (create, list,
 * read, accept or cancel). Creating a payment or a batch and accepting a draft move money: they need a signature.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { accountParam } from "./accountRoutes.js"
import type { AccountRecord, EventRecord } from "./ledger.js"
import { addEvent, formatAmount } from "./ledger.js"
import * as Messages from "./messages.js"
import { pageOf } from "./pagination.js"
import type { Family } from "./routes.js"
import { route } from "./routes.js"
import type { SessionAuth } from "./security.js"
import type { ApiFailure, Store } from "./state.js"
import { decodeBody, fail, inOneStep, pathId, refuse } from "./state.js"
import type { TransferInput } from "./transfers.js"
import {
  AmountBody,
  bookAll,
  checkAmount,
  PointerBody,
  requireSignature,
  resolvePointer,
  transferAll
} from "./transfers.js"

const PaymentBody = Schema.Struct({
  amount: AmountBody,
  counterparty_alias: PointerBody,
  description: Schema.optionalWith(Schema.String, { default: () => "" }),
  attachment: Schema.optional(Schema.Array(Schema.Struct({ id: Schema.Number })))
})

const BatchBody = Schema.Struct({ payments: Schema.NonEmptyArray(PaymentBody) })

const DraftBody = Schema.Struct({
  entries: Schema.NonEmptyArray(PaymentBody),
  number_of_required_accepts: Schema.optional(Schema.Number)
})

const DraftUpdateBody = Schema.Struct({ status: Schema.Literal("ACCEPTED", "CANCELLED", "REJECTED") })

/**
 * A payment body checked against `account`: amount, counterparty, attachments of this account (an `Either`, for use
 * inside one store step).
 *
 * @internal
 */
export const paymentInput = (
  store: Store,
  account: AccountRecord,
  body: typeof PaymentBody.Type,
  now: number,
  batchId?: number
): Either.Either<TransferInput, ApiFailure> =>
  Either.gen(function*() {
    const amount = yield* checkAmount(body.amount, account)
    const to = yield* resolvePointer(store, body.counterparty_alias)
    if (to.account?.id === account.id) return yield* refuse(400, Messages.sameAccount)
    const attachments = (body.attachment ?? []).map((a) => a.id)
    for (const id of attachments) {
      if (store.ledger.attachments.get(id)?.accountId !== account.id) {
        return yield* refuse(400, Messages.invalidField("attachment"))
      }
    }
    return { now, from: account, to, amount, description: body.description, attachments, batchId }
  })

/** @internal */
export const paymentRoutes: Family = (parts) => {
  const { basePath } = parts.env
  const { endpoint, moneyAuth, sessionAuth } = parts.security
  const { notify, objects } = parts
  const base = "/user/:userId/monetary-account/:accountId"
  const listPath = (account: AccountRecord, name: string) =>
    `${basePath}/user/${account.userId}/monetary-account/${account.id}/${name}`

  const createPayment = endpoint("POST", "/payment", moneyAuth, (auth, state) =>
    Effect.gen(function*() {
      const [account] = yield* accountParam(parts, auth, "accountId")
      const body = yield* decodeBody(PaymentBody, state)
      const { debits, events } = yield* transferAll(
        parts.env,
        account,
        state.now,
        (store) => Either.map(paymentInput(store, account, body, state.now), (input) => [input])
      )
      yield* notify(events)
      return { items: [{ Id: { id: debits[0].id } }] }
    }))

  const listPayments = endpoint("GET", "/payment", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const [account, store] = yield* accountParam(parts, auth, "accountId")
      const ids = store.ledger.paymentsByAccount.get(account.id) ?? []
      const page = yield* pageOf(ids, state.searchParams, listPath(account, "payment"))
      return {
        items: page.ids.map((id) => objects.payment(store.ledger.payments.get(id)!)),
        pagination: page.pagination,
        escapeSlashes: true,
        charset: true
      }
    }))

  const readPayment = endpoint("GET", "/payment/{id}", sessionAuth, (auth) =>
    Effect.gen(function*() {
      const [account, store] = yield* accountParam(parts, auth, "accountId")
      const id = yield* pathId("Payment", "Betaling")
      const payment = store.ledger.payments.get(id)
      if (payment === undefined || payment.accountId !== account.id) {
        return yield* fail(404, Messages.notFound("Payment", "Betaling", String(id)))
      }
      return { items: [objects.payment(payment)], escapeSlashes: true }
    }))

  /** Check and book `entries` as one batch (whole or not at all); for use inside one store step. */
  const bookBatch = (
    store: Store,
    account: AccountRecord,
    now: number,
    entries: ReadonlyArray<typeof PaymentBody.Type>
  ) =>
    Either.gen(function*() {
      const batchId = store.ledger.nextBatchId
      const inputs = yield* Either.all(entries.map((entry) => paymentInput(store, account, entry, now, batchId)))
      const { debits, events } = yield* bookAll(store, account, now, inputs)
      store.ledger.nextBatchId++
      store.ledger.batches.set(batchId, { id: batchId, accountId: account.id, paymentIds: debits.map((d) => d.id) })
      return { batchId, debits, events }
    })

  const createBatch = endpoint("POST", "/payment-batch", moneyAuth, (auth, state) =>
    Effect.gen(function*() {
      const [account] = yield* accountParam(parts, auth, "accountId")
      const body = yield* decodeBody(BatchBody, state)
      const { batchId, events } = yield* inOneStep(parts.env, (store) =>
        bookBatch(store, account, state.now, body.payments))
      yield* notify(events)
      return { items: [{ Id: { id: batchId } }] }
    }))

  const listBatches = endpoint("GET", "/payment-batch", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const [account, store] = yield* accountParam(parts, auth, "accountId")
      const ids = [...store.ledger.batches.values()].filter((b) => b.accountId === account.id).map((b) => b.id)
      const page = yield* pageOf(ids, state.searchParams, listPath(account, "payment-batch"))
      return {
        items: page.ids.map((id) => objects.batch(store, store.ledger.batches.get(id)!)),
        pagination: page.pagination,
        charset: true
      }
    }))

  const readBatch = endpoint("GET", "/payment-batch/{id}", sessionAuth, (auth) =>
    Effect.gen(function*() {
      const [account, store] = yield* accountParam(parts, auth, "accountId")
      const id = yield* pathId("PaymentBatch", "Batchbetaling")
      const batch = store.ledger.batches.get(id)
      if (batch === undefined || batch.accountId !== account.id) {
        return yield* fail(404, Messages.notFound("PaymentBatch", "Batchbetaling", String(id)))
      }
      return { items: [objects.batch(store, batch)] }
    }))

  const createDraft = endpoint("POST", "/draft-payment", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const [account] = yield* accountParam(parts, auth, "accountId")
      const body = yield* decodeBody(DraftBody, state)
      const { draft, event } = yield* inOneStep(parts.env, (store) =>
        Either.map(
          Either.all(body.entries.map((p) => paymentInput(store, account, p, state.now))),
          (inputs) => {
            const draft = {
              id: store.ledger.nextDraftId++,
              accountId: account.id,
              created: state.now,
              updated: state.now,
              status: "PENDING" as const,
              paymentIds: [],
              entries: inputs.map((input, i) => ({
                pointer: body.entries[i].counterparty_alias,
                amount: input.amount,
                currency: account.currency,
                counterparty: input.to.party,
                description: input.description
              }))
            }
            store.ledger.drafts.set(draft.id, draft)
            const event = addEvent(store, {
              userId: account.userId,
              accountId: account.id,
              created: state.now,
              action: "CREATE",
              object: { _tag: "DraftPayment", id: draft.id },
              categories: [["DRAFT_PAYMENT", "DRAFT_PAYMENT_CREATED"]]
            })
            return { draft, event }
          }
        ))
      yield* notify([event])
      return { items: [{ Id: { id: draft.id } }] }
    }))

  const draftParam = Effect.fnUntraced(function*(auth: SessionAuth) {
    const [account, store] = yield* accountParam(parts, auth, "accountId")
    const id = yield* pathId("DraftPayment", "Conceptbetaling")
    const draft = store.ledger.drafts.get(id)
    if (draft === undefined || draft.accountId !== account.id) {
      return yield* fail(404, Messages.notFound("DraftPayment", "Conceptbetaling", String(id)))
    }
    return [account, store, draft] as const
  })

  const listDrafts = endpoint("GET", "/draft-payment", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const [account, store] = yield* accountParam(parts, auth, "accountId")
      const ids = [...store.ledger.drafts.values()].filter((d) => d.accountId === account.id).map((d) => d.id)
      const page = yield* pageOf(ids, state.searchParams, listPath(account, "draft-payment"))
      return {
        items: page.ids.map((id) => objects.draft(store.ledger.drafts.get(id)!)),
        pagination: page.pagination,
        charset: true
      }
    }))

  const readDraft = endpoint(
    "GET",
    "/draft-payment/{id}",
    sessionAuth,
    (auth) => Effect.map(draftParam(auth), ([, , draft]) => ({ items: [objects.draft(draft)] }))
  )

  const updateDraft = endpoint("PUT", "/draft-payment/{id}", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const [account, , draft] = yield* draftParam(auth)
      const body = yield* decodeBody(DraftUpdateBody, state)
      if (body.status === "ACCEPTED") yield* requireSignature(state)
      // The status check, the payments and the status change in one step: two accepts never both pay.
      const events = yield* inOneStep(parts.env, (store) =>
        Either.gen(function*() {
          if (draft.status !== "PENDING") {
            return yield* refuse(400, Messages.invalidStatusChange(draft.status, body.status))
          }
          const events: Array<EventRecord> = []
          if (body.status === "ACCEPTED") {
            const entries = draft.entries.map((entry) => ({
              amount: { value: formatAmount(entry.amount), currency: entry.currency },
              counterparty_alias: entry.pointer,
              description: entry.description
            }))
            const booked = yield* bookBatch(store, account, state.now, entries)
            draft.paymentIds = booked.debits.map((d) => d.id)
            events.push(...booked.events)
          }
          draft.status = body.status
          draft.updated = state.now
          events.push(addEvent(store, {
            userId: account.userId,
            accountId: account.id,
            created: state.now,
            action: "UPDATE",
            object: { _tag: "DraftPayment", id: draft.id },
            categories: [["DRAFT_PAYMENT", `DRAFT_PAYMENT_${body.status}`]]
          }))
          return events
        }))
      yield* notify(events)
      return { items: [{ Id: { id: draft.id } }] }
    }))

  return [
    route("POST", `${base}/payment`, createPayment),
    route("GET", `${base}/payment`, listPayments),
    route("GET", `${base}/payment/:id`, readPayment),
    route("POST", `${base}/payment-batch`, createBatch),
    route("GET", `${base}/payment-batch`, listBatches),
    route("GET", `${base}/payment-batch/:id`, readBatch),
    route("POST", `${base}/draft-payment`, createDraft),
    route("GET", `${base}/draft-payment`, listDrafts),
    route("GET", `${base}/draft-payment/:id`, readDraft),
    route("PUT", `${base}/draft-payment/:id`, updateDraft)
  ]
}
