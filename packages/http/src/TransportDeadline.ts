/**
 * Per-attempt timeouts that the HTTP client enforces itself.
 *
 * `BunqClient` bounds every attempt (the request and the read of its body) by `BunqConfig.timeout`. With an ordinary
 * `HttpClient` it runs the attempt in a fiber of its own and races it against a timer. A client marked with
 * `enforce` is trusted to do it instead, which saves that fiber on every request:
 * - `BunqClient` attaches the budget to the request it sends (`millis(request)`, in milliseconds from the moment
 *   the client receives the request);
 * - once the budget is spent, the client aborts the exchange and fails the request (`RequestError`) or the body read
 *   (`ResponseError`) with a `Cause.TimeoutException` as the error's `cause`;
 * - `BunqClient` reports that as `TransportError` `Timeout`, like its own timer would.
 *
 * The budget is carried by the request object itself, so the client must read it from the very request its `execute`
 * receives: build it with `HttpClient.makeWith` (a client from `HttpClient.make` hands its function a copy of the
 * request, with trace headers added, that carries no budget).
 *
 * `@effect-bunq/platform-node/UndiciHttpClient` enforces deadlines. Wrapping a marked client (`HttpClient.mapRequest`,
 * `HttpClient.tapRequest`, …) gives an unmarked one, so `BunqClient` falls back to its own timer; so does any clock
 * other than the live one (`TestClock`).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"

/**
 * The mark of a client that enforces deadlines.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@effect-bunq/http/TransportDeadline")

/**
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A copy of `client` marked as enforcing the deadlines `BunqClient` attaches to its requests. Only mark a client that
 * reads `millis` for every request and honours the contract described in this module.
 *
 * @since 0.1.0
 * @category constructors
 */
export const enforce = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  Object.assign(Object.create(Object.getPrototypeOf(client) as object) as HttpClient.HttpClient, client, {
    [TypeId]: true
  })

/**
 * Whether `client` is marked with `enforce`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isEnforced = (client: HttpClient.HttpClient): boolean =>
  (client as unknown as { readonly [TypeId]?: unknown })[TypeId] === true

/** Kept on the request object itself (a fresh one per attempt): a `WeakMap` entry per request costs the GC more. */
const BudgetKey: unique symbol = Symbol.for("@effect-bunq/http/TransportDeadline/budget")

interface WithBudget {
  [BudgetKey]?: number
}

/**
 * The budget, in milliseconds, that `BunqClient` attached to `request`; `undefined` when it attached none (the client
 * then applies no deadline of its own).
 *
 * @since 0.1.0
 * @category getters
 */
export const millis = (request: HttpClientRequest.HttpClientRequest): number | undefined =>
  (request as WithBudget)[BudgetKey]

/**
 * Attach a budget to `request` (what `BunqClient` does before it hands the request to a marked client).
 *
 * @since 0.1.0
 * @category setters
 */
export const attach = (request: HttpClientRequest.HttpClientRequest, millis: number): void => {
  Object.defineProperty(request, BudgetKey, { value: millis, enumerable: false })
}

/**
 * The `cause` a marked client puts in the `RequestError` or `ResponseError` it fails with when the budget is spent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const timeoutCause = (millis: number): Cause.TimeoutException =>
  new Cause.TimeoutException(`no complete response within ${millis} ms`)

/**
 * Whether an error's `cause` says that the client's deadline passed.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTimeoutCause = (cause: unknown): boolean => Cause.isTimeoutException(cause)
