/**
 * bunq's id-cursor pagination over any list of ascending ids: `count` (1–200, default 10), `older_id` / `newer_id`,
 * newest first, and the `Pagination` object with `older_url`, `newer_url` and `future_url`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Messages from "./messages.js"
import type { ApiFailure } from "./state.js"
import { fail, lowerBound } from "./state.js"

/** @internal */
export interface IdPage {
  /** The ids of this page, newest first. */
  readonly ids: ReadonlyArray<number>
  readonly pagination: {
    readonly future_url: string | null
    readonly newer_url: string | null
    readonly older_url: string | null
  }
}

/**
 * One page of `ids` (ascending) for the request's query parameters. `path` is the list's path with the base path,
 * e.g. `/v1/device-server`.
 *
 * @internal
 */
export const pageOf = (
  ids: ReadonlyArray<number>,
  params: URLSearchParams,
  path: string
): Effect.Effect<IdPage, ApiFailure> =>
  Effect.gen(function*() {
    const countRaw = params.get("count")
    const count = countRaw === null ? 10 : /^\d{1,4}$/.test(countRaw) ? Number(countRaw) : Number.NaN
    if (!(count >= 1 && count <= 200)) return yield* fail(400, Messages.invalidCount)
    const readId = (name: string) => {
      const raw = params.get(name)
      if (raw === null) return Effect.succeed(undefined)
      return /^\d{1,15}$/.test(raw) ? Effect.succeed(Number(raw)) : fail(400, Messages.invalidPaginationId(name))
    }
    const olderId = yield* readId("older_id")
    const newerId = yield* readId("newer_id")
    if (olderId !== undefined && newerId !== undefined) return yield* fail(400, Messages.bothPaginationIds)
    let start: number
    let end: number
    if (newerId !== undefined) {
      start = lowerBound(ids, newerId + 1)
      end = Math.min(ids.length, start + count)
    } else {
      end = olderId !== undefined ? lowerBound(ids, olderId) : ids.length
      start = Math.max(0, end - count)
    }
    const page = ids.slice(start, end).reverse()
    const prefix = `${path}?${countRaw === null ? "" : `count=${count}&`}`
    const newest = page[0]
    const oldest = page[page.length - 1]
    const olderUrl = page.length > 0 && start > 0 ? `${prefix}older_id=${oldest}` : null
    const newerUrl = page.length > 0 && end < ids.length ? `${prefix}newer_id=${newest}` : null
    const futureAnchor = newest ?? newerId
    const futureUrl = newerUrl === null && futureAnchor !== undefined ? `${prefix}newer_id=${futureAnchor}` : null
    return { ids: page, pagination: { future_url: futureUrl, newer_url: newerUrl, older_url: olderUrl } }
  })
