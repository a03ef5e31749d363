/**
 * Monetary accounts: `monetary-account` (list and read, every type), `monetary-account-bank` and
 * `monetary-account-savings` (create, list, read, update, close with a reason).
 *
 * @internal
 */
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { AccountRecord, AccountType } from "./ledger.js"
import { openAccount, parseAmount } from "./ledger.js"
import * as Messages from "./messages.js"
import { dataOwner } from "./objects.js"
import { pageOf } from "./pagination.js"
import type { Family, Parts } from "./routes.js"
import { route } from "./routes.js"
import type { SessionAuth } from "./security.js"
import type { ApiFailure, Store } from "./state.js"
import { decodeBody, fail, pathId } from "./state.js"
import { AmountBody } from "./transfers.js"

const CreateBody = Schema.Struct({
  currency: Schema.String,
  description: Schema.String,
  daily_limit: Schema.optional(AmountBody),
  savings_goal: Schema.optional(AmountBody)
})

const UpdateBody = Schema.Struct({
  description: Schema.optional(Schema.String),
  daily_limit: Schema.optional(AmountBody),
  savings_goal: Schema.optional(AmountBody),
  status: Schema.optional(Schema.Literal("ACTIVE", "CANCELLED")),
  sub_status: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String),
  reason_description: Schema.optional(Schema.String)
})

/** An account of the session's user by the `:accountId` (or `:id`) path parameter, of `type` when given. @internal */
export const accountParam = (
  parts: Parts,
  auth: SessionAuth,
  name: "accountId" | "id",
  type?: AccountType
): Effect.Effect<readonly [AccountRecord, Store], ApiFailure, HttpRouter.RouteContext> =>
  Effect.gen(function*() {
    yield* parts.security.ownUser(auth)
    const label = type ?? "MonetaryAccount"
    const id = yield* pathId(label, "Rekening", name)
    const store = yield* parts.env.withStore((store) => store)
    const account = store.ledger.accounts.get(id)
    if (
      account === undefined || account.userId !== dataOwner(auth.user).id ||
      (type !== undefined && account.type !== type)
    ) {
      return yield* fail(404, Messages.notFound(label, "Rekening", String(id)))
    }
    return [account, store] as const
  })

const money = (amount: typeof AmountBody.Type | undefined, field: string) => {
  if (amount === undefined) return Effect.succeed(undefined)
  const cents = parseAmount(amount.value)
  return cents === undefined || amount.currency !== "EUR"
    ? fail(400, Messages.invalidField(field))
    : Effect.succeed(cents)
}

/** @internal */
export const accountRoutes: Family = (parts) => {
  const { basePath, withStore } = parts.env
  const { endpoint, ownUser, sessionAuth } = parts.security
  const { objects } = parts

  const list = (type: AccountType | undefined, name: string) =>
    endpoint("GET", name, sessionAuth, (auth, state) =>
      Effect.gen(function*() {
        const user = yield* ownUser(auth)
        const store = yield* withStore((store) => store)
        const ids = (store.ledger.accountsByUser.get(dataOwner(user).id) ?? []).filter((id) =>
          type === undefined || store.ledger.accounts.get(id)?.type === type
        )
        const page = yield* pageOf(ids, state.searchParams, `${basePath}/user/${user.id}/${name}`)
        return {
          items: page.ids.map((id) => objects.account(store, store.ledger.accounts.get(id)!, state.now)),
          pagination: page.pagination,
          charset: true
        }
      }))

  const read = (type: AccountType | undefined, name: string) =>
    endpoint(
      "GET",
      `${name}/{id}`,
      sessionAuth,
      (auth, state) =>
        Effect.map(accountParam(parts, auth, "id", type), ([account, store]) => ({
          items: [objects.account(store, account, state.now)]
        }))
    )

  const create = (type: AccountType, name: string) =>
    endpoint("POST", name, sessionAuth, (auth, state) =>
      Effect.gen(function*() {
        const user = yield* ownUser(auth)
        const body = yield* decodeBody(CreateBody, state)
        if (body.currency !== "EUR") return yield* fail(400, Messages.invalidField("currency"))
        const dailyLimit = yield* money(body.daily_limit, "daily_limit")
        const savingsGoal = yield* money(body.savings_goal, "savings_goal")
        const account = yield* withStore((store) =>
          openAccount(store, {
            type,
            userId: dataOwner(user).id,
            now: state.now,
            description: body.description,
            currency: body.currency,
            dailyLimit,
            savingsGoal: type === "MonetaryAccountSavings" ? savingsGoal ?? null : null
          })
        )
        return { items: [{ Id: { id: account.id } }] }
      }))

  const update = (type: AccountType, name: string) =>
    endpoint("PUT", `${name}/{id}`, sessionAuth, (auth, state) =>
      Effect.gen(function*() {
        const [account] = yield* accountParam(parts, auth, "id", type)
        const body = yield* decodeBody(UpdateBody, state)
        const dailyLimit = yield* money(body.daily_limit, "daily_limit")
        const savingsGoal = yield* money(body.savings_goal, "savings_goal")
        if (account.status === "CANCELLED") return yield* fail(400, Messages.accountNotActive)
        if (body.status === "CANCELLED") {
          // bunq closes an account with status CANCELLED, sub_status REDEMPTION_VOLUNTARY and a reason.
          if (body.sub_status !== "REDEMPTION_VOLUNTARY") return yield* fail(400, Messages.invalidField("sub_status"))
          if (body.reason !== "OTHER") return yield* fail(400, Messages.invalidField("reason"))
          if (body.reason_description === undefined) {
            return yield* fail(400, Messages.invalidField("reason_description"))
          }
          if (account.balance !== 0) return yield* fail(400, Messages.accountHasBalance)
        }
        yield* withStore(() => {
          if (body.description !== undefined) account.description = body.description
          if (dailyLimit !== undefined) account.dailyLimit = dailyLimit
          if (savingsGoal !== undefined && type === "MonetaryAccountSavings") account.savingsGoal = savingsGoal
          if (body.status === "CANCELLED") {
            account.status = "CANCELLED"
            account.subStatus = "REDEMPTION_VOLUNTARY"
            account.reason = "OTHER"
            account.reasonDescription = body.reason_description ?? null
          }
          account.updated = state.now
        })
        return { items: [{ Id: { id: account.id } }] }
      }))

  const family = (type: AccountType, name: "monetary-account-bank" | "monetary-account-savings") => [
    route("POST", `/user/:userId/${name}`, create(type, name)),
    route("GET", `/user/:userId/${name}`, list(type, name)),
    route("GET", `/user/:userId/${name}/:id`, read(type, name)),
    route("PUT", `/user/:userId/${name}/:id`, update(type, name))
  ]

  return [
    route("GET", "/user/:userId/monetary-account", list(undefined, "monetary-account")),
    route("GET", "/user/:userId/monetary-account/:id", read(undefined, "monetary-account")),
    ...family("MonetaryAccountBank", "monetary-account-bank"),
    ...family("MonetaryAccountSavings", "monetary-account-savings")
  ]
}
