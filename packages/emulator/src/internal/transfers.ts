/**
 * Moving money: the request-body pieces every money endpoint shares (amount, counterparty pointer), resolving a
 * pointer to an emulator account or an outside IBAN, and a transfer that books both sides and records the events.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { AccountRecord, EventRecord, Party, PaymentRecord } from "./ledger.js"
import {
  accountForEmail,
  addEvent,
  book,
  emailAlias,
  isValidIban,
  parseAmount,
  recordSpending,
  spentToday,
  sugarDaddy,
  sugarDaddyEmail
} from "./ledger.js"
import * as Messages from "./messages.js"
import { displayName } from "./objects.js"
import type { ApiFailure, Env, RequestState, Store } from "./state.js"
import { fail, inOneStep, refuse } from "./state.js"

/** bunq's `Amount` in a request body. @internal */
export const AmountBody = Schema.Struct({ value: Schema.String, currency: Schema.String })

/** bunq's `Pointer` (`counterparty_alias`) in a request body. @internal */
export const PointerBody = Schema.Struct({
  type: Schema.Literal("IBAN", "EMAIL", "PHONE_NUMBER"),
  value: Schema.String,
  name: Schema.optional(Schema.String)
})

/** @internal */
export type PointerBody = typeof PointerBody.Type

/**
 * An amount for `account` in cents: positive, at most two decimals, in the account's currency. (An `Either`, like the
 * other checks here: usable inside one store step, and as an `Effect` anywhere else.)
 *
 * @internal
 */
export const checkAmount = (
  amount: typeof AmountBody.Type,
  account: AccountRecord
): Either.Either<number, ApiFailure> => {
  const cents = parseAmount(amount.value)
  if (cents === undefined) return refuse(400, Messages.invalidAmount(amount.value))
  if (amount.currency !== account.currency) {
    return refuse(400, Messages.currencyMismatch(amount.currency, account.currency))
  }
  return Either.right(cents)
}

/** The label of an emulator account's side. @internal */
export const partyOf = (store: Store, account: AccountRecord): Party => {
  const user = store.users.get(account.userId)
  return {
    iban: account.iban,
    displayName: user === undefined ? account.description : displayName(user),
    userId: account.userId,
    email: account.primary ? emailAlias(account.userId) : undefined
  }
}

/** @internal */
export interface Counterparty {
  readonly party: Party
  /** The emulator account on the other side; `undefined` for an IBAN outside the emulator (the money leaves). */
  readonly account: AccountRecord | undefined
}

/** An IBAN as the ledger keys it: no spaces, upper case. @internal */
export const normalizeIban = (value: string): string => value.replace(/\s+/g, "").toUpperCase()

/**
 * Resolve a pointer to an account of the emulator, or an outside IBAN (money to it leaves the emulator; a name is
 * required). `purpose: "request"` refuses outside IBANs: a request can only go to a bunq user.
 *
 * @internal
 */
export const resolvePointer = (
  store: Store,
  pointer: PointerBody,
  purpose: "payment" | "request" = "payment"
): Either.Either<Counterparty, ApiFailure> => {
  if (pointer.type === "IBAN") {
    const iban = normalizeIban(pointer.value)
    const account = store.ledger.accountsByIban.get(iban)
    if (account !== undefined) {
      if (account.status !== "ACTIVE") return refuse(400, Messages.accountNotActive)
      return Either.right({ party: partyOf(store, account), account })
    }
    if (!isValidIban(iban)) return refuse(400, Messages.invalidIban(pointer.value))
    if (purpose === "request") return refuse(400, Messages.requestOutsideBunq(pointer.value))
    if (pointer.name === undefined || pointer.name.trim().length === 0) return refuse(400, Messages.nameRequired)
    return Either.right({
      party: { iban, displayName: pointer.name, userId: undefined, email: undefined },
      account: undefined
    })
  }
  if (pointer.type === "EMAIL" && pointer.value.trim().toLowerCase() === sugarDaddyEmail) {
    return Either.right({ party: sugarDaddy, account: undefined })
  }
  const account = pointer.type === "EMAIL" ? accountForEmail(store, pointer.value) : undefined
  if (account === undefined) return refuse(400, Messages.unknownAlias(pointer.type, pointer.value))
  return Either.right({ party: partyOf(store, account), account })
}

/** @internal */
export interface TransferInput {
  readonly now: number
  readonly from: AccountRecord
  readonly to: Counterparty
  readonly amount: number
  readonly description: string
  readonly subType?: "PAYMENT" | "REQUEST" | undefined
  readonly batchId?: number | undefined
  readonly attachments?: ReadonlyArray<number> | undefined
}

const paymentCategories = (amount: number) =>
  [["MUTATION", "MUTATION_CREATED"], ["PAYMENT", amount < 0 ? "PAYMENT_CREATED" : "PAYMENT_RECEIVED"]] as const

/**
 * Book a transfer whose funds and daily limit were checked: the debit on `from` (counted against its daily limit),
 * the credit on the counterparty's account when it is one of the emulator's, an event for each side. Returns the
 * debit and the events (for callbacks).
 *
 * @internal
 */
export const transfer = (
  store: Store,
  input: TransferInput
): { readonly debit: PaymentRecord; readonly events: ReadonlyArray<EventRecord> } => {
  const { from, now, to } = input
  const common = {
    created: now,
    description: input.description,
    type: to.account === undefined ? "EBA_SCT" as const : "BUNQ" as const,
    subType: input.subType ?? "PAYMENT",
    batchId: input.batchId ?? null,
    attachments: input.attachments ?? []
  }
  const self = partyOf(store, from)
  recordSpending(from, now, input.amount)
  const debit = book(store, from, { ...common, amount: -input.amount, alias: self, counterparty: to.party })
  const events: Array<EventRecord> = [addEvent(store, {
    userId: from.userId,
    accountId: from.id,
    created: now,
    action: "CREATE",
    object: { _tag: "Payment", id: debit.id },
    categories: paymentCategories(-input.amount)
  })]
  if (to.account !== undefined) {
    const credit = book(store, to.account, {
      ...common,
      attachments: [],
      amount: input.amount,
      alias: to.party,
      counterparty: self
    })
    events.push(addEvent(store, {
      userId: to.account.userId,
      accountId: to.account.id,
      created: now,
      action: "CREATE",
      object: { _tag: "Payment", id: credit.id },
      categories: paymentCategories(input.amount)
    }))
  }
  return { debit, events }
}

/** Money in from outside the emulator (the sugar daddy): one credit, one event. @internal */
export const receive = (
  store: Store,
  input: {
    readonly now: number
    readonly to: AccountRecord
    readonly from: Party
    readonly amount: number
    readonly description: string
  }
): { readonly credit: PaymentRecord; readonly events: ReadonlyArray<EventRecord> } => {
  const credit = book(store, input.to, {
    created: input.now,
    description: input.description,
    type: "BUNQ",
    subType: "REQUEST",
    batchId: null,
    attachments: [],
    amount: input.amount,
    alias: partyOf(store, input.to),
    counterparty: input.from
  })
  const event = addEvent(store, {
    userId: input.to.userId,
    accountId: input.to.id,
    created: input.now,
    action: "CREATE",
    object: { _tag: "Payment", id: credit.id },
    categories: paymentCategories(input.amount)
  })
  return { credit, events: [event] }
}

/** @internal */
export interface Booked {
  readonly debits: ReadonlyArray<PaymentRecord>
  readonly events: ReadonlyArray<EventRecord>
}

/**
 * Check the account, its funds and its daily limit, then book: for use inside one store step (`inOneStep`), so that
 * no other request moves the balance or the day's spending in between. What all `inputs` take from `from` together
 * is checked (a batch is booked whole or not at all).
 *
 * @internal
 */
export const bookAll = (
  store: Store,
  from: AccountRecord,
  now: number,
  inputs: ReadonlyArray<TransferInput>
): Either.Either<Booked, ApiFailure> => {
  const total = inputs.reduce((sum, input) => sum + input.amount, 0)
  if (from.status !== "ACTIVE") return refuse(400, Messages.accountNotActive)
  if (from.balance < total) return refuse(400, Messages.insufficientBalance)
  const spent = spentToday(from, now)
  if (spent + total > from.dailyLimit) {
    return refuse(400, Messages.dailyLimitExceeded(from.dailyLimit, spent, from.currency))
  }
  const debits: Array<PaymentRecord> = []
  const events: Array<EventRecord> = []
  for (const input of inputs) {
    const done = transfer(store, input)
    debits.push(done.debit)
    events.push(...done.events)
  }
  return Either.right({ debits, events })
}

/**
 * Prepare the transfers from the store (resolve counterparties, check amounts), check and book them, in one step
 * (see `bookAll`).
 *
 * @internal
 */
export const transferAll = (
  env: Pick<Env, "withStore">,
  from: AccountRecord,
  now: number,
  prepare: (store: Store) => Either.Either<ReadonlyArray<TransferInput>, ApiFailure>
): Effect.Effect<Booked, ApiFailure> =>
  inOneStep(env, (store) => Either.flatMap(prepare(store), (inputs) => bookAll(store, from, now, inputs)))

/** A signature is required here (a call that moves money): 466 unless the request's signature verified. @internal */
export const requireSignature = (state: RequestState): Effect.Effect<void, ApiFailure> => {
  if (state.signature === "verified") return Effect.void
  state.signature = "missing"
  return fail(466, Messages.signatureRequired)
}
