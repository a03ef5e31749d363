/**
 * The money objects as bunq returns them (monetary accounts, payments, requests, tabs, draft payments, events,
 * attachments, notification filters), wrapped by type name. Shapes follow bunq's payloads (see
 * `test/fixtures/money/SOURCE.md`); the fields no client knows yet are only added while `extraFields` is on.
 *
 * @internal
 */
import type {
  AccountRecord,
  AttachmentRecord,
  BatchRecord,
  DraftPaymentRecord,
  EventRecord,
  NotificationFilter,
  Party,
  PaymentRecord,
  RequestInquiryRecord,
  RequestResponseRecord,
  TabRecord
} from "./ledger.js"
import { amountObject, spentToday } from "./ledger.js"
import { avatarObject, displayName, timestamp, uuidFor } from "./objects.js"
import type { Store } from "./state.js"

/** @internal */
export const makeMoneyObjects = (options: { readonly extraFields: boolean; readonly shareOrigin: string }) => {
  const extra = (fields: Record<string, unknown>) => options.extraFields ? fields : {}

  const label = (party: Party): Record<string, unknown> => ({
    iban: party.iban,
    is_light: false,
    display_name: party.displayName,
    avatar: party.userId === undefined ? null : avatarObject(party.userId),
    label_user: {
      uuid: party.userId === undefined ? null : uuidFor(party.userId, 7),
      display_name: party.displayName,
      country: "NL",
      avatar: party.userId === undefined ? null : avatarObject(party.userId),
      public_nick_name: party.displayName.split(" ")[0]
    },
    country: "NL",
    bunq_me: party.email === undefined ? null : { type: "EMAIL", value: party.email, name: party.displayName },
    ...extra({ swift_bic: null, swift_account_number: null, merchant_category_code: null })
  })

  /** An account as bunq returns it at `now` (its `daily_spent` is today's, UTC). */
  const account = (store: Store, record: AccountRecord, now: number): Record<string, unknown> => {
    const user = store.users.get(record.userId)
    const name = user === undefined ? record.description : displayName(user)
    const aliases: Array<Record<string, unknown>> = [{ type: "IBAN", value: record.iban, name }]
    if (record.primary) aliases.push({ type: "EMAIL", value: `sandbox+${record.userId}@bunq-emulator.local`, name })
    const body: Record<string, unknown> = {
      id: record.id,
      created: timestamp(record.created),
      updated: timestamp(record.updated),
      avatar: avatarObject(record.id + 500_000),
      currency: record.currency,
      description: record.description,
      daily_limit: amountObject(record.dailyLimit, record.currency),
      balance: amountObject(record.balance, record.currency),
      alias: aliases,
      public_uuid: uuidFor(record.id, 11),
      status: record.status,
      sub_status: record.subStatus,
      reason: record.reason,
      reason_description: record.reasonDescription,
      user_id: record.userId,
      monetary_account_profile: null,
      setting: { color: "#FE2851", default_avatar_status: "AVATAR_DEFAULT", restriction_chat: "ALLOW_INCOMING" },
      ...(record.type === "MonetaryAccountBank"
        ? { overdraft_limit: amountObject(0, record.currency), display_name: name }
        : {
          savings_goal: record.savingsGoal === null ? null : amountObject(record.savingsGoal, record.currency),
          savings_goal_progress: record.savingsGoal === null || record.savingsGoal === 0
            ? 0
            : Math.min(1, record.balance / record.savingsGoal)
        }),
      ...extra({
        all_auto_save_id: [],
        daily_spent: amountObject(spentToday(record, now), record.currency),
        notification_filters: [],
        fulfillments: null
      })
    }
    return { [record.type]: body }
  }

  const attachmentRefs = (record: PaymentRecord) =>
    record.attachments.map((id) => ({ id, monetary_account_id: record.accountId }))

  const paymentBody = (record: PaymentRecord): Record<string, unknown> => ({
    id: record.id,
    created: timestamp(record.created),
    updated: timestamp(record.created),
    monetary_account_id: record.accountId,
    amount: amountObject(record.amount, record.currency),
    description: record.description,
    type: record.type,
    merchant_reference: null,
    alias: label(record.alias),
    counterparty_alias: label(record.counterparty),
    attachment: attachmentRefs(record),
    geolocation: null,
    batch_id: record.batchId,
    scheduled_id: null,
    address_billing: null,
    address_shipping: null,
    sub_type: record.subType,
    request_reference_split_the_bill: [],
    balance_after_mutation: amountObject(record.balanceAfter, record.currency),
    bunqto_status: null,
    bunqto_sub_status: null,
    bunqto_share_url: null,
    bunqto_expiry: null,
    bunqto_time_responded: null,
    ...extra({
      maturity_date: timestamp(record.created).slice(0, 10),
      allow_chat: true,
      conversation: null,
      payment_auto_allocate_instance: null
    })
  })

  const payment = (record: PaymentRecord) => ({ Payment: paymentBody(record) })

  const batch = (store: Store, record: BatchRecord) => ({
    PaymentBatch: {
      id: record.id,
      payments: {
        Payment: record.paymentIds.map((id) => paymentBody(store.ledger.payments.get(id)!))
      }
    }
  })

  const inquiry = (record: RequestInquiryRecord) => ({
    RequestInquiry: {
      id: record.id,
      created: timestamp(record.created),
      updated: timestamp(record.updated),
      time_responded: record.timeResponded === null ? null : timestamp(record.timeResponded),
      time_expiry: null,
      monetary_account_id: record.accountId,
      amount_inquired: amountObject(record.amount, record.currency),
      amount_responded: record.status === "ACCEPTED" ? amountObject(record.amount, record.currency) : null,
      user_alias_created: label(record.alias),
      user_alias_revoked: null,
      counterparty_alias: label(record.counterparty),
      description: record.description,
      merchant_reference: null,
      attachment: [],
      status: record.status,
      batch_id: null,
      scheduled_id: null,
      minimum_age: null,
      require_address: "NONE",
      bunqme_share_url: null,
      redirect_url: null,
      address_billing: null,
      address_shipping: null,
      geolocation: null,
      ...extra({ allow_chat: true, reference_split_the_bill: null })
    }
  })

  const response = (record: RequestResponseRecord) => ({
    RequestResponse: {
      id: record.id,
      created: timestamp(record.created),
      updated: timestamp(record.updated),
      time_responded: record.timeResponded === null ? null : timestamp(record.timeResponded),
      time_expiry: null,
      monetary_account_id: record.accountId,
      amount_inquired: amountObject(record.amount, record.currency),
      amount_responded: record.status === "ACCEPTED" ? amountObject(record.amount, record.currency) : null,
      status: record.status,
      description: record.description,
      alias: label(record.alias),
      counterparty_alias: label(record.counterparty),
      attachment: [],
      minimum_age: null,
      require_address: "NONE",
      geolocation: null,
      type: "INTERNAL",
      sub_type: "NONE",
      redirect_url: null,
      address_billing: null,
      address_shipping: null,
      event_id: null,
      ...extra({ credit_scheme_identifier: null, mandate_identifier: null, eligible_whitelist_id: null })
    }
  })

  const tab = (store: Store, record: TabRecord) => {
    const owner = store.ledger.accounts.get(record.accountId)
    return {
      BunqMeTab: {
        id: record.id,
        created: timestamp(record.created),
        updated: timestamp(record.updated),
        time_expiry: timestamp(record.created + 60 * 60 * 24 * 1000),
        monetary_account_id: record.accountId,
        status: record.status,
        type: "SINGLE",
        alias_monetary_account: owner === undefined
          ? null
          : label({ iban: owner.iban, displayName: owner.description, userId: owner.userId, email: undefined }),
        bunqme_tab_share_url: `${options.shareOrigin}/t/${record.uuid}`,
        bunqme_tab_entry: {
          uuid: record.uuid,
          amount_inquired: amountObject(record.amount, record.currency),
          description: record.description,
          status: record.status,
          redirect_url: record.redirectUrl,
          merchant_available: [{ merchant_type: "IDEAL", available: true }]
        },
        result_inquiries: [],
        ...extra({ bunqme_tab_entries: [] })
      }
    }
  }

  const draft = (record: DraftPaymentRecord) => ({
    DraftPayment: {
      id: record.id,
      monetary_account_id: record.accountId,
      status: record.status,
      type: "MANUAL",
      entries: record.entries.map((entry, i) => ({
        id: record.id * 100 + i,
        amount: amountObject(entry.amount, entry.currency),
        counterparty_alias: label(entry.counterparty),
        description: entry.description,
        merchant_reference: null,
        type: entry.counterparty.userId === undefined ? "EBA_SCT" : "BUNQ",
        attachment: []
      })),
      responses: [],
      object: record.paymentIds.length === 0 ? null : { PaymentBatch: { payments: { Payment: [] } } },
      schedule: null,
      ...extra({ request_reference_split_the_bill: [] })
    }
  })

  /** What an event points at, as the object it is (for events and callbacks). */
  const eventObject = (store: Store, event: EventRecord): Record<string, unknown> | null => {
    const { ledger } = store
    switch (event.object._tag) {
      case "Payment": {
        const record = ledger.payments.get(event.object.id)
        return record === undefined ? null : payment(record)
      }
      case "RequestInquiry": {
        const record = ledger.inquiries.get(event.object.id)
        return record === undefined ? null : inquiry(record)
      }
      case "RequestResponse": {
        const record = ledger.responses.get(event.object.id)
        return record === undefined ? null : response(record)
      }
      case "BunqMeTab": {
        const record = ledger.tabs.get(event.object.id)
        return record === undefined ? null : tab(store, record)
      }
      case "DraftPayment": {
        const record = ledger.drafts.get(event.object.id)
        return record === undefined ? null : draft(record)
      }
    }
  }

  const event = (store: Store, record: EventRecord) => ({
    Event: {
      id: record.id,
      created: timestamp(record.created),
      updated: timestamp(record.created),
      action: record.action,
      user_id: String(record.userId),
      monetary_account_id: String(record.accountId),
      object: eventObject(store, record),
      status: "FINALIZED",
      ...extra({ is_event_latest_for_object: true })
    }
  })

  const filter = (record: NotificationFilter) => ({
    NotificationFilterUrl: {
      id: record.id,
      created: timestamp(record.created),
      updated: timestamp(record.created),
      category: record.category,
      notification_target: record.target
    }
  })

  const attachmentPublic = (record: AttachmentRecord) => ({
    AttachmentPublic: {
      uuid: record.uuid,
      created: timestamp(record.created),
      updated: timestamp(record.created),
      attachment: { description: record.description, content_type: record.contentType }
    }
  })

  return { account, payment, batch, inquiry, response, tab, draft, event, eventObject, filter, attachmentPublic }
}

/** @internal */
export type MoneyObjects = ReturnType<typeof makeMoneyObjects>
