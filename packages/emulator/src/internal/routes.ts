/**
 * Route registration: each family of endpoints (`contextRoutes.ts`, `accountRoutes.ts`, …) is a function from the
 * emulator's parts to a list of routes; the emulator mounts every family's routes on one router and knows each
 * path's methods (to answer 405 for a wrong one). A new family is one module and one line in `emulator.ts`.
 *
 * @internal
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Effect from "effect/Effect"
import type { EventRecord } from "./ledger.js"
import type { MoneyObjects } from "./moneyObjects.js"
import type { Security } from "./security.js"
import type { ApiFailure, CurrentRequest, Env } from "./state.js"
import type { Users } from "./users.js"

/** @internal */
export interface Route {
  readonly method: "GET" | "POST" | "PUT" | "DELETE"
  /** An `HttpRouter` path relative to the base path, e.g. `/user/:userId/monetary-account/:id`. */
  readonly path: `/${string}`
  readonly handler: Effect.Effect<
    HttpServerResponse.HttpServerResponse,
    ApiFailure,
    CurrentRequest | HttpRouter.RouteContext
  >
}

/** What a family of routes may use. @internal */
export interface Parts {
  readonly env: Env
  readonly security: Security
  readonly users: Users
  readonly objects: MoneyObjects
  /** Deliver the callbacks of new events (in the background). */
  readonly notify: (events: ReadonlyArray<EventRecord>) => Effect.Effect<void>
}

/** @internal */
export type Family = (parts: Parts) => ReadonlyArray<Route>

/** @internal */
export const route = (method: Route["method"], path: Route["path"], handler: Route["handler"]): Route => ({
  method,
  path,
  handler
})

/** @internal */
export const toRouter = (routes: ReadonlyArray<Route>) =>
  routes.reduce(
    (router, r) => HttpRouter.route(r.method)(r.path, r.handler)(router),
    HttpRouter.empty as HttpRouter.HttpRouter<ApiFailure, CurrentRequest>
  )

/** Whether `path` is a route for another method than `method` (then the answer is 405, not 404). @internal */
export const otherMethods = (routes: ReadonlyArray<Route>) => {
  const patterns = routes.map((r) => ({
    method: r.method,
    regex: new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:\w+/g, "[^/]+")}$`)
  }))
  return (method: string, path: string): boolean => patterns.some((p) => p.method !== method && p.regex.test(path))
}
