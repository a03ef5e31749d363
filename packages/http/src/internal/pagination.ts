/**
 * Pagination's rules for page options and hand-written requests: the errors, what a valid count and id are (as numbers
 * and as text), reading `count` / `older_id` / `newer_id` out of a request and taking them out of it.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"
import type { ListRequest, Options, UrlParams } from "../Pagination.js"

/** @internal */
export const maxCount = 200

const showValue = (value: unknown): string => typeof value === "string" ? JSON.stringify(value) : String(value)

/** `Pagination.InvalidCount`. @internal */
export class InvalidCount extends /* @__PURE__ */ Data.TaggedError("InvalidCount")<{ readonly count: unknown }> {
  override get message(): string {
    return `page count must be an integer from 1 to ${maxCount}, got ${showValue(this.count)}`
  }
}

/** `Pagination.InvalidCursor`. @internal */
export class InvalidCursor extends /* @__PURE__ */ Data.TaggedError("InvalidCursor")<{
  readonly reason: "BothDirections" | "NotAnId"
  readonly olderId?: unknown
  readonly newerId?: unknown
}> {
  override get message(): string {
    if (this.reason === "BothDirections") {
      return `a page is older than older_id or newer than newer_id, not both: got older_id ${
        showValue(this.olderId)
      } and newer_id ${showValue(this.newerId)}`
    }
    const [name, value] = this.olderId === undefined ? ["newer_id", this.newerId] : ["older_id", this.olderId]
    return `${name} must be a whole number of 0 or more, got ${showValue(value)}`
  }
}

/** `Pagination.CursorNotAdvancing`. @internal */
export class CursorNotAdvancing extends /* @__PURE__ */ Data.TaggedError("CursorNotAdvancing")<{
  readonly direction: "older" | "newer"
  /** The id the page was requested with. */
  readonly from: number
  /** The id bunq gave to continue from. */
  readonly next: number
}> {
  override get message(): string {
    const name = `${this.direction}_id`
    return `bunq's pagination does not move ${this.direction}: the page at ${name} ${this.from} gives ${name} ${this.next} ` +
      `to continue from (it must be ${this.direction === "older" ? "smaller" : "larger"}); the walk stops here`
  }
}

const isValid = (count: number): boolean => Number.isInteger(count) && count >= 1 && count <= maxCount

const isId = (id: number): boolean => Number.isSafeInteger(id) && id >= 0

/** A count or id as text: digits only (no sign, space, exponent, hex or fraction), as bunq reads them. */
const countText = /^\d{1,3}$/
const idText = /^\d{1,16}$/

/** The `InvalidCount` or `InvalidCursor` of `options`, or `undefined` when they are valid. @internal */
export const invalidOptions = (options: Options | undefined): InvalidCount | InvalidCursor | undefined => {
  const count = options?.count ?? maxCount
  if (!isValid(count)) return new InvalidCount({ count })
  const olderId = options?.olderId
  const newerId = options?.newerId
  if (olderId !== undefined && !isId(olderId)) return new InvalidCursor({ reason: "NotAnId", olderId })
  if (newerId !== undefined && !isId(newerId)) return new InvalidCursor({ reason: "NotAnId", newerId })
  if (olderId !== undefined && newerId !== undefined) {
    return new InvalidCursor({ reason: "BothDirections", olderId, newerId })
  }
  return undefined
}

/** The query parameters of valid `options`. @internal */
export const paramsOf = (options: Options | undefined): UrlParams => {
  const params: Record<string, number> = { count: options?.count ?? maxCount }
  if (options?.olderId !== undefined) params["older_id"] = options.olderId
  if (options?.newerId !== undefined) params["newer_id"] = options.newerId
  return params
}

/** The value of the query parameter `name` a request names, in `urlParams` or else in its path's query string. */
const paramIn = (request: ListRequest, name: string): string | number | undefined => {
  const given = request.urlParams?.[name]
  if (given !== undefined) return given
  const query = request.path.indexOf("?")
  if (query === -1) return undefined
  return new URLSearchParams(request.path.slice(query + 1)).get(name) ?? undefined
}

/** A number as it is, text with `pattern` as its number, anything else `NaN`. */
const numberOf = (value: string | number, pattern: RegExp): number =>
  typeof value === "number" ? value : pattern.test(value) ? Number(value) : Number.NaN

/** The `InvalidCount` of a request's `count`, in `urlParams` or its path (see `Pagination.invalidCountIn`). @internal */
export const invalidCountIn = (request: ListRequest): InvalidCount | undefined => {
  const count = paramIn(request, "count")
  return count === undefined || isValid(numberOf(count, countText)) ? undefined : new InvalidCount({ count })
}

/**
 * The `Options` a request's page parameters (`count`, `older_id`, `newer_id`, in `urlParams` or else its path's
 * query string) stand for, or why they are invalid.
 *
 * @internal
 */
export const requestOptions = (request: ListRequest): Either.Either<Options, InvalidCount | InvalidCursor> => {
  const invalidCount = invalidCountIn(request)
  if (invalidCount !== undefined) return Either.left(invalidCount)
  const options: { count?: number; olderId?: number; newerId?: number } = {}
  const count = paramIn(request, "count")
  if (count !== undefined) options.count = numberOf(count, countText)
  const olderId = paramIn(request, "older_id")
  if (olderId !== undefined) {
    options.olderId = numberOf(olderId, idText)
    if (!isId(options.olderId)) return Either.left(new InvalidCursor({ reason: "NotAnId", olderId }))
  }
  const newerId = paramIn(request, "newer_id")
  if (newerId !== undefined) {
    options.newerId = numberOf(newerId, idText)
    if (!isId(options.newerId)) return Either.left(new InvalidCursor({ reason: "NotAnId", newerId }))
  }
  if (olderId !== undefined && newerId !== undefined) {
    return Either.left(new InvalidCursor({ reason: "BothDirections", olderId, newerId }))
  }
  return Either.right(options)
}

const pageParams = ["count", "older_id", "newer_id"] as const

/** The request without `count`, `older_id` and `newer_id`, in `urlParams` or its path. @internal */
export const withoutPageParams = <Req extends ListRequest>(request: Req): Req => {
  const query = request.path.indexOf("?")
  let path = request.path
  if (query !== -1) {
    const params = new URLSearchParams(request.path.slice(query + 1))
    for (const name of pageParams) params.delete(name)
    const rest = params.toString()
    path = rest === "" ? request.path.slice(0, query) : `${request.path.slice(0, query)}?${rest}`
  }
  const { count: _count, newer_id: _newer, older_id: _older, ...urlParams } = request.urlParams ?? {}
  return { ...request, path, urlParams }
}
