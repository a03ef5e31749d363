/**
 * Callbacks: the body bunq POSTs to a notification filter's URL (`NotificationFilterUrl.create`), decoded into a
 * typed value, and an `HttpApp` that receives them.
 *
 * bunq sends `{"NotificationUrl":{"target_url","category","event_type","object":{"Payment":{...}}}}`; the `object`
 * is one of the event objects (`Schemas.EventObject`: `Payment`, `RequestInquiry`, `BunqMeTab`, …), a tagged union
 * with an `Unknown` case, so that an object type bunq adds later still decodes.
 *
 * ```ts
 * import * as Callback from "@effect-bunq/api/Callback"
 * import { Effect } from "effect"
 *
 * const app = Callback.httpApp((callback) =>
 *   Effect.log(`${callback.category} ${callback.eventType}: ${Callback.objectType(callback)} ${Callback.objectId(callback)}`)
 * )
 * ```
 *
 * What the source-address check proves, and what it does not: bunq sends production callbacks from 185.40.108.0/22
 * (`productionSources`), over HTTPS, and retries a failed one 5 times a minute apart. With `sources`, a request whose
 * peer address is outside the ranges is answered 403 and not handled. It proves only that the TCP peer is in those
 * ranges: behind a reverse proxy or a load balancer the peer is the proxy (pass `remoteAddress` to read the address
 * the proxy vouches for); the ranges are bunq's today and may change; the sandbox sends from changing AWS addresses,
 * so no range works there; and it says nothing about the body (callbacks are not signed for you here). Treat a
 * callback as a hint that something changed: fetch the object by its id through the API (signed and verified) before
 * acting on money. The ranges are IPv4 only (`SourceRange`, parsed strictly); an IPv6 peer passes only when it is
 * IPv4-mapped.
 *
 * The URL is public, so `httpApp` reads at most `maxBodyBytes` of a body (default 1 MiB) and answers 413 past that.
 *
 * @since 0.1.0
 */
import { optional } from "@effect-bunq/schema/Common"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Schemas from "./Schemas.js"

/**
 * A decoded callback.
 *
 * @since 0.1.0
 * @category models
 */
export interface Callback {
  /** The URL bunq posted to (as registered on the notification filter). */
  readonly targetUrl: string | undefined
  /** The notification category, e.g. `"MUTATION"`, `"PAYMENT"`, `"REQUEST"`, `"BUNQME_TAB"`. */
  readonly category: string
  /** What happened, e.g. `"MUTATION_CREATED"`, `"REQUEST_INQUIRY_ACCEPTED"`. */
  readonly eventType: string
  /** The object the event is about, by its wrapper key. */
  readonly object: Schemas.EventObject
}

/**
 * A body that is not a bunq callback: `InvalidJson` (not JSON), `NotACallback` (no `NotificationUrl` object with a
 * category, an event type and an object, or an object that does not match its type). The message names what is
 * missing or wrong, never a value from the body.
 *
 * @since 0.1.0
 * @category errors
 */
export class CallbackError extends Schema.TaggedError<CallbackError>("@effect-bunq/api/CallbackError")(
  "CallbackError",
  {
    reason: Schema.Literal("InvalidJson", "NotACallback"),
    description: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `not a bunq callback: ${this.description}`
  }
}

const Body = Schema.Struct({
  NotificationUrl: Schema.Struct({
    target_url: optional(Schema.String),
    category: Schema.String,
    event_type: Schema.String,
    object: Schemas.EventObject
  })
})

const decodeBody = Schema.decodeUnknownEither(Body, { errors: "first", onExcessProperty: "ignore" })

/** Where decoding failed, as a path and the expected type; no value from the input. */
const describe = (issue: ParseResult.ParseIssue): string => {
  const path: Array<PropertyKey> = []
  let current: ParseResult.ParseIssue = issue
  for (;;) {
    switch (current._tag) {
      case "Pointer":
        path.push(...(Array.isArray(current.path) ? current.path : [current.path]))
        current = current.issue
        continue
      case "Composite": {
        const first = Array.isArray(current.issues) ? current.issues[0] : current.issues
        if (first === undefined) break
        current = first
        continue
      }
      case "Refinement":
      case "Transformation":
        current = current.issue
        continue
    }
    break
  }
  const where = path.length === 0 ? "the body" : path.map(String).join(".")
  return current._tag === "Missing" ? `${where} is missing` : `${where} is not ${expected(current)}`
}

const expected = (issue: ParseResult.ParseIssue): string =>
  issue._tag === "Type" && issue.message !== undefined && !issue.message.includes("actual")
    ? issue.message.replace(/^expected /, "")
    : "of the expected type"

/**
 * Decode a parsed JSON body.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (body: unknown): Either.Either<Callback, CallbackError> =>
  Either.match(decodeBody(body), {
    onLeft: (error) => Either.left(new CallbackError({ reason: "NotACallback", description: describe(error.issue) })),
    onRight: ({ NotificationUrl: n }) =>
      Either.right({ targetUrl: n.target_url, category: n.category, eventType: n.event_type, object: n.object })
  })

/**
 * Decode a body's text.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeJson = (text: string): Either.Either<Callback, CallbackError> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(new CallbackError({ reason: "InvalidJson", description: "the body is not JSON" }))
  }
  return decode(json)
}

/**
 * The object's type: its wrapper key (`"Payment"`, `"RequestInquiry"`), also for a type this version does not know;
 * `undefined` for an empty object.
 *
 * @since 0.1.0
 * @category accessors
 */
export const objectType = (callback: Callback): string | undefined =>
  callback.object._tag === "Unknown" ? callback.object.typeName : callback.object._tag

/**
 * The object's id, when it has an integer `id`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const objectId = (callback: Callback): number | undefined => {
  const object = callback.object
  const value: unknown = object._tag === "Unknown"
    ? (object.typeName === undefined ? undefined : (object.raw as Record<string, unknown>)[object.typeName])
    : object.value
  const id = typeof value === "object" && value !== null ? (value as { readonly id?: unknown }).id : undefined
  return typeof id === "number" ? id : undefined
}

/** A dotted-quad IPv4 address as a number: four octets 0–255 in plain decimals (no sign, space or leading zero). */
const dottedQuad = (text: string): number | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4) return undefined
  let value = 0
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined
    value = value * 256 + Number(part)
  }
  return value
}

/** An IPv6 address as its eight 16-bit groups (`::` expanded, a dotted-quad tail as two groups), in any case. */
const ipv6Groups = (text: string): ReadonlyArray<number> | undefined => {
  const lastColon = text.lastIndexOf(":")
  if (lastColon < 0) return undefined
  let hex = text
  const last = text.slice(lastColon + 1)
  if (last.includes(".")) {
    const v4 = dottedQuad(last)
    if (v4 === undefined) return undefined
    hex = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`
  }
  const halves = hex.split("::")
  if (halves.length > 2) return undefined
  const groups = (half: string): Array<number> | undefined => {
    if (half === "") return []
    const parsed: Array<number> = []
    for (const group of half.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined
      parsed.push(parseInt(group, 16))
    }
    return parsed
  }
  const head = groups(halves[0]!)
  const back = halves.length === 2 ? groups(halves[1]!) : []
  if (head === undefined || back === undefined) return undefined
  const given = head.length + back.length
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined
  return [...head, ...Array<number>(8 - given).fill(0), ...back]
}

/**
 * A peer address as an IPv4 number: a dotted quad, or an IPv4-mapped IPv6 address (`::ffff:185.40.108.9`, also
 * spelled `::FFFF:…`, `0:0:0:0:0:ffff:…` or with the IPv4 part in hex). Any other IPv6 address is none.
 */
const ipv4 = (address: string): number | undefined => {
  if (!address.includes(":")) return dottedQuad(address)
  const groups = ipv6Groups(address)
  if (groups === undefined || groups.slice(0, 5).some((group) => group !== 0) || groups[5] !== 0xffff) {
    return undefined
  }
  return groups[6]! * 65536 + groups[7]!
}

interface Range {
  readonly network: number
  readonly prefix: number
}

/** A range as its network and prefix length: `a.b.c.d/n` (n a plain decimal 0–32) or one address `a.b.c.d` (/32). */
const parseRange = (range: string): Range | undefined => {
  const slash = range.indexOf("/")
  const network = dottedQuad(slash < 0 ? range : range.slice(0, slash))
  const bits = slash < 0 ? "32" : range.slice(slash + 1)
  if (network === undefined || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined
  return { network, prefix: Number(bits) }
}

const inRange = (ip: number, range: Range): boolean => {
  const size = 2 ** (32 - range.prefix)
  return Math.floor(ip / size) === Math.floor(range.network / size)
}

/**
 * An IPv4 range in CIDR notation, checked: `185.40.108.0/22` (a prefix length 0–32), or one address
 * `185.40.108.9`. Octets and the prefix are plain decimals; anything else (`185.40.108.0/`, `185.40.108.0/ 22`,
 * `185.40.108.0/-0`, an IPv6 range) is refused, so that a typo can never widen the check. IPv6 ranges are not
 * supported. `SourceRange.make("10.0.0.0/8")` throws on a malformed range (a typo in code); decode ranges from
 * configuration with `Schema.decodeUnknown(Schema.Array(SourceRange))` for a typed `ParseError`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SourceRange: Schema.brand<Schema.filter<typeof Schema.String>, "@effect-bunq/api/Callback/SourceRange"> =
  Schema.String.pipe(
    Schema.filter((range) => parseRange(range) !== undefined, {
      identifier: "SourceRange",
      message: () => "an IPv4 CIDR range such as 185.40.108.0/22 (octets and prefix length in plain decimals)"
    }),
    Schema.brand("@effect-bunq/api/Callback/SourceRange")
  )

/**
 * @since 0.1.0
 * @category schemas
 */
export type SourceRange = typeof SourceRange.Type

/**
 * The address ranges bunq sends production callbacks from.
 *
 * @since 0.1.0
 * @category constants
 */
export const productionSources: ReadonlyArray<SourceRange> = [SourceRange.make("185.40.108.0/22")]

/**
 * Whether an IPv4 address (also IPv4-mapped IPv6, `::ffff:185.40.108.9` in any spelling) is in one of the CIDR
 * ranges. A malformed range (see `SourceRange`) matches no address; IPv6 ranges are not supported.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isInRanges = (address: string, ranges: ReadonlyArray<string>): boolean => {
  const ip = ipv4(address)
  if (ip === undefined) return false
  return ranges.some((text) => {
    const range = parseRange(text)
    return range !== undefined && inRange(ip, range)
  })
}

/**
 * The default `maxBodyBytes`: 1 MiB (bunq's callback bodies are a few KB).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxBodyBytes: number = 1024 * 1024

/**
 * @since 0.1.0
 * @category models
 */
export interface HttpAppOptions {
  /**
   * Accept callbacks only from these IPv4 CIDR ranges (e.g. `productionSources`; others with `SourceRange`); others
   * are answered 403 and not handled. Default: any source. See the module doc for what this proves.
   */
  readonly sources?: ReadonlyArray<SourceRange> | undefined
  /** The peer address to check. Default: the request's `remoteAddress` (the TCP peer). */
  readonly remoteAddress?: ((request: HttpServerRequest.HttpServerRequest) => Option.Option<string>) | undefined
  /**
   * The largest body read, in bytes (default `defaultMaxBodyBytes`, 1 MiB). A request that declares a longer
   * `Content-Length` is answered 413 before its body is read; one that turns out longer is cut off there.
   */
  readonly maxBodyBytes?: number | undefined
}

/** The options, checked once (when the app is built): the ranges parsed, or what is wrong with them. */
const checkOptions = (
  options: HttpAppOptions | undefined
): Either.Either<{ readonly ranges: ReadonlyArray<Range> | undefined; readonly max: number }, string> => {
  const max = options?.maxBodyBytes ?? defaultMaxBodyBytes
  if (!(Number.isSafeInteger(max) && max >= 1)) return Either.left("maxBodyBytes is not a positive integer")
  if (options?.sources === undefined) return Either.right({ ranges: undefined, max })
  const ranges: Array<Range> = []
  for (const [i, text] of options.sources.entries()) {
    const range = parseRange(text)
    if (range === undefined) return Either.left(`sources[${i}] is not an IPv4 CIDR range`)
    ranges.push(range)
  }
  return Either.right({ ranges, max })
}

/** The declared `Content-Length` is over `max`. */
const declaresMore = (request: HttpServerRequest.HttpServerRequest, max: number): boolean => {
  const length = request.headers["content-length"]
  return length !== undefined && /^\d+$/.test(length) && Number(length) > max
}

/**
 * The body as text (UTF-8, a byte order mark dropped), read up to `max` bytes: none when it is longer. A body that
 * cannot be read (the client went away, no body) is empty text.
 */
const readBody = (
  request: HttpServerRequest.HttpServerRequest,
  max: number
): Effect.Effect<Option.Option<string>> =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    return request.stream.pipe(
      Stream.runFoldWhile(0, (size) => size <= max, (size, chunk) => {
        chunks.push(chunk)
        return size + chunk.length
      }),
      Effect.map((size) => {
        if (size > max) return Option.none()
        const bytes = new Uint8Array(size)
        let offset = 0
        for (const chunk of chunks) {
          bytes.set(chunk, offset)
          offset += chunk.length
        }
        return Option.some(new TextDecoder().decode(bytes))
      }),
      Effect.orElseSucceed(() => Option.some(""))
    )
  })

const tooLarge = () =>
  HttpServerResponse.text("callback body too large", { status: 413, headers: { connection: "close" } })

/**
 * An `HttpApp` for a notification filter URL: it checks the source (when `sources` is given), reads the body (at
 * most `maxBodyBytes`, else 413), decodes it, and answers 200 at once while `handle` runs in its own fiber, so bunq
 * never waits for your processing (a slow answer counts as a failure and bunq retries). A body that is not a callback
 * is answered 400, with the `CallbackError`'s message. A failure of `handle` (also an exception it throws) is logged;
 * bunq does not see it, so put work that must not be lost on a queue of your own.
 *
 * The options are checked once, here: a malformed source range (possible only by a cast past `SourceRange`) or a
 * `maxBodyBytes` that is not a positive integer makes the app answer every request 500 and log why, never accept more.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpApp = <E, R>(
  handle: (callback: Callback) => Effect.Effect<void, E, R>,
  options?: HttpAppOptions
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest> => {
  const checked = checkOptions(options)
  if (Either.isLeft(checked)) {
    return Effect.as(
      Effect.logError(`bunq callback app misconfigured: ${checked.left}`),
      HttpServerResponse.text("callback receiver misconfigured", { status: 500 })
    )
  }
  const { max, ranges } = checked.right
  const remoteAddress = options?.remoteAddress ?? ((request) => request.remoteAddress)
  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (ranges !== undefined) {
      const ip = Option.flatMapNullable(remoteAddress(request), ipv4)
      if (Option.isNone(ip) || !ranges.some((range) => inRange(ip.value, range))) {
        return HttpServerResponse.text("source address not allowed", { status: 403 })
      }
    }
    if (declaresMore(request, max)) return tooLarge()
    const text = yield* readBody(request, max)
    if (Option.isNone(text)) return tooLarge()
    const decoded = decodeJson(text.value)
    if (Either.isLeft(decoded)) return HttpServerResponse.text(decoded.left.message, { status: 400 })
    const callback = decoded.right
    yield* Effect.forkDaemon(
      Effect.catchAllCause(
        Effect.suspend(() => handle(callback)),
        (cause) => Effect.logError("bunq callback handler failed", cause)
      )
    )
    return HttpServerResponse.empty({ status: 200 })
  })
}
