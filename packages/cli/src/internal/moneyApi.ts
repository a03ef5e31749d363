/**
 * The money calls the CLI and the demo make, on the generated programs of `@effect-bunq/api` (accounts, payments,
 * events, requests, notification filters, the attachment upload).
 *
 * @internal
 */
import * as Attachment from "@effect-bunq/api/Attachment"
import * as Event from "@effect-bunq/api/Event"
import * as MonetaryAccount from "@effect-bunq/api/MonetaryAccount"
import * as NotificationFilterUrl from "@effect-bunq/api/NotificationFilterUrl"
import * as Payment from "@effect-bunq/api/Payment"
import * as RequestInquiry from "@effect-bunq/api/RequestInquiry"
import type * as Schemas from "@effect-bunq/api/Schemas"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { CliError } from "./errors.js"

/** A monetary account as the CLI shows it. @internal */
export interface AccountRow {
  readonly id: number
  readonly type: string
  readonly description: string
  readonly balance: string
  readonly currency: string
  readonly iban: string | null
  readonly status: string
}

/** @internal */
export const accountRow = (listing: Schemas.MonetaryAccountListing): AccountRow | undefined => {
  if (!("value" in listing)) return undefined
  const value = listing.value as {
    readonly id?: number
    readonly description?: string
    readonly balance?: { readonly value?: string; readonly currency?: string }
    readonly currency?: string
    readonly alias?: ReadonlyArray<{ readonly type?: string; readonly value?: string }>
    readonly status?: string
  }
  if (value.id === undefined) return undefined
  return {
    id: value.id,
    type: listing._tag.replace(/^MonetaryAccount/, "").toLowerCase(),
    description: value.description ?? "",
    balance: value.balance?.value ?? "",
    currency: value.balance?.currency ?? value.currency ?? "",
    iban: value.alias?.find((a) => a.type === "IBAN")?.value ?? null,
    status: value.status ?? ""
  }
}

/** Every monetary account of the session's user, oldest first. @internal */
export const accounts = Effect.map(
  Stream.runCollect(MonetaryAccount.list()),
  (all) =>
    Array.from(all).flatMap((listing) => {
      const row = accountRow(listing)
      return row === undefined ? [] : [row]
    }).sort((a, b) => a.id - b.id)
)

/** One account by id; an id that is not the user's is a one-line error naming it. @internal */
export const account = (id: number) =>
  Effect.flatMap(accounts, (all) => {
    const found = all.find((a) => a.id === id)
    return found === undefined
      ? Effect.fail(
        new CliError({ description: `no monetary account ${id} for this user (see \`bunq account list\`)` })
      )
      : Effect.succeed(found)
  })

/** The given account, or the user's first active bank account. @internal */
export const accountOrDefault = (id: number | undefined) =>
  id !== undefined ? account(id) : Effect.flatMap(accounts, (all) => {
    const found = all.find((a) => a.type === "bank" && a.status === "ACTIVE")
    return found === undefined
      ? Effect.fail(new CliError({ description: "this user has no active bank account" }))
      : Effect.succeed(found)
  })

/**
 * An amount as the user typed it: a positive decimal with at most two decimals (`12`, `12.3`, `12.34`), returned as
 * bunq writes it (`"12.34"`). Never a float.
 *
 * @internal
 */
export const parseAmount = (text: string): Effect.Effect<string, CliError> => {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text.trim())
  if (match === null || /^0+(\.0+)?$/.test(text.trim())) {
    return Effect.fail(
      new CliError({
        description: `--amount must be a positive amount with at most two decimals, like 12.34 (got "${text}")`
      })
    )
  }
  return Effect.succeed(`${String(Number(match[1]))}.${(match[2] ?? "").padEnd(2, "0")}`)
}

/** bunq's `Pointer` for an IBAN or an email address. @internal */
export const pointer = (to: string, name: string | undefined) =>
  to.includes("@")
    ? { type: "EMAIL", value: to.trim(), ...(name === undefined ? {} : { name }) }
    : { type: "IBAN", value: to.replace(/\s+/g, "").toUpperCase(), ...(name === undefined ? {} : { name }) }

/** `POST /user/{id}/notification-filter-url`: callbacks of `category` to `target`. @internal */
export const registerCallback = (category: string, target: string) =>
  NotificationFilterUrl.create({ body: { notification_filters: [{ category, notification_target: target }] } })

/**
 * `POST …/attachment`: raw bytes with a description, signed over the bytes; returns the attachment id a payment's
 * `attachment` takes (bunq, its SDKs and the emulator answer an integer; a UUID is an error here). @internal
 */
export const uploadAttachment = (accountId: number, bytes: Uint8Array, contentType: string, description: string) =>
  Effect.flatMap(
    Attachment.upload({ monetaryAccountId: accountId, body: bytes, contentType, description }),
    (id) =>
      typeof id === "number"
        ? Effect.succeed(id)
        : Effect.fail(new CliError({ description: "bunq answered the attachment upload with a UUID, not an id" }))
  )

/** `POST …/payment`: returns the payment id. @internal */
export const createPayment = (input: {
  readonly accountId: number
  readonly amount: string
  readonly currency: string
  readonly to: string
  readonly name?: string | undefined
  readonly description: string
  readonly attachmentId?: number | undefined
}) =>
  Payment.create({
    monetaryAccountId: input.accountId,
    body: {
      amount: { value: input.amount, currency: input.currency },
      counterparty_alias: pointer(input.to, input.name),
      description: input.description,
      ...(input.attachmentId === undefined ? {} : { attachment: [{ id: input.attachmentId }] })
    }
  })

/** `POST …/request-inquiry`: returns the request id. The sandbox's sugar daddy pays at once. @internal */
export const createRequest = (input: {
  readonly accountId: number
  readonly amount: string
  readonly currency: string
  readonly from: string
  readonly description: string
}) =>
  RequestInquiry.create({
    monetaryAccountId: input.accountId,
    body: {
      amount_inquired: { value: input.amount, currency: input.currency },
      counterparty_alias: pointer(input.from, undefined),
      description: input.description,
      allow_bunqme: false
    }
  })

/** A payment as the CLI shows it. @internal */
export const paymentRow = (payment: Schemas.PaymentListing | Schemas.PaymentRead) => ({
  id: payment.id ?? null,
  created: payment.created ?? null,
  amount: payment.amount?.value ?? null,
  currency: payment.amount?.currency ?? null,
  counterparty: payment.counterparty_alias?.display_name ?? null,
  counterpartyIban: payment.counterparty_alias?.iban ?? null,
  description: payment.description ?? "",
  type: payment.type ?? null
})

/** @internal */
export const payments = (accountId: number, limit: number) =>
  Effect.map(
    Stream.runCollect(Stream.take(Payment.list({ monetaryAccountId: accountId, count: Math.min(limit, 200) }), limit)),
    (all) => Array.from(all, paymentRow)
  )

/** @internal */
export const payment = (accountId: number, id: number) =>
  Effect.map(Payment.get({ monetaryAccountId: accountId, id }), paymentRow)

/** An event as the CLI shows it: what happened, to which object, with its amount when it has one. @internal */
export const eventRow = (event: Schemas.EventListing) => {
  const object = event.object
  const type = object === undefined ? undefined : object._tag === "Unknown" ? object.typeName : object._tag
  const body = (object === undefined || !("value" in object) ? {} : object.value) as {
    readonly amount?: { readonly value?: string }
    readonly amount_inquired?: { readonly value?: string }
    readonly description?: string
    readonly status?: string
  }
  return {
    id: event.id ?? null,
    created: event.created ?? null,
    action: event.action ?? null,
    accountId: event.monetary_account_id ?? null,
    object: type ?? null,
    amount: body.amount?.value ?? body.amount_inquired?.value ?? null,
    description: body.description ?? "",
    status: body.status ?? null
  }
}

/** @internal */
export const events = (limit: number) =>
  Effect.map(
    Stream.runCollect(Stream.take(Event.list({ count: Math.min(limit, 200) }), limit)),
    (all) => Array.from(all, eventRow)
  )
