/**
 * What happened and who hears about it: `event` (the user's events, newest first, paginated) and
 * `notification-filter-url` for a user and for one monetary account (a POST replaces the set; callbacks are
 * delivered by `callbacks.ts`).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { accountParam } from "./accountRoutes.js"
import { loopbackTarget } from "./callbacks.js"
import type { NotificationFilter } from "./ledger.js"
import * as Messages from "./messages.js"
import { dataOwner } from "./objects.js"
import { pageOf } from "./pagination.js"
import type { Family } from "./routes.js"
import { route } from "./routes.js"
import type { SessionAuth } from "./security.js"
import { decodeBody, fail } from "./state.js"

const FiltersBody = Schema.Struct({
  notification_filters: Schema.Array(Schema.Struct({ category: Schema.String, notification_target: Schema.String }))
})

/** @internal */
export const eventRoutes: Family = (parts) => {
  const { basePath, withStore } = parts.env
  const { endpoint, ownUser, sessionAuth } = parts.security
  const { objects } = parts

  const listEvents = endpoint("GET", "/event", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const user = yield* ownUser(auth)
      const store = yield* withStore((store) => store)
      const accountFilter = state.searchParams.get("monetary_account_id")
      const ids = (store.ledger.eventsByUser.get(dataOwner(user).id) ?? []).filter((id) =>
        accountFilter === null || String(store.ledger.events.get(id)?.accountId) === accountFilter
      )
      const params = new URLSearchParams(state.searchParams)
      params.delete("monetary_account_id")
      const page = yield* pageOf(ids, params, `${basePath}/user/${user.id}/event`)
      return {
        items: page.ids.map((id) => objects.event(store, store.ledger.events.get(id)!)),
        pagination: page.pagination,
        escapeSlashes: true,
        charset: true
      }
    }))

  /** Filters of the user (account `undefined`) or of one account. */
  const scope = (auth: SessionAuth, forAccount: boolean) =>
    forAccount
      ? Effect.map(accountParam(parts, auth, "accountId"), ([account]) => account.id)
      : Effect.as(ownUser(auth), undefined)

  const matches = (userId: number, accountId: number | undefined) => (filter: NotificationFilter) =>
    filter.userId === userId && filter.accountId === accountId

  const setFilters = (forAccount: boolean) =>
    endpoint("POST", "/notification-filter-url", sessionAuth, (auth, state) =>
      Effect.gen(function*() {
        const accountId = yield* scope(auth, forAccount)
        const body = yield* decodeBody(FiltersBody, state)
        for (const filter of body.notification_filters) {
          if (loopbackTarget(filter.notification_target) === undefined) {
            return yield* fail(400, Messages.callbackTarget(filter.notification_target))
          }
        }
        const created = yield* withStore((store) => {
          const filters = store.ledger.filters
          const keep = filters.filter((f) => !matches(auth.user.id, accountId)(f))
          filters.length = 0
          filters.push(...keep)
          const added = body.notification_filters.map((f): NotificationFilter => ({
            id: store.ledger.nextFilterId++,
            created: state.now,
            userId: auth.user.id,
            accountId,
            category: f.category,
            target: f.notification_target
          }))
          filters.push(...added)
          return added
        })
        return { items: created.map(objects.filter) }
      }))

  const getFilters = (forAccount: boolean) =>
    endpoint("GET", "/notification-filter-url", sessionAuth, (auth) =>
      Effect.gen(function*() {
        const accountId = yield* scope(auth, forAccount)
        const filters = yield* withStore((store) => store.ledger.filters.filter(matches(auth.user.id, accountId)))
        return { items: filters.map(objects.filter) }
      }))

  return [
    route("GET", "/user/:userId/event", listEvents),
    route("POST", "/user/:userId/notification-filter-url", setFilters(false)),
    route("GET", "/user/:userId/notification-filter-url", getFilters(false)),
    route("POST", "/user/:userId/monetary-account/:accountId/notification-filter-url", setFilters(true)),
    route("GET", "/user/:userId/monetary-account/:accountId/notification-filter-url", getFilters(true))
  ]
}
