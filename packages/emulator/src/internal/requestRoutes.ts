/**
 * Requests and tabs: `request-inquiry` (create, list, read, revoke; a request to `sugardaddy@bunq.com` of at most
 * 500.00 EUR is paid at once, as in bunq's sandbox), `request-response` (list, read, accept or reject; accepting
 * pays and needs a signature) and `bunqme-tab` (create, list, read, cancel).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { accountParam } from "./accountRoutes.js"
import type { EventRecord, RequestInquiryRecord, RequestResponseRecord, TabRecord } from "./ledger.js"
import { addEvent, sugarDaddy, sugarDaddyLimit } from "./ledger.js"
import * as Messages from "./messages.js"
import { uuidFor } from "./objects.js"
import { pageOf } from "./pagination.js"
import type { Family } from "./routes.js"
import { route } from "./routes.js"
import type { Store } from "./state.js"
import { decodeBody, fail, inOneStep, pathId, refuse } from "./state.js"
import {
  AmountBody,
  bookAll,
  checkAmount,
  partyOf,
  PointerBody,
  receive,
  requireSignature,
  resolvePointer
} from "./transfers.js"

const InquiryBody = Schema.Struct({
  amount_inquired: AmountBody,
  counterparty_alias: PointerBody,
  description: Schema.optionalWith(Schema.String, { default: () => "" }),
  allow_bunqme: Schema.optional(Schema.Boolean)
})

const InquiryUpdateBody = Schema.Struct({ status: Schema.Literal("REVOKED") })
const ResponseUpdateBody = Schema.Struct({ status: Schema.Literal("ACCEPTED", "REJECTED") })
const TabBody = Schema.Struct({
  bunqme_tab_entry: Schema.Struct({
    amount_inquired: AmountBody,
    description: Schema.optionalWith(Schema.String, { default: () => "" }),
    redirect_url: Schema.optional(Schema.String)
  })
})
const TabUpdateBody = Schema.Struct({ status: Schema.Literal("CANCELLED") })

/** @internal */
export const requestRoutes: Family = (parts) => {
  const { basePath, withStore } = parts.env
  const { endpoint, sessionAuth } = parts.security
  const { notify, objects } = parts
  const base = "/user/:userId/monetary-account/:accountId"
  const listPath = (userId: number, accountId: number, name: string) =>
    `${basePath}/user/${userId}/monetary-account/${accountId}/${name}`

  /** A `REQUEST` event, added inside a store step. */
  const requestEvent = (
    store: Store,
    userId: number,
    accountId: number,
    now: number,
    object: EventRecord["object"],
    action: EventRecord["action"],
    eventType: string
  ) => addEvent(store, { userId, accountId, created: now, action, object, categories: [["REQUEST", eventType]] })

  const createInquiry = endpoint("POST", "/request-inquiry", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const [account] = yield* accountParam(parts, auth, "accountId")
      const body = yield* decodeBody(InquiryBody, state)
      const { events, id } = yield* inOneStep(parts.env, (store) =>
        Either.gen(function*() {
          const amount = yield* checkAmount(body.amount_inquired, account)
          const to = yield* resolvePointer(store, body.counterparty_alias, "request")
          if (to.party !== sugarDaddy && to.account === undefined) {
            return yield* refuse(
              400,
              Messages.unknownAlias(body.counterparty_alias.type, body.counterparty_alias.value)
            )
          }
          if (to.account?.id === account.id) return yield* refuse(400, Messages.sameAccount)
          if (to.party === sugarDaddy && amount > sugarDaddyLimit) return yield* refuse(400, Messages.sugarDaddyLimit)
          if (account.status !== "ACTIVE") return yield* refuse(400, Messages.accountNotActive)
          const inquiry: RequestInquiryRecord = {
            id: store.ledger.nextRequestId++,
            accountId: account.id,
            created: state.now,
            updated: state.now,
            amount,
            currency: account.currency,
            description: body.description,
            alias: partyOf(store, account),
            counterparty: to.party,
            status: "PENDING",
            timeResponded: null,
            responseId: null
          }
          store.ledger.inquiries.set(inquiry.id, inquiry)
          // the requester's event about this inquiry
          const inquiryEvent = (eventType: string) =>
            requestEvent(
              store,
              account.userId,
              account.id,
              state.now,
              { _tag: "RequestInquiry", id: inquiry.id },
              "CREATE",
              eventType
            )
          if (to.account === undefined) {
            // The sandbox's sugar daddy pays at once.
            inquiry.status = "ACCEPTED"
            inquiry.timeResponded = state.now
            const paid = receive(store, {
              now: state.now,
              to: account,
              from: to.party,
              amount,
              description: body.description
            })
            return {
              id: inquiry.id,
              events: [
                ...paid.events,
                inquiryEvent("REQUEST_INQUIRY_ACCEPTED")
              ]
            }
          }
          const response: RequestResponseRecord = {
            id: store.ledger.nextResponseId++,
            accountId: to.account.id,
            created: state.now,
            updated: state.now,
            amount,
            currency: account.currency,
            description: body.description,
            alias: to.party,
            counterparty: inquiry.alias,
            inquiryId: inquiry.id,
            status: "PENDING",
            timeResponded: null
          }
          store.ledger.responses.set(response.id, response)
          inquiry.responseId = response.id
          return {
            id: inquiry.id,
            events: [
              inquiryEvent("REQUEST_INQUIRY_CREATED"),
              requestEvent(
                store,
                to.account.userId,
                to.account.id,
                state.now,
                { _tag: "RequestResponse", id: response.id },
                "CREATE",
                "REQUEST_RESPONSE_CREATED"
              )
            ]
          }
        }))
      yield* notify(events)
      return { items: [{ Id: { id } }] }
    }))

  const list = <A extends { readonly id: number; readonly accountId: number }>(
    name: string,
    records: (store: Store) => Iterable<A>,
    render: (record: A, store: Store) => unknown
  ) =>
    endpoint("GET", `/${name}`, sessionAuth, (auth, state) =>
      Effect.gen(function*() {
        const [account, store] = yield* accountParam(parts, auth, "accountId")
        const all = [...records(store)].filter((r) => r.accountId === account.id)
        const byId = new Map(all.map((r) => [r.id, r]))
        const page = yield* pageOf(all.map((r) => r.id), state.searchParams, listPath(account.userId, account.id, name))
        return {
          items: page.ids.map((id) => render(byId.get(id)!, store)),
          pagination: page.pagination,
          charset: true,
          escapeSlashes: name === "bunqme-tab"
        }
      }))

  const one = <A extends { readonly accountId: number }>(
    type: string,
    dutch: string,
    records: (store: Store) => ReadonlyMap<number, A>,
    auth: Parameters<typeof accountParam>[1]
  ) =>
    Effect.gen(function*() {
      const [account, store] = yield* accountParam(parts, auth, "accountId")
      const id = yield* pathId(type, dutch)
      const record = records(store).get(id)
      if (record === undefined || record.accountId !== account.id) {
        return yield* fail(404, Messages.notFound(type, dutch, String(id)))
      }
      return [record, store, account] as const
    })

  const inquiries = (store: Store) => store.ledger.inquiries
  const responses = (store: Store) => store.ledger.responses
  const tabs = (store: Store) => store.ledger.tabs

  const revokeInquiry = endpoint("PUT", "/request-inquiry/{id}", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const [inquiry, , account] = yield* one("RequestInquiry", "Betaalverzoek", inquiries, auth)
      const body = yield* decodeBody(InquiryUpdateBody, state)
      const revoked = yield* inOneStep(parts.env, (store) => {
        if (inquiry.status !== "PENDING") return refuse(400, Messages.invalidStatusChange(inquiry.status, body.status))
        inquiry.status = "REVOKED"
        inquiry.updated = state.now
        const response = inquiry.responseId === null ? undefined : store.ledger.responses.get(inquiry.responseId)
        if (response !== undefined) {
          response.status = "REVOKED"
          response.updated = state.now
        }
        return Either.right(requestEvent(
          store,
          account.userId,
          account.id,
          state.now,
          { _tag: "RequestInquiry", id: inquiry.id },
          "UPDATE",
          "REQUEST_INQUIRY_REVOKED"
        ))
      })
      yield* notify([revoked])
      return { items: [{ Id: { id: inquiry.id } }] }
    }))

  const answerResponse = endpoint(
    "PUT",
    "/request-response/{id}",
    sessionAuth,
    (auth, state) =>
      Effect.gen(function*() {
        const [response, , account] = yield* one("RequestResponse", "Betaalverzoek", responses, auth)
        const body = yield* decodeBody(ResponseUpdateBody, state)
        if (body.status === "ACCEPTED") yield* requireSignature(state)
        // The status check, the payment and the status change in one step: two accepts never both pay.
        const events = yield* inOneStep(parts.env, (store) =>
          Either.gen(function*() {
            if (response.status !== "PENDING") {
              return yield* refuse(400, Messages.invalidStatusChange(response.status, body.status))
            }
            const inquiry = store.ledger.inquiries.get(response.inquiryId)!
            const requester = store.ledger.accounts.get(inquiry.accountId)!
            const events: Array<EventRecord> = []
            if (body.status === "ACCEPTED") {
              if (requester.status !== "ACTIVE") return yield* refuse(400, Messages.accountNotActive)
              const paid = yield* bookAll(store, account, state.now, [{
                now: state.now,
                from: account,
                to: { party: inquiry.alias, account: requester },
                amount: response.amount,
                description: response.description,
                subType: "REQUEST"
              }])
              events.push(...paid.events)
            }
            response.status = body.status
            inquiry.status = body.status
            response.timeResponded = inquiry.timeResponded = state.now
            response.updated = inquiry.updated = state.now
            events.push(
              requestEvent(
                store,
                account.userId,
                account.id,
                state.now,
                { _tag: "RequestResponse", id: response.id },
                "UPDATE",
                `REQUEST_RESPONSE_${body.status}`
              ),
              requestEvent(
                store,
                requester.userId,
                requester.id,
                state.now,
                { _tag: "RequestInquiry", id: inquiry.id },
                "UPDATE",
                `REQUEST_INQUIRY_${body.status}`
              )
            )
            return events
          }))
        yield* notify(events)
        return { items: [{ Id: { id: response.id } }] }
      })
  )

  const createTab = endpoint("POST", "/bunqme-tab", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const [account, store] = yield* accountParam(parts, auth, "accountId")
      const body = yield* decodeBody(TabBody, state)
      const amount = yield* checkAmount(body.bunqme_tab_entry.amount_inquired, account)
      if (account.status !== "ACTIVE") return yield* fail(400, Messages.accountNotActive)
      const id = store.ledger.nextTabId++
      const tab: TabRecord = {
        id,
        uuid: uuidFor(id, 13),
        accountId: account.id,
        created: state.now,
        updated: state.now,
        amount,
        currency: account.currency,
        description: body.bunqme_tab_entry.description,
        redirectUrl: body.bunqme_tab_entry.redirect_url ?? null,
        status: "WAITING_FOR_PAYMENT"
      }
      store.ledger.tabs.set(id, tab)
      const created = yield* withStore((store) =>
        addEvent(store, {
          userId: account.userId,
          accountId: account.id,
          created: state.now,
          action: "CREATE",
          object: { _tag: "BunqMeTab", id },
          categories: [["BUNQME_TAB", "BUNQME_TAB_CREATED"]]
        })
      )
      yield* notify([created])
      return { items: [{ Id: { id } }] }
    }))

  const cancelTab = endpoint("PUT", "/bunqme-tab/{id}", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const [tab] = yield* one("BunqMeTab", "bunq.me-tab", tabs, auth)
      const body = yield* decodeBody(TabUpdateBody, state)
      yield* inOneStep(parts.env, () => {
        if (tab.status !== "WAITING_FOR_PAYMENT") {
          return refuse(400, Messages.invalidStatusChange(tab.status, body.status))
        }
        tab.status = "CANCELLED"
        tab.updated = state.now
        return Either.void
      })
      return { items: [{ Id: { id: tab.id } }] }
    }))

  const read = <A extends { readonly accountId: number }>(
    type: string,
    dutch: string,
    records: (store: Store) => ReadonlyMap<number, A>,
    render: (record: A, store: Store) => unknown
  ) =>
    endpoint(
      "GET",
      `/${type}/{id}`,
      sessionAuth,
      (auth) =>
        Effect.map(one(type, dutch, records, auth), ([record, store]) => ({
          items: [render(record, store)],
          escapeSlashes: type === "BunqMeTab"
        }))
    )

  return [
    route("POST", `${base}/request-inquiry`, createInquiry),
    route(
      "GET",
      `${base}/request-inquiry`,
      list("request-inquiry", (s) => s.ledger.inquiries.values(), (r) => objects.inquiry(r))
    ),
    route(
      "GET",
      `${base}/request-inquiry/:id`,
      read("RequestInquiry", "Betaalverzoek", inquiries, (r) => objects.inquiry(r))
    ),
    route("PUT", `${base}/request-inquiry/:id`, revokeInquiry),
    route(
      "GET",
      `${base}/request-response`,
      list("request-response", (s) => s.ledger.responses.values(), (r) => objects.response(r))
    ),
    route(
      "GET",
      `${base}/request-response/:id`,
      read("RequestResponse", "Betaalverzoek", responses, (r) => objects.response(r))
    ),
    route("PUT", `${base}/request-response/:id`, answerResponse),
    route("POST", `${base}/bunqme-tab`, createTab),
    route("GET", `${base}/bunqme-tab`, list("bunqme-tab", (s) => s.ledger.tabs.values(), (t, s) => objects.tab(s, t))),
    route("GET", `${base}/bunqme-tab/:id`, read("BunqMeTab", "bunq.me-tab", tabs, (t, s) => objects.tab(s, t))),
    route("PUT", `${base}/bunqme-tab/:id`, cancelTab)
  ]
}
