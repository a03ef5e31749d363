/**
 * Pagination for every bunq list, in one place: `BunqClient.paginate`, `ApiContext.paginate`, the list programs
 * (`DeviceServer.list`/`listPage`, `User.list`/`listPage`) and generated code all use it.
 *
 * bunq pages with three query parameters: `count` (1–200; bunq's own default is 10), `older_id` and `newer_id`; a list
 * response carries `Pagination.older_url`, `newer_url` and `future_url`, each a path whose query holds the id to
 * continue from. Here:
 *
 * - `Options` says where a page starts: `{ count, olderId, newerId }`. `count` defaults to `maxCount` (200) and must
 *   be an integer from 1 to 200: anything else is an `InvalidCount` before anything is sent (never clamped).
 * - `Page<A>` is one page: its `items` and the cursors for the pages around it (`olderId`, `newerId`, `futureId`,
 *   read from bunq's URLs by `fromResponse`). Pass `olderId` back as `Options.olderId` for the next page.
 * - Two variants, generic over "fetch one page" (a function from the page's query parameters to a `Page`):
 *   `page(fetch, options)` fetches one page; `stream(fetch, options)` is a lazy `Stream` of the items of every page,
 *   following `olderId` (or `newerId` when the walk starts with `newerId`), fetching a page only when it is pulled.
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
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * The largest page bunq serves, and the default `count` here (fewest round trips).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxCount = 200

/**
 * A page `count` that is not an integer from 1 to 200. Raised before anything is sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidCount extends Data.TaggedError("InvalidCount")<{ readonly count: unknown }> {
  override get message(): string {
    return `page count must be an integer from 1 to ${maxCount}, got ${String(this.count)}`
  }
}

/**
 * Where a page starts: `count` items (default 200, at most 200), older than `olderId` or newer than `newerId`
 * (neither: the newest items).
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

const isValid = (count: number): boolean => Number.isInteger(count) && count >= 1 && count <= maxCount

/**
 * The query parameters for `options`, or `InvalidCount`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const urlParams = (options?: Options | undefined): Effect.Effect<UrlParams, InvalidCount> => {
  const count = options?.count ?? maxCount
  if (!isValid(count)) return Effect.fail(new InvalidCount({ count }))
  const params: Record<string, number> = { count }
  if (options?.olderId !== undefined) params["older_id"] = options.olderId
  if (options?.newerId !== undefined) params["newer_id"] = options.newerId
  return Effect.succeed(params)
}

/**
 * The `InvalidCount` of a request whose `count` (in `urlParams`, or in the query string of its path) is not an
 * integer from 1 to 200; `undefined` when it has none or a valid one. `ApiContext.request` checks every request with
 * it, so a hand-written `count` cannot slip past.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidCountIn = (request: {
  readonly path: string
  readonly urlParams?: Readonly<Record<string, string | number>> | undefined
}): InvalidCount | undefined => {
  const count = countIn(request)
  if (count === undefined) return undefined
  const value = typeof count === "number" ? count : count.trim() === "" ? Number.NaN : Number(count)
  return isValid(value) ? undefined : new InvalidCount({ count })
}

/** The `count` a request names, in `urlParams` or else in its path's query string. */
const countIn = (request: {
  readonly path: string
  readonly urlParams?: Readonly<Record<string, string | number>> | undefined
}): string | number | undefined => {
  const given = request.urlParams?.["count"]
  if (given !== undefined) return given
  const query = request.path.indexOf("?")
  if (query === -1) return undefined
  return new URLSearchParams(request.path.slice(query + 1)).get("count") ?? undefined
}

/**
 * The `Options` of a list request written by hand (its `count`, in `urlParams` or its path), or `InvalidCount`.
 * `BunqClient.paginate` and `ApiContext.paginate` start their walk with it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const optionsOf = (request: {
  readonly path: string
  readonly urlParams?: Readonly<Record<string, string | number>> | undefined
}): Effect.Effect<Options, InvalidCount> => {
  const invalid = invalidCountIn(request)
  if (invalid !== undefined) return Effect.fail(invalid)
  const count = countIn(request)
  return Effect.succeed(count === undefined ? {} : { count: Number(count) })
}

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
 * Fetch one page: validates `options` (an invalid count fails with `InvalidCount`, nothing fetched), then calls
 * `fetch` with the page's query parameters.
 *
 * @since 0.1.0
 * @category combinators
 */
export const page = <A, E, R>(
  fetch: (urlParams: UrlParams) => Effect.Effect<Page<A>, E, R>,
  options?: Options | undefined
): Effect.Effect<Page<A>, E | InvalidCount, R> => Effect.flatMap(urlParams(options), fetch)

/**
 * Every page, lazily: the first page at `options`, then the next one only when the stream is pulled, following
 * `olderId` (towards older items), or `newerId` when `options.newerId` is set (towards newer items). Ends on a page
 * without that cursor or without items. An invalid count fails the stream with `InvalidCount` before anything is
 * fetched.
 *
 * @since 0.1.0
 * @category combinators
 */
export const pages = <A, E, R>(
  fetch: (urlParams: UrlParams) => Effect.Effect<Page<A>, E, R>,
  options?: Options | undefined
): Stream.Stream<Page<A>, E | InvalidCount, R> => {
  const count = options?.count ?? maxCount
  if (!isValid(count)) return Stream.fail(new InvalidCount({ count }))
  const newer = options?.newerId !== undefined
  return Stream.paginateEffect(
    { ...options, count } as Options,
    (at) =>
      Effect.map(page(fetch, at), (current) => {
        const next = current.items.length === 0 ? Option.none() : newer ? current.newerId : current.olderId
        return [
          current,
          Option.map(next, (id): Options => newer ? { count, newerId: id } : { count, olderId: id })
        ] as const
      })
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
): Stream.Stream<A, E | InvalidCount, R> => Stream.flatMap(pages(fetch, options), (p) => Stream.fromIterable(p.items))

/**
 * The raw pages of a hand-written list request, lazily: `send` is called with the request and the page's query
 * parameters added to its `urlParams`, starting at the request's own `count` (see `optionsOf`), following `older_id`.
 * `BunqClient.paginate` and `ApiContext.paginate` are this over their `execute` / `request`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const responses = <
  Req extends {
    readonly path: string
    readonly urlParams?: Readonly<Record<string, string | number>> | undefined
  },
  Res extends { readonly pagination?: Links | undefined },
  E,
  R
>(
  request: Req,
  send: (request: Req) => Effect.Effect<Res, E, R>
): Stream.Stream<Res, E | InvalidCount, R> =>
  Stream.unwrap(Effect.map(optionsOf(request), (options) =>
    stream(
      (params) =>
        Effect.map(
          send({ ...request, urlParams: { ...request.urlParams, ...params } }),
          (response) => fromResponse(response, [response])
        ),
      options
    )))
