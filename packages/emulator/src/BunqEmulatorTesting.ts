/**
 * What a test steers and observes on an emulator (the `Emulator` service's test controls): the faults it can inject,
 * the requests it can hold, the request log and the tokens the emulator issued.
 *
 * Split from `BunqEmulator` (the service, its options and layers) to keep both modules readable; `BunqEmulator`
 * re-exports the older names (`Fault`, `FaultKind`, `FaultMatch`, `LogEntry`, `SignatureCheck`, `AuthKind`).
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"

/**
 * Which requests a hold or fault applies to. `method` (default: any) and `path`, a pattern relative to the base path
 * where `*` matches within one segment and `**` across segments (default: any), e.g. `"/device-server/*"` (a pattern
 * that includes the base path, `"/v1/device-server/*"`, matches too).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestMatch {
  readonly method?: string | undefined
  readonly path?: string | undefined
}

/**
 * Which requests a fault applies to, and for how long: `times` matching requests (default 1; `"unlimited"`: until
 * `clearFaults`), or, with `duration`, every matching request until that much time has passed on the emulator's
 * `Clock` (`TestClock` in tests). With both, the fault ends at whichever comes first.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultMatch extends RequestMatch {
  readonly times?: number | "unlimited" | undefined
  readonly duration?: Duration.DurationInput | undefined
}

/**
 * What a fault does.
 *
 * - `TamperedBody`: the response is processed and signed, then one byte of the body is changed (a digit where there
 *   is one, so the body stays valid JSON).
 * - `TamperedSignature`: the signature header carries a corrupted signature.
 * - `MissingSignature`: no `X-Bunq-Server-Signature` header.
 * - `WrongKey`: the body is signed with another key than the server's.
 * - `Status`: the request is not processed; the response is a bunq error body with that status (429, 5xx, 491 …),
 *   signed unless `signed` is `false`. Its description is bunq's for the status, or `description`; `descriptions`
 *   sets the whole list (`[]` sends `{"Error":[]}`).
 * - `Latency`: the response is delayed by `millis` (through `Clock`, so `TestClock` controls it).
 * - `ConnectionReset`: no response: the HTTP server destroys the socket, the in-process client fails with a
 *   transport error. With `afterProcessing: true` the request is processed first (state changes happen), which is
 *   what makes retrying a POST dangerous.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultKind =
  | { readonly _tag: "TamperedBody" }
  | { readonly _tag: "TamperedSignature" }
  | { readonly _tag: "MissingSignature" }
  | { readonly _tag: "WrongKey" }
  | {
    readonly _tag: "Status"
    readonly status: number
    readonly description?: string | undefined
    readonly descriptions?: ReadonlyArray<string> | undefined
    readonly signed?: boolean | undefined
  }
  | { readonly _tag: "Latency"; readonly millis: number }
  | { readonly _tag: "ConnectionReset"; readonly afterProcessing?: boolean | undefined }

/**
 * @since 0.1.0
 * @category models
 */
export type Fault = FaultKind & FaultMatch

/**
 * A hold on matching requests (`Emulator.hold`): each one that arrives is counted, then waits, unprocessed, until
 * `release` (or the end of the hold's scope). For tests of what a client does while a request is in flight: single
 * flight, interruption, closing a layer mid-request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hold {
  /** How many matching requests have arrived since the hold was placed (held, or let through after `release`). */
  readonly arrivals: Effect.Effect<number>
  /** Wait until at least `count` matching requests have arrived. */
  readonly awaitArrivals: (count: number) => Effect.Effect<void>
  /** Let the held requests go on, and every later one (they are still counted until the scope ends). */
  readonly release: Effect.Effect<void>
}

/**
 * How the request's client signature fared: `verified`, `invalid` (present but wrong), `missing` (absent where it was
 * looked for), `unchecked` (the endpoint ignores signatures, or the request failed before the check).
 *
 * @since 0.1.0
 * @category models
 */
export type SignatureCheck = "verified" | "invalid" | "missing" | "unchecked"

/**
 * The token kind a request presented: `none` (no header), `installation`, `session`, or `unknown` (not a token the
 * emulator issued, or already deleted).
 *
 * @since 0.1.0
 * @category models
 */
export type AuthKind = "none" | "installation" | "session" | "unknown"

/**
 * One handled request. Secrets are never stored: `tokenHash` is the first 16 hex digits of the token's SHA-256 (match
 * it against `IssuedToken.hash` to tell which token a request presented).
 *
 * @since 0.1.0
 * @category models
 */
export interface LogEntry {
  readonly seq: number
  readonly method: string
  /** The path relative to the base path, without the query string, e.g. `/device-server/12`. */
  readonly path: string
  /** The query string without `?`, or `""`. */
  readonly query: string
  /** The status sent; `0` when the connection was reset instead. */
  readonly status: number
  readonly signature: SignatureCheck
  readonly auth: AuthKind
  readonly tokenHash: string | undefined
  readonly clientIp: string
  readonly requestId: string | undefined
  readonly responseId: string
  /** The fault applied to this request, if any. */
  readonly fault: FaultKind["_tag"] | undefined
}

/**
 * A token the emulator handed out (`POST /installation`, `POST /session-server`), for tests that check which token a
 * client used or that no token leaks. The token is `Redacted`; `hash` is what the log keeps (`LogEntry.tokenHash`).
 *
 * @since 0.1.0
 * @category models
 */
export interface IssuedToken {
  readonly kind: "installation" | "session"
  /** The installation's or the session's id. */
  readonly id: number
  readonly token: Redacted.Redacted<string>
  readonly hash: string
}
