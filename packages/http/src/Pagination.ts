/**
 * Pagination for every bunq list, in one place: `BunqClient.paginate`, `ApiContext.paginate`, the list programs
 * (`DeviceServer.list`/`listPage`, `User.list`/`listPage`) and generated code all use it.
 *
 * bunq pages with three query parameters: `count` (1–200; bunq's own default is 10), `older_id` and `newer_id`; a list
 * response carries `Pagination.older_url`, `newer_url` and `future_url`, each a path whose query holds the id to
 * continue from. Here:
 *
 * - `Options` says where a page starts: `{ count, olderId, newerId }`. `count` defaults to `maxCount` (200) and must
 *   be an integer from 1 to 200: anything else is an `InvalidCount` before anything is sent (never clamped). An id
 *   that is not a whole number, or both `olderId` and `newerId` (bunq refuses that), is an `InvalidCursor`, also
 *   before anything is sent.
 * - `Page<A>` is one page: its `items` and the cursors for the pages around it (`olderId`, `newerId`, `futureId`,
 *   read from bunq's URLs by `fromResponse`). Pass `olderId` back as `Options.olderId` for the next page.
 * - Two variants, generic over "fetch one page" (a function from the page's query parameters to a `Page`):
 *   `page(fetch, options)` fetches one page; `stream(fetch, options)` is a lazy `Stream` of the items of every page,
 *   following `olderId` (or `newerId` when the walk starts with `newerId`), fetching a page only when it is pulled.
 *   Each cursor bunq gives must move the walk on (a smaller `older_id`, a larger `newer_id`): one that repeats or
 *   goes back fails the stream with `CursorNotAdvancing` instead of requesting pages forever.
 *
 * A list program is two lines on top of one "fetch a page" function:
 *
 * ```ts
 * import * as ApiContext from "@effect-bunq/device-server/ApiContext"
 * import * as Pagination from "@effect-bunq/http/Pagination"
 * import * as Effect from "effect/Effect"
 *
 * const fetchPage = (urlParams: Pagination.UrlParams) =>
 *   Effect.map(
 *     ApiContext.request({ operation: "Payment.list", method: "GET", path: "/user/1/monetary-account/2/payment", urlParams }),
 *     (response) => Pagination.fromResponse(response, response.items)
 *   )
 * export const listPage = (options?: Pagination.Options) => Pagination.page(fetchPage, options)
 * export const list = (options?: Pagination.Options) => Pagination.stream(fetchPage, options)
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as internal from "./internal/pagination.js"

/**
 * The largest page bunq serves, and the default `count` here (fewest round trips).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxCount: typeof internal.maxCount = internal.maxCount

/**
 * A page `count` that is not an integer from 1 to 200 (as text: digits only). Raised before anything is sent.
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidCount: typeof internal.InvalidCount = internal.InvalidCount

/**
 * @since 0.1.0
 * @category errors
 */
export type InvalidCount = internal.InvalidCount

/**
 * A page cursor given wrongly, raised before anything is sent: `BothDirections` for both `olderId` and `newerId`
 * (`older_id` and `newer_id`: bunq answers 400 "Use either older_id or newer_id, not both."), `NotAnId` for an id that
 * is not a whole number of 0 or more (as text: digits only). The id or ids at fault are in `olderId` / `newerId`.
 *
 * @since 0.1.0
 * @category errors
 */
export const InvalidCursor: typeof internal.InvalidCursor = internal.InvalidCursor

/**
 * @since 0.1.0
 * @category errors
 */
export type InvalidCursor = internal.InvalidCursor

/**
 * bunq's pagination does not move the walk on: the page requested at `older_id` `from` gave an `older_id` that is not
 * smaller to continue from (`direction` `"older"`), or the page at `newer_id` `from` a `newer_id` that is not larger
 * (`"newer"`). The walk fails here, after that page, rather than request the same pages forever or end without saying
 * that items may be missing.
 *
 * @since 0.1.0
 * @category errors
 */
export const CursorNotAdvancing: typeof internal.CursorNotAdvancing = internal.CursorNotAdvancing

/**
 * @since 0.1.0
 * @category errors
 */
export type CursorNotAdvancing = internal.CursorNotAdvancing
/**
 * What a walk over pages can fail with besides the page fetch's own errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type PaginationError = InvalidCount | InvalidCursor | CursorNotAdvancing

/**
 * Where a page starts: `count` items (default 200, at most 200), older than `olderId` or newer than `newerId`
 * (neither: the newest items; both: `InvalidCursor`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly count?: number | undefined
  readonly olderId?: number | undefined
  readonly newerId?: number | undefined
}

/**
 * One page: its items, and the ids to continue from (bunq's `older_url`, `newer_url` and `future_url`; `None` when
 * bunq sent none). `olderId` is `None` on the last page; `futureId` is where to poll for items added later.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly olderId: Option.Option<number>
  readonly newerId: Option.Option<number>
  readonly futureId: Option.Option<number>
}

/**
 * The query parameters of a page request, validated: `count`, and `older_id` or `newer_id`. Spread them into a
 * request's `urlParams`.
 *
 * @since 0.1.0
 * @category models
 */
export type UrlParams = Readonly<Record<string, number>>

/**
 * bunq's `Pagination` object of a list response, as paths relative to the base URL (`BunqResponse.pagination`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Links {
  readonly olderUrl?: string | undefined
  readonly newerUrl?: string | undefined
  readonly futureUrl?: string | undefined
}

/**
 * A request written by hand, as far as its page parameters go: its `path` (which may carry a query string) and its
 * `urlParams` (which win over the path's). `BunqClient.BunqRequest` and `ApiContext.Request` are such requests.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListRequest {
  readonly path: string
  readonly urlParams?: Readonly<Record<string, string | number>> | undefined
}

/**
 * The query parameters for `options`, or `InvalidCount` / `InvalidCursor`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const urlParams = (options?: Options | undefined): Effect.Effect<UrlParams, InvalidCount | InvalidCursor> => {
  const invalid = internal.invalidOptions(options)
  return invalid === undefined ? Effect.succeed(internal.paramsOf(options)) : Effect.fail(invalid)
}

/**
 * The `InvalidCount` of a request whose `count` (in `urlParams`, or in the query string of its path) is not an
 * integer from 1 to 200 (as text: digits only, so `"0x10"`, `"1e2"`, `" 50"` and `"50.0"` are refused); `undefined`
 * when it has none or a valid one. `ApiContext.request` checks every request with it, so a hand-written `count`
 * cannot slip past; its page ids go as written (bunq answers both ids with a 400).
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidCountIn: (request: ListRequest) => InvalidCount | undefined = internal.invalidCountIn

/**
 * The `InvalidCount` or `InvalidCursor` of a request's page parameters (`count`, `older_id`, `newer_id`, in
 * `urlParams` or the query string of its path): a count that is not an integer from 1 to 200, an id that is not a
 * whole number, or both ids; `undefined` when they are valid. It is the check `optionsOf` (and so every `paginate`
 * walk) makes first.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidParamsIn = (request: ListRequest): InvalidCount | InvalidCursor | undefined =>
  Either.getLeft(internal.requestOptions(request)).pipe(Option.getOrUndefined)

/**
 * The `Options` of a list request written by hand: its `count`, `older_id` and `newer_id` (in `urlParams` or its
 * path), or `InvalidCount` / `InvalidCursor`. `responses` (and so `BunqClient.paginate` and `ApiContext.paginate`)
 * starts its walk with them, and sends the request without them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const optionsOf = (request: ListRequest): Effect.Effect<Options, InvalidCount | InvalidCursor> =>
  internal.requestOptions(request)

const idIn = (url: string | undefined, name: string): Option.Option<number> => {
  if (url === undefined) return Option.none()
  const query = url.indexOf("?")
  if (query === -1) return Option.none()
  const value = new URLSearchParams(url.slice(query + 1)).get(name)
  if (value === null || value.trim() === "") return Option.none()
  const id = Number(value)
  return Number.isSafeInteger(id) ? Option.some(id) : Option.none()
}

/**
 * A page from a response's (decoded) items and its `Pagination` links: `older_id` of `older_url`, `newer_id` of
 * `newer_url` and of `future_url`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromResponse = <A>(
  response: { readonly pagination?: Links | undefined },
  items: ReadonlyArray<A>
): Page<A> => ({
  items,
  olderId: idIn(response.pagination?.olderUrl, "older_id"),
  newerId: idIn(response.pagination?.newerUrl, "newer_id"),
  futureId: idIn(response.pagination?.futureUrl, "newer_id")
})

/**
 * Fetch one page: validates `options` (an invalid count fails with `InvalidCount`, an invalid id or both ids with
 * `InvalidCursor`, nothing fetched), then calls `fetch` with the page's query parameters.
 *
 * @since 0.1.0
 * @category combinators
 */
export const page = <A, E, R>(
  fetch: (urlParams: UrlParams) => Effect.Effect<Page<A>, E, R>,
  options?: Options | undefined
): Effect.Effect<Page<A>, E | InvalidCount | InvalidCursor, R> => Effect.flatMap(urlParams(options), fetch)

/**
 * Every page, lazily: the first page at `options`, then the next one only when the stream is pulled, following
 * `olderId` (towards older items), or `newerId` when `options.newerId` is set (towards newer items). Ends after a page
 * without that cursor or without items. Each cursor must move the walk on, compared with the one the page was
 * requested with (older: a smaller id, newer: a larger one); otherwise the stream fails with `CursorNotAdvancing`
 * after that page. Invalid options fail the stream with `InvalidCount` or `InvalidCursor` before anything is fetched.
 *
 * @since 0.1.0
 * @category combinators
 */
export const pages = <A, E, R>(
  fetch: (urlParams: UrlParams) => Effect.Effect<Page<A>, E, R>,
  options?: Options | undefined
): Stream.Stream<Page<A>, E | PaginationError, R> => {
  const invalid = internal.invalidOptions(options)
  if (invalid !== undefined) return Stream.fail(invalid)
  const count = options?.count ?? maxCount
  const direction = options?.newerId !== undefined ? "newer" : "older"
  // The options of the next page, or the error to fail with when the stream is pulled again.
  const next = (at: Options, current: Page<A>): Option.Option<Options | CursorNotAdvancing> => {
    if (current.items.length === 0) return Option.none()
    const cursor = direction === "newer" ? current.newerId : current.olderId
    if (Option.isNone(cursor)) return Option.none()
    const id = cursor.value
    const from = direction === "newer" ? at.newerId : at.olderId
    if (from !== undefined && (direction === "newer" ? id <= from : id >= from)) {
      return Option.some(new CursorNotAdvancing({ direction, from, next: id }))
    }
    return Option.some(direction === "newer" ? { count, newerId: id } : { count, olderId: id })
  }
  return Stream.paginateEffect<Options | CursorNotAdvancing, Page<A>, E | CursorNotAdvancing, R>(
    { ...options, count },
    (at) =>
      at instanceof CursorNotAdvancing
        ? Effect.fail(at)
        : Effect.map(fetch(internal.paramsOf(at)), (current) => [current, next(at, current)] as const)
  )
}

/**
 * The items of every page, lazily (see `pages`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const stream = <A, E, R>(
  fetch: (urlParams: UrlParams) => Effect.Effect<Page<A>, E, R>,
  options?: Options | undefined
): Stream.Stream<A, E | PaginationError, R> =>
  Stream.flatMap(pages(fetch, options), (p) => Stream.fromIterable(p.items))

/**
 * The raw pages of a hand-written list request, lazily: the walk starts at the request's own `count`, `older_id` or
 * `newer_id` (in `urlParams` or its path, see `optionsOf`) and goes as `pages` does, towards newer items when the
 * request names `newer_id`. `send` is called with the request without those parameters and the page's own added to
 * its `urlParams`. The walk ends after a response with no items (emitted: its `Pagination` may hold `future_url`).
 * `BunqClient.paginate` and `ApiContext.paginate` are this over their `execute` / `request`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const responses = <
  Req extends ListRequest,
  Res extends { readonly pagination?: Links | undefined; readonly items: ReadonlyArray<unknown> },
  E,
  R
>(
  request: Req,
  send: (request: Req) => Effect.Effect<Res, E, R>
): Stream.Stream<Res, E | PaginationError, R> =>
  Stream.unwrap(Effect.map(optionsOf(request), (options) => {
    const rest = internal.withoutPageParams(request)
    return stream(
      (params) =>
        Effect.map(send({ ...rest, urlParams: { ...rest.urlParams, ...params } }), (response) => {
          const current = fromResponse(response, [response])
          // an empty response is the last one: its cursors are not followed
          return response.items.length === 0
            ? { ...current, olderId: Option.none(), newerId: Option.none() }
            : current
        }),
      options
    )
  }))
