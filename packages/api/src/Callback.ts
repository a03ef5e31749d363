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
 * acting on money.
 *
 * @since 0.1.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
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
    target_url: Schema.optionalWith(Schema.String, { nullable: true, exact: true }),
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

/**
 * The address ranges bunq sends production callbacks from.
 *
 * @since 0.1.0
 * @category constants
 */
export const productionSources: ReadonlyArray<string> = ["185.40.108.0/22"]

const ipv4 = (address: string): number | undefined => {
  const text = address.startsWith("::ffff:") ? address.slice(7) : address
  const parts = text.split(".")
  if (parts.length !== 4) return undefined
  let value = 0
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined
    value = value * 256 + Number(part)
  }
  return value
}

/**
 * Whether an IPv4 address (also IPv4-mapped IPv6, `::ffff:185.40.108.9`) is in one of the CIDR ranges.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isInRanges = (address: string, ranges: ReadonlyArray<string>): boolean => {
  const ip = ipv4(address)
  if (ip === undefined) return false
  return ranges.some((range) => {
    const [base, bits] = range.split("/")
    const network = ipv4(base ?? "")
    const prefix = Number(bits ?? "32")
    if (network === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false
    const size = 2 ** (32 - prefix)
    return Math.floor(ip / size) === Math.floor(network / size)
  })
}

/**
 * @since 0.1.0
 * @category models
 */
export interface HttpAppOptions {
  /**
   * Accept callbacks only from these CIDR ranges (e.g. `productionSources`); others are answered 403 and not
   * handled. Default: any source. See the module doc for what this proves.
   */
  readonly sources?: ReadonlyArray<string> | undefined
  /** The peer address to check. Default: the request's `remoteAddress` (the TCP peer). */
  readonly remoteAddress?: ((request: HttpServerRequest.HttpServerRequest) => Option.Option<string>) | undefined
}

/**
 * An `HttpApp` for a notification filter URL: it checks the source (when `sources` is given), decodes the body, and
 * answers 200 at once while `handle` runs in its own fiber, so bunq never waits for your processing (a slow answer
 * counts as a failure and bunq retries). A body that is not a callback is answered 400, with the `CallbackError`'s
 * message. A failure of `handle` is logged; bunq does not see it, so put work that must not be lost on a queue of
 * your own.
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpApp = <E, R>(
  handle: (callback: Callback) => Effect.Effect<void, E, R>,
  options?: HttpAppOptions
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest> =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (options?.sources !== undefined) {
      const address = (options.remoteAddress ?? ((r) => r.remoteAddress))(request)
      if (Option.isNone(address) || !isInRanges(address.value, options.sources)) {
        return HttpServerResponse.text("source address not allowed", { status: 403 })
      }
    }
    const text = yield* Effect.orElseSucceed(request.text, () => "")
    const decoded = decodeJson(text)
    if (Either.isLeft(decoded)) return HttpServerResponse.text(decoded.left.message, { status: 400 })
    yield* Effect.forkDaemon(
      Effect.catchAllCause(handle(decoded.right), (cause) => Effect.logError("bunq callback handler failed", cause))
    )
    return HttpServerResponse.empty({ status: 200 })
  })
