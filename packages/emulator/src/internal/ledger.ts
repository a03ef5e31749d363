/**
 * The emulator's money: monetary accounts, payments, requests, tabs, attachments and events as records, and the
 * operations on them (open an account, move money between two parties). Amounts are whole cents (`number`, exact:
 * bunq's amounts have two decimals and stay far below 2^53 cents), parsed from and printed to bunq's decimal strings
 * without floating point.
 *
 * @internal
 */
import type { Store } from "./state.js"

/** @internal */
export type AccountType = "MonetaryAccountBank" | "MonetaryAccountSavings"

/** @internal */
export interface AccountRecord {
  readonly id: number
  readonly type: AccountType
  readonly userId: number
  readonly created: number
  updated: number
  description: string
  readonly currency: string
  balance: number
  /** What may leave the account in one UTC day, in cents (bunq's `daily_limit`). */
  dailyLimit: number
  /** The UTC day (days since 1970-01-01, see `utcDay`) `spentToday` is for. */
  spentDay: number
  /** Cents that left the account on `spentDay`; read it with `spentToday`, which knows when the day is over. */
  spentToday: number
  readonly iban: string
  /** The user's email alias is on their first bank account: payments to the email land there. */
  readonly primary: boolean
  status: "ACTIVE" | "CANCELLED"
  subStatus: string
  reason: string | null
  reasonDescription: string | null
  savingsGoal: number | null
}

/** One side of a payment, as bunq's `LabelMonetaryAccount`. @internal */
export interface Party {
  readonly iban: string | null
  readonly displayName: string
  readonly userId: number | undefined
  readonly email: string | undefined
}

/** @internal */
export interface PaymentRecord {
  readonly id: number
  readonly accountId: number
  readonly created: number
  /** Signed cents: negative leaves the account. */
  readonly amount: number
  readonly currency: string
  readonly description: string
  readonly alias: Party
  readonly counterparty: Party
  readonly type: "BUNQ" | "EBA_SCT"
  readonly subType: "PAYMENT" | "REQUEST"
  readonly batchId: number | null
  readonly attachments: ReadonlyArray<number>
  readonly balanceAfter: number
}

/** What every object asking for an amount on an account has: requests, their responses, bunq.me tabs. */
interface AmountRecord {
  readonly id: number
  readonly accountId: number
  readonly created: number
  updated: number
  readonly amount: number
  readonly currency: string
  readonly description: string
}

/** What a request (`RequestInquiry`, the requester's side) and its `RequestResponse` (the payer's side) share. */
interface RequestSide extends AmountRecord {
  /** This side's account. */
  readonly alias: Party
  /** The other side's account. */
  readonly counterparty: Party
  status: "PENDING" | "ACCEPTED" | "REJECTED" | "REVOKED"
  timeResponded: number | null
}

/** @internal */
export interface RequestInquiryRecord extends RequestSide {
  responseId: number | null
}

/** @internal */
export interface RequestResponseRecord extends RequestSide {
  readonly inquiryId: number
}

/** @internal */
export interface DraftEntry {
  /** The counterparty as given: resolved again when the draft is accepted. */
  readonly pointer: {
    readonly type: "IBAN" | "EMAIL" | "PHONE_NUMBER"
    readonly value: string
    readonly name?: string | undefined
  }
  readonly amount: number
  readonly currency: string
  readonly counterparty: Party
  readonly description: string
}

/** @internal */
export interface DraftPaymentRecord {
  readonly id: number
  readonly accountId: number
  readonly created: number
  updated: number
  readonly entries: ReadonlyArray<DraftEntry>
  status: "PENDING" | "ACCEPTED" | "REJECTED" | "CANCELLED"
  paymentIds: ReadonlyArray<number>
}

/** @internal */
export interface BatchRecord {
  readonly id: number
  readonly accountId: number
  readonly paymentIds: ReadonlyArray<number>
}

/** @internal */
export interface TabRecord extends AmountRecord {
  readonly uuid: string
  readonly redirectUrl: string | null
  status: "WAITING_FOR_PAYMENT" | "CANCELLED" | "EXPIRED"
}

/** @internal */
export interface AttachmentRecord {
  readonly id: number
  readonly uuid: string
  /** The account it was uploaded to, or `undefined` for a public attachment. */
  readonly accountId: number | undefined
  readonly userId: number
  readonly created: number
  readonly contentType: string
  readonly description: string
  readonly bytes: Uint8Array
}

/** The objects an event can point at. @internal */
export type EventObject =
  | { readonly _tag: "Payment"; readonly id: number }
  | { readonly _tag: "RequestInquiry"; readonly id: number }
  | { readonly _tag: "RequestResponse"; readonly id: number }
  | { readonly _tag: "BunqMeTab"; readonly id: number }
  | { readonly _tag: "DraftPayment"; readonly id: number }

/** @internal */
export interface EventRecord {
  readonly id: number
  readonly userId: number
  readonly accountId: number
  readonly created: number
  readonly action: "CREATE" | "UPDATE"
  readonly object: EventObject
  /** bunq's callback categories of this event, each with its event type (`["MUTATION", "MUTATION_CREATED"]`). */
  readonly categories: ReadonlyArray<readonly [category: string, eventType: string]>
}

/** @internal */
export interface NotificationFilter {
  readonly id: number
  readonly created: number
  readonly userId: number
  /** Set for a monetary-account filter. */
  readonly accountId: number | undefined
  readonly category: string
  readonly target: string
}

/** @internal */
export class Ledger {
  nextAccountId = 101
  nextPaymentId = 50001
  nextRequestId = 8001
  nextResponseId = 9001
  nextDraftId = 4001
  nextBatchId = 6001
  nextTabId = 7001
  nextAttachmentId = 2001
  nextEventId = 90001
  nextFilterId = 301
  readonly accounts = new Map<number, AccountRecord>()
  readonly accountsByIban = new Map<string, AccountRecord>()
  readonly accountsByUser = new Map<number, Array<number>>()
  readonly payments = new Map<number, PaymentRecord>()
  /** Payment ids per account, ascending. */
  readonly paymentsByAccount = new Map<number, Array<number>>()
  readonly inquiries = new Map<number, RequestInquiryRecord>()
  readonly responses = new Map<number, RequestResponseRecord>()
  readonly drafts = new Map<number, DraftPaymentRecord>()
  readonly batches = new Map<number, BatchRecord>()
  readonly tabs = new Map<number, TabRecord>()
  readonly attachments = new Map<number, AttachmentRecord>()
  readonly attachmentsByUuid = new Map<string, AttachmentRecord>()
  readonly events = new Map<number, EventRecord>()
  /** Event ids per user, ascending. */
  readonly eventsByUser = new Map<number, Array<number>>()
  readonly filters: Array<NotificationFilter> = []
}

/** The sandbox's sugar daddy: a request to this email alias is paid at once, up to `sugarDaddyLimit`. @internal */
export const sugarDaddyEmail = "sugardaddy@bunq.com"
/** @internal */
export const sugarDaddyLimit = 50000
/** @internal */
export const sugarDaddy: Party = {
  iban: "NL65BUNQ9900000188",
  displayName: "Sugar Daddy",
  userId: undefined,
  email: sugarDaddyEmail
}

const amountPattern = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/

/** bunq's decimal string (`"12.34"`, at most two decimals, positive) as cents, or `undefined`. @internal */
export const parseAmount = (value: unknown): number | undefined => {
  if (typeof value !== "string") return undefined
  const match = amountPattern.exec(value)
  if (match === null) return undefined
  const cents = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"))
  return cents > 0 ? cents : undefined
}

/** Cents as bunq's decimal string, e.g. `-1234` → `"-12.34"`. @internal */
export const formatAmount = (cents: number): string => {
  const sign = cents < 0 ? "-" : ""
  const abs = Math.abs(cents)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`
}

/** @internal */
export const amountObject = (cents: number, currency: string) => ({ value: formatAmount(cents), currency })

/** ISO 13616 check digits (mod 97) for a Dutch IBAN with bank code `BUNQ` and a 10-digit account number. @internal */
export const makeIban = (accountNumber: number): string => {
  const bban = `BUNQ${String(accountNumber).padStart(10, "0")}`
  const digits = `${bban}NL00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
  let remainder = 0
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97
  return `NL${String(98 - remainder).padStart(2, "0")}${bban}`
}

/** A syntactically valid IBAN (country, check digits, 11–30 alphanumerics) whose mod-97 check holds. @internal */
export const isValidIban = (value: string): boolean => {
  const iban = value.replace(/\s+/g, "").toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false
  const digits = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
  let remainder = 0
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97
  return remainder === 1
}

const dayMillis = 24 * 60 * 60 * 1000

/** The UTC day of a `Clock` time: days since 1970-01-01. @internal */
export const utcDay = (millis: number): number => Math.floor(millis / dayMillis)

/** The cents that left `account` on the UTC day of `now` (bunq's `daily_spent`). @internal */
export const spentToday = (account: AccountRecord, now: number): number =>
  account.spentDay === utcDay(now) ? account.spentToday : 0

/** Count `cents` leaving `account` at `now` against its daily limit. @internal */
export const recordSpending = (account: AccountRecord, now: number, cents: number): void => {
  account.spentToday = spentToday(account, now) + cents
  account.spentDay = utcDay(now)
}

/** @internal */
export const emailAlias = (userId: number): string => `sandbox+${userId}@bunq-emulator.local`

/** @internal */
export const openAccount = (
  store: Store,
  fields: {
    readonly type: AccountType
    readonly userId: number
    readonly now: number
    readonly description: string
    readonly currency: string
    readonly savingsGoal?: number | null | undefined
    readonly dailyLimit?: number | undefined
  }
): AccountRecord => {
  const ledger = store.ledger
  const id = ledger.nextAccountId++
  const owned = ledger.accountsByUser.get(fields.userId) ?? []
  const account: AccountRecord = {
    id,
    type: fields.type,
    userId: fields.userId,
    created: fields.now,
    updated: fields.now,
    description: fields.description,
    currency: fields.currency,
    balance: 0,
    dailyLimit: fields.dailyLimit ?? 100000,
    spentDay: utcDay(fields.now),
    spentToday: 0,
    iban: makeIban(2000000000 + id),
    primary: fields.type === "MonetaryAccountBank" &&
      !owned.some((other) => ledger.accounts.get(other)?.type === "MonetaryAccountBank"),
    status: "ACTIVE",
    subStatus: "NONE",
    reason: null,
    reasonDescription: null,
    savingsGoal: fields.savingsGoal ?? null
  }
  ledger.accounts.set(id, account)
  ledger.accountsByIban.set(account.iban, account)
  owned.push(id)
  ledger.accountsByUser.set(fields.userId, owned)
  return account
}

/** The account a payment to a user's email alias lands on: their first active bank account. @internal */
export const accountForEmail = (store: Store, email: string): AccountRecord | undefined => {
  const match = /^sandbox\+(\d+)@bunq-emulator\.local$/i.exec(email.trim())
  if (match === null) return undefined
  return firstActiveBankAccount(store, Number(match[1]))
}

/** @internal */
export const firstActiveBankAccount = (store: Store, userId: number): AccountRecord | undefined => {
  for (const id of store.ledger.accountsByUser.get(userId) ?? []) {
    const account = store.ledger.accounts.get(id)
    if (account !== undefined && account.type === "MonetaryAccountBank" && account.status === "ACTIVE") return account
  }
  return undefined
}

/** Record a payment on one account (one side) and move its balance. @internal */
export const book = (
  store: Store,
  account: AccountRecord,
  fields: Omit<PaymentRecord, "id" | "accountId" | "balanceAfter" | "currency">
): PaymentRecord => {
  const ledger = store.ledger
  account.balance += fields.amount
  account.updated = fields.created
  const payment: PaymentRecord = {
    ...fields,
    id: ledger.nextPaymentId++,
    accountId: account.id,
    currency: account.currency,
    balanceAfter: account.balance
  }
  ledger.payments.set(payment.id, payment)
  const list = ledger.paymentsByAccount.get(account.id) ?? []
  list.push(payment.id)
  ledger.paymentsByAccount.set(account.id, list)
  return payment
}

/** @internal */
export const addEvent = (store: Store, fields: Omit<EventRecord, "id">): EventRecord => {
  const ledger = store.ledger
  const event: EventRecord = { ...fields, id: ledger.nextEventId++ }
  ledger.events.set(event.id, event)
  const list = ledger.eventsByUser.get(event.userId) ?? []
  list.push(event.id)
  ledger.eventsByUser.set(event.userId, list)
  return event
}
