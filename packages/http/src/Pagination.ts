/**
 * One pagination module for every bunq list: a validated page `count` (1–200), the cursors bunq understands
 * (`older_id`, `newer_id`, and the `future_url` link), a one-page variant and a lazy `Stream` of items. It is generic
 * over "fetch one page", so `BunqClient`, `ApiContext`, list programs and generated code share the same rules.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * The largest page bunq serves.
 *
 * @since 0.1.0
 */
export const maxCount = 200

/**
 * A page `count` outside 1–200 (or not an integer). Raised before anything is sent.
 *
 * @since 0.1.0
 */
export class InvalidCount extends Data.TaggedError("InvalidCount")<{ readonly count: unknown }> {
  override get message(): string {
    return `page count must be an integer from 1 to ${maxCount}, got ${String(this.count)}`
  }
}

/**
 * Validates a page count: an integer from 1 to 200.
 *
 * @since 0.1.0
 */
export const validateCount = (count: number): Effect.Effect<number, InvalidCount> =>
  Number.isInteger(count) && count >= 1 && count <= maxCount
    ? Effect.succeed(count)
    : Effect.fail(new InvalidCount({ count }))

/**
 * The `InvalidCount` of a request whose `count` (in `urlParams`, or in the query string of its path) is not an
 * integer from 1 to 200; `undefined` when it has none or a valid one. `BunqClient.paginate` and `ApiContext` check
 * every request with it before anything is sent.
 *
 * @since 0.1.0
 */
export const invalidCountIn = (request: {
  readonly path: string
  readonly urlParams?: Readonly<Record<string, string | number>> | undefined
}): InvalidCount | undefined => {
  let count: string | number | undefined = request.urlParams?.["count"]
  if (count === undefined) {
    const query = request.path.indexOf("?")
    if (query === -1) return undefined
    const given = new URLSearchParams(request.path.slice(query + 1)).get("count")
    if (given === null) return undefined
    count = given
  }
  const value = typeof count === "number" ? count : count.trim() === "" ? Number.NaN : Number(count)
  return Number.isInteger(value) && value >= 1 && value <= maxCount ? undefined : new InvalidCount({ count })
}

/**
 * Where a page starts: the first page, items older than an id, items newer than an id, or a link bunq handed back.
 *
 * @since 0.1.0
 */
export type Cursor =
  | { readonly _tag: "First" }
  | { readonly _tag: "Older"; readonly id: number }
  | { readonly _tag: "Newer"; readonly id: number }
  | { readonly _tag: "Link"; readonly url: string }

/**
 * What a page request carries: the count and the cursor.
 *
 * @since 0.1.0
 */
export interface PageRequest {
  readonly count: number
  readonly cursor: Cursor
}

/**
 * One page: its items and the cursors bunq returned (`older_url`, `newer_url`, `future_url`).
 *
 * @since 0.1.0
 */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly older: Option.Option<Cursor>
  readonly newer: Option.Option<Cursor>
  readonly future: Option.Option<Cursor>
}

/**
 * The query parameters of a page request (`count`, `older_id`, `newer_id`); a `Link` cursor carries its own.
 *
 * @since 0.1.0
 */
export const urlParams = (request: PageRequest): Record<string, string> => {
  const cursor = request.cursor
  switch (cursor._tag) {
    case "First":
      return { count: String(request.count) }
    case "Older":
      return { count: String(request.count), older_id: String(cursor.id) }
    case "Newer":
      return { count: String(request.count), newer_id: String(cursor.id) }
    case "Link":
      return {}
  }
}

/**
 * Fetches one page after validating the count.
 *
 * @since 0.1.0
 */
export const page = <A, E, R>(
  fetchPage: (request: PageRequest) => Effect.Effect<Page<A>, E, R>,
  options?: { readonly count?: number | undefined; readonly cursor?: Cursor | undefined }
): Effect.Effect<Page<A>, E | InvalidCount, R> =>
  Effect.flatMap(
    validateCount(options?.count ?? maxCount),
    (count) => fetchPage({ count, cursor: options?.cursor ?? { _tag: "First" } })
  )

/**
 * A lazy stream of items, following the `older` cursor page by page. Nothing is fetched until the stream is run;
 * an invalid count fails the stream before anything is sent.
 *
 * @since 0.1.0
 */
export const stream = <A, E, R>(
  fetchPage: (request: PageRequest) => Effect.Effect<Page<A>, E, R>,
  options?: { readonly count?: number | undefined; readonly cursor?: Cursor | undefined }
): Stream.Stream<A, E | InvalidCount, R> =>
  Stream.unwrap(
    Effect.map(validateCount(options?.count ?? maxCount), (count) =>
      Stream.paginateEffect(
        options?.cursor ?? ({ _tag: "First" } as Cursor),
        (cursor) =>
          Effect.map(fetchPage({ count, cursor }), (result) =>
            [
              result.items as ReadonlyArray<A>,
              result.items.length === 0 ? Option.none() : result.older
            ] as const)
      ).pipe(Stream.flatMap((items) => Stream.fromIterable(items))))
  )
