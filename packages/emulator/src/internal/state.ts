/**
 * The emulator's state (one `Store` per emulator instance), the per-request state the pipeline fills in, and the
 * small helpers every route uses (body decoding, path ids, bunq's error as a typed failure).
 *
 * @internal
 */
import type * as Signer from "@effect-bunq/signer/Signer"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import type * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type { CallbackDelivery, Fidelity, PrettyPrint, RateLimits } from "../BunqEmulator.js"
import type { AuthKind, LogEntry, SignatureCheck } from "../BunqEmulatorTesting.js"
import type { FaultEntry } from "./faults.js"
import { Grants } from "./grantState.js"
import { Ledger } from "./ledger.js"
import * as Messages from "./messages.js"
import type { DeviceRecord, UserRecord } from "./objects.js"

/** @internal */
export interface InstallationRecord {
  readonly id: number
  readonly tokenId: number
  readonly token: string
  readonly created: number
  readonly clientPublicKeyPem: string
  readonly requestIds: Set<string>
}

/** @internal */
export interface SessionRecord {
  readonly id: number
  readonly tokenId: number
  readonly token: string
  readonly created: number
  expiresAt: number
  readonly userId: number
  readonly installationId: number
  readonly deviceId: number
}

/** @internal */
export class Store {
  nextUserId = 3001
  nextInstallationId = 101
  nextTokenId = 5001
  nextDeviceId = 20001
  nextSessionId = 701
  nextLogSeq = 1
  readonly users = new Map<number, UserRecord>()
  readonly usersByApiKey = new Map<string, UserRecord>()
  readonly installations = new Map<number, InstallationRecord>()
  readonly installationsByToken = new Map<string, InstallationRecord>()
  readonly devices = new Map<number, DeviceRecord>()
  readonly sessions = new Map<number, SessionRecord>()
  readonly sessionsByToken = new Map<string, SessionRecord>()
  readonly faults: Array<FaultEntry> = []
  readonly log: Array<LogEntry> = []
  readonly rate = new Map<string, Array<number>>()
  readonly deviceByInstallationUser = new Map<string, number>()
  readonly ledger = new Ledger()
  readonly grants = new Grants()
  readonly deliveries: Array<CallbackDelivery> = []
  nextDeliverySeq = 1
  /** Every installation and session token issued, oldest first (`Emulator.tokens`); kept by `forgetRegistrations`. */
  readonly issued: Array<{ readonly kind: "installation" | "session"; readonly id: number; readonly token: string }> =
    []
}

/** What every part of one emulator shares: its settings, keys and state. @internal */
export interface Env {
  readonly signer: Signer.Signer.Service
  readonly basePath: string
  readonly rateLimits: RateLimits | undefined
  readonly prettyPrint: PrettyPrint
  readonly defaultSessionTimeout: number
  readonly serverKey: Signer.KeyPair
  readonly storeRef: Ref.Ref<Store>
  readonly withStore: <A>(f: (store: Store) => A) => Effect.Effect<A>
  /** Every wire-format behaviour resolved (all on unless switched off). */
  readonly fidelity: { readonly [K in keyof Fidelity]-?: boolean }
  readonly callbackRetries: number
  readonly callbackRetrySpacing: Duration.Duration
}

/** @internal */
export const randomHex = (bytes: number): string => {
  const buffer = new Uint8Array(bytes)
  globalThis.crypto.getRandomValues(buffer)
  let out = ""
  for (const b of buffer) out += b.toString(16).padStart(2, "0")
  return out
}

/** @internal */
export const sha256Prefix = (text: string): Effect.Effect<string> =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).pipe(
    Effect.map((digest) => {
      let out = ""
      for (const b of new Uint8Array(digest).subarray(0, 8)) out += b.toString(16).padStart(2, "0")
      return out
    })
  )

/**
 * The request target as a URL. A path is read against the emulator's origin literally: `new URL("//", base)` would
 * take `//…` for a host and throw, which made a request for `/v1/..//` a defect instead of a 404.
 *
 * @internal
 */
export const parseTarget = (target: string): URL => {
  try {
    return new URL(
      target.startsWith("/") ? `http://bunq-emulator.localhost${target}` : target,
      "http://bunq-emulator.localhost"
    )
  } catch {
    return new URL("http://bunq-emulator.localhost/%00")
  }
}

/** @internal */
export const normalizeIp = (ip: string): string => {
  const trimmed = ip.trim()
  return trimmed.startsWith("::ffff:") && trimmed.includes(".") ? trimmed.slice(7) : trimmed
}

/** First index whose id is >= `id` (ids ascending). @internal */
export const lowerBound = (ids: ReadonlyArray<number>, id: number): number => {
  let lo = 0
  let hi = ids.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (ids[mid] < id) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** @internal */
export const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8", { fatal: true })

/** A request failure answered with bunq's error body. @internal */
export class ApiFailure extends Data.TaggedError("ApiFailure")<{
  readonly status: number
  readonly message: Messages.Message
}> {}

/** @internal */
export const fail = (status: number, message: Messages.Message) => Effect.fail(new ApiFailure({ status, message }))

/** `fail` as a value, for the checks made inside one store step (`inOneStep`). @internal */
export const refuse = (status: number, message: Messages.Message): Either.Either<never, ApiFailure> =>
  Either.left(new ApiFailure({ status, message }))

/**
 * Check and change the store in one step: `step` runs synchronously, so no other request sees the store between its
 * checks and its changes (a status checked there is still the status when it is changed). A `Left` is the answer.
 *
 * @internal
 */
export const inOneStep = <A>(
  env: Pick<Env, "withStore">,
  step: (store: Store) => Either.Either<A, ApiFailure>
): Effect.Effect<A, ApiFailure> => Effect.flatMap(env.withStore(step), (result) => result)

/** @internal */
export interface Reply {
  readonly status?: number | undefined
  readonly items: ReadonlyArray<unknown>
  readonly pagination?: unknown
  readonly pretty?: boolean | undefined
  /** Escape `/` as `\/` the way bunq's PHP encoder does (while `escapedSlashes` fidelity is on). */
  readonly escapeSlashes?: boolean | undefined
  /** Send `Content-Type: application/json; charset=utf-8` (while `mixedContentType` fidelity is on). */
  readonly charset?: boolean | undefined
  /** Raw bytes instead of a JSON body (attachment content). */
  readonly raw?: { readonly bytes: Uint8Array; readonly contentType: string } | undefined
}

/** What the pipeline learns about one request while handling it (for the log). @internal */
export interface RequestState {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly searchParams: URLSearchParams
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: Uint8Array
  readonly clientIp: string
  readonly now: number
  auth: AuthKind
  tokenHash: string | undefined
  signature: SignatureCheck
}

/** @internal */
export class CurrentRequest extends Context.Tag("@effect-bunq/emulator/internal/CurrentRequest")<
  CurrentRequest,
  RequestState
>() {}

/** @internal */
export const jsonBody = (state: RequestState): Effect.Effect<Record<string, unknown>, ApiFailure> =>
  Effect.suspend(() => {
    try {
      const text = state.body.length === 0 ? "{}" : decoder.decode(state.body)
      const value: unknown = JSON.parse(text)
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return fail(400, Messages.invalidJson)
      }
      return Effect.succeed(value as Record<string, unknown>)
    } catch {
      return fail(400, Messages.invalidJson)
    }
  })

/** Decode a request body with the schema package's request-body schema; a bad field answers 400 naming it. @internal */
export const decodeBody = <A, I>(schema: Schema.Schema<A, I>, state: RequestState): Effect.Effect<A, ApiFailure> =>
  Effect.flatMap(jsonBody(state), (json) =>
    Schema.decodeUnknown(schema)(json).pipe(
      Effect.mapError((error) => {
        const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
        const field = issue !== undefined && issue.path.length > 0 ? String(issue.path[0]) : "body"
        return new ApiFailure({ status: 400, message: Messages.invalidField(field) })
      })
    ))

/** @internal */
export const pathId = (
  type: string,
  dutch: string,
  name = "id"
): Effect.Effect<number, ApiFailure, HttpRouter.RouteContext> =>
  Effect.flatMap(HttpRouter.params, (params) => {
    const raw = params[name]
    const id = raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN
    return Number.isSafeInteger(id) ? Effect.succeed(id) : fail(404, Messages.notFound(type, dutch, String(raw)))
  })
