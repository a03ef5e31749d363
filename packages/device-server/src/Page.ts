/**
 * One page of a bunq list, with the cursors to the pages around it.
 *
 * @since 0.1.0
 */
import type { BunqResponse } from "@effect-bunq/http/BunqClient"
import * as Option from "effect/Option"

/**
 * A page of items. `olderId` is the cursor for the next page of older items (`None` on the last page); pass it as
 * `olderId` to the same `listPage` call. `newerId` does the same towards newer items.
 *
 * @since 0.1.0
 * @category models
 */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly olderId: Option.Option<number>
  readonly newerId: Option.Option<number>
}

/**
 * Where to start a page: `count` items (bunq's default 10, at most 200), older than `olderId` or newer than
 * `newerId`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PageOptions {
  readonly count?: number | undefined
  readonly olderId?: number | undefined
  readonly newerId?: number | undefined
}

const cursor = (url: string | undefined, name: string): Option.Option<number> => {
  if (url === undefined) return Option.none()
  const query = url.indexOf("?")
  if (query < 0) return Option.none()
  const value = new URLSearchParams(url.slice(query + 1)).get(name)
  if (value === null) return Option.none()
  const id = Number(value)
  return Number.isSafeInteger(id) ? Option.some(id) : Option.none()
}

/**
 * Build a page from a response's decoded items and its `Pagination` links.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromResponse = <A>(response: BunqResponse, items: ReadonlyArray<A>): Page<A> => ({
  items,
  olderId: cursor(response.pagination?.olderUrl, "older_id"),
  newerId: cursor(response.pagination?.newerUrl, "newer_id")
})

/**
 * The query parameters for `PageOptions`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const urlParams = (options: PageOptions | undefined): Record<string, number> => ({
  ...(options?.count === undefined ? {} : { count: options.count }),
  ...(options?.olderId === undefined ? {} : { older_id: options.olderId }),
  ...(options?.newerId === undefined ? {} : { newer_id: options.newerId })
})
