/**
 * What every generated program shares: the page of a list and its options, and the error a program fails with.
 *
 * Every program (`Payment.get`, `Payment.list`, …) takes one object of parameters: the path's ids (`userId` is
 * optional and defaults to the session's user), a `body` for creates and updates, and `count`/`olderId`/`newerId`
 * for lists, plus the filters bunq documents for a few lists (`Event.list`'s `monetaryAccountId`, `status`,
 * `displayUserEvent`; `Schedule.list`'s `type`).
 *
 * @since 0.1.0
 */
import type * as ApiContext from "@effect-bunq/device-server/ApiContext"
import type * as Pagination from "@effect-bunq/http/Pagination"

/**
 * One page of a list: its items (newest first) and the ids to continue from (`@effect-bunq/http/Pagination`'s
 * `Page`). Pass `olderId` back as `olderId` to get the next page of older items (`None` on the last page); `newerId`
 * the same towards newer items, and `futureId` where newer items will appear later.
 *
 * @since 0.1.0
 * @category models
 */
export type Page<A> = Pagination.Page<A>

/**
 * Where a page starts: `count` items (default and at most 200), older than `olderId` or newer than `newerId`
 * (`@effect-bunq/http/Pagination`'s `Options`).
 *
 * @since 0.1.0
 * @category models
 */
export type PageOptions = Pagination.Options

/**
 * A file bunq answers as raw bytes (an attachment's content, an exported statement): the bytes exactly as received
 * and verified against bunq's signature, and their `Content-Type`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Content {
  readonly contentType: string | undefined
  readonly bytes: Uint8Array
}

/**
 * What a program fails with: bunq's errors (`ApiError`, `TransportError`, `ResponseVerificationError`,
 * `DecodeError`), a context store or signer failure while the session is renewed, and for lists `InvalidCount` (a page
 * `count` outside 1–200), `InvalidCursor` (both `olderId` and `newerId`, or an id that is not a whole number) and
 * `CursorNotAdvancing` (bunq's next page cursor repeats or goes back). Programs with a body also fail with
 * `SchemaDecodeError` (`EncodeFailed`) when the body does not encode (an amount that is not a decimal).
 *
 * @since 0.1.0
 * @category errors
 */
export type Error = ApiContext.ApiContextError
