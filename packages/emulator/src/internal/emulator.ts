/**
 * The emulator: state, security pipeline, routes (an `HttpRouter`) and fault injection.
 *
 * @internal
 */
import * as DeviceServer from "@effect-bunq/schema/DeviceServer"
import * as Installation from "@effect-bunq/schema/Installation"
import * as SessionServer from "@effect-bunq/schema/SessionServer"
import * as Signer from "@effect-bunq/signer/Signer"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type {
  AuthKind,
  CreateUserOptions,
  Emulator as EmulatorNs,
  Fault,
  FaultKind,
  LogEntry,
  Options,
  PrettyPrint,
  RateLimit,
  RateLimits,
  SandboxUser,
  SignatureCheck
} from "../BunqEmulator.js"
import { ConnectionReset, Emulator } from "../BunqEmulator.js"
import * as Messages from "./messages.js"
import type { DeviceRecord, UserRecord } from "./objects.js"
import { deviceObject, timestamp, userWrapper } from "./objects.js"

/** @internal */
export const bunqRateLimits: RateLimits = {
  GET: { calls: 3, seconds: 3 },
  POST: { calls: 5, seconds: 3 },
  PUT: { calls: 2, seconds: 3 },
  DELETE: { calls: 2, seconds: 3 },
  sessionServer: { calls: 1, seconds: 30 }
}

// -----------------------------------------------------------------------------
// state
// -----------------------------------------------------------------------------

interface InstallationRecord {
  readonly id: number
  readonly tokenId: number
  readonly token: string
  readonly created: number
  readonly clientPublicKeyPem: string
  readonly requestIds: Set<string>
}

interface SessionRecord {
  readonly id: number
  readonly tokenId: number
  readonly token: string
  readonly created: number
  expiresAt: number
  readonly userId: number
  readonly installationId: number
  readonly deviceId: number
}

interface FaultEntry {
  readonly fault: Fault
  remaining: number
  readonly pattern: RegExp | undefined
}

class Store {
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
}

// -----------------------------------------------------------------------------
// helpers
// -----------------------------------------------------------------------------

const randomHex = (bytes: number): string => {
  const buffer = new Uint8Array(bytes)
  globalThis.crypto.getRandomValues(buffer)
  let out = ""
  for (const b of buffer) out += b.toString(16).padStart(2, "0")
  return out
}

const sha256Prefix = (text: string): Effect.Effect<string> =>
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
 */
const parseTarget = (target: string): URL => {
  try {
    return new URL(
      target.startsWith("/") ? `http://bunq-emulator.local${target}` : target,
      "http://bunq-emulator.local"
    )
  } catch {
    return new URL("http://bunq-emulator.local/%00")
  }
}

const normalizeIp = (ip: string): string => {
  const trimmed = ip.trim()
  return trimmed.startsWith("::ffff:") && trimmed.includes(".") ? trimmed.slice(7) : trimmed
}

const globToRegExp = (pattern: string): RegExp => {
  let source = ""
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        source += ".*"
        i++
      } else {
        source += "[^/]*"
      }
    } else {
      source += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&")
    }
  }
  return new RegExp(`^${source}$`)
}

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8", { fatal: true })

/** A request failure answered with bunq's error body. */
class ApiFailure extends Data.TaggedError("ApiFailure")<{
  readonly status: number
  readonly message: Messages.Message
}> {}

const fail = (status: number, message: Messages.Message) => Effect.fail(new ApiFailure({ status, message }))

interface Reply {
  readonly status?: number | undefined
  readonly items: ReadonlyArray<unknown>
  readonly pagination?: unknown
  readonly pretty?: boolean | undefined
}

/** What the pipeline learns about one request while handling it (for the log). */
interface RequestState {
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

class CurrentRequest extends Context.Tag("@effect-bunq/emulator/internal/CurrentRequest")<
  CurrentRequest,
  RequestState
>() {}

type Authorized =
  | { readonly _tag: "None" }
  | { readonly _tag: "Installation"; readonly installation: InstallationRecord }
  | {
    readonly _tag: "Session"
    readonly session: SessionRecord
    readonly installation: InstallationRecord
    readonly user: UserRecord
  }

type SessionAuth = Extract<Authorized, { readonly _tag: "Session" }>
type InstallationAuth = Extract<Authorized, { readonly _tag: "Installation" }>

const jsonBody = (state: RequestState): Effect.Effect<Record<string, unknown>, ApiFailure> =>
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

/** Decode a request body with the schema package's request-body schema; a bad field answers 400 naming it. */
const decodeBody = <A, I>(schema: Schema.Schema<A, I>, state: RequestState): Effect.Effect<A, ApiFailure> =>
  Effect.flatMap(jsonBody(state), (json) =>
    Schema.decodeUnknown(schema)(json).pipe(
      Effect.mapError((error) => {
        const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
        const field = issue !== undefined && issue.path.length > 0 ? String(issue.path[0]) : "body"
        return new ApiFailure({ status: 400, message: Messages.invalidField(field) })
      })
    ))

const pathId = (type: string, dutch: string): Effect.Effect<number, ApiFailure, HttpRouter.RouteContext> =>
  Effect.flatMap(HttpRouter.params, (params) => {
    const raw = params.id
    const id = raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN
    return Number.isSafeInteger(id) ? Effect.succeed(id) : fail(404, Messages.notFound(type, dutch, String(raw)))
  })

/** First index whose id is >= `id` (ids ascending). */
const lowerBound = (ids: ReadonlyArray<number>, id: number): number => {
  let lo = 0
  let hi = ids.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (ids[mid] < id) lo = mid + 1
    else hi = mid
  }
  return lo
}

const flipByte = (bytes: Uint8Array): Uint8Array => {
  const copy = new Uint8Array(bytes)
  // Prefer a digit: the body stays valid JSON with a different value, so only verification can tell.
  let index = copy.findIndex((b) => b >= 0x30 && b <= 0x39)
  if (index === -1) index = copy.length >> 1
  if (copy.length === 0) return copy
  copy[index] = copy[index] >= 0x30 && copy[index] <= 0x39 ? 0x30 + ((copy[index] - 0x30 + 1) % 10) : copy[index] ^ 1
  return copy
}

const corruptSignature = (signature: string): string => {
  const first = signature[0] === "A" ? "B" : "A"
  return first + signature.slice(1)
}

// -----------------------------------------------------------------------------
// make
// -----------------------------------------------------------------------------

/** @internal */
export const make = (options: Options = {}): Effect.Effect<EmulatorNs.Service, Signer.SignerError, Signer.Signer> =>
  Effect.gen(function*() {
    const signer = yield* Signer.Signer
    const basePath = (options.basePath ?? "/v1").replace(/\/+$/, "")
    const rateLimits = options.rateLimits === false ? undefined : options.rateLimits
    const defaultSessionTimeout = options.sessionTimeout ?? 604800
    const trustClientIpHeader = options.trustClientIpHeader ?? false
    const clientIpHeader = (options.clientIpHeader ?? "X-Emulator-Client-Ip").toLowerCase()
    const prettyPrint: PrettyPrint = options.prettyPrint ?? "some"
    const serverKey = options.serverKeyPair ?? (yield* signer.generateKeyPair({ extractable: false }))
    // Generated once, on first use, in its own fiber: a request cut off (a client timeout) while the key is being
    // generated must not leave its interruption memoized for every later `WrongKey` response.
    const otherKeyFiber = yield* Effect.cached(
      Effect.forkDaemon(Effect.orDie(signer.generateKeyPair({ extractable: false })))
    )
    const otherKey = Effect.flatMap(otherKeyFiber, Fiber.join)
    const storeRef = yield* Ref.make(new Store())
    const originRef = yield* Ref.make("http://bunq-emulator.local")

    const withStore = <A>(f: (store: Store) => A): Effect.Effect<A> => Effect.map(Ref.get(storeRef), f)

    // --- users and devices -----------------------------------------------------

    const addUser = (store: Store, now: number, opts: CreateUserOptions | undefined): UserRecord => {
      const type = opts?.type ?? "person"
      const user: UserRecord = {
        id: store.nextUserId++,
        type,
        apiKey: type === "api-key" ? randomHex(32) : `sandbox_${randomHex(28)}`,
        created: now,
        sessionTimeout: opts?.sessionTimeout ?? defaultSessionTimeout,
        binding: undefined,
        devices: []
      }
      store.users.set(user.id, user)
      store.usersByApiKey.set(user.apiKey, user)
      return user
    }

    const addDevice = (
      store: Store,
      user: UserRecord,
      fields: { created: number; description: string; ip: string; installationId: number | undefined }
    ): DeviceRecord => {
      const device: DeviceRecord = { id: store.nextDeviceId++, status: "ACTIVE", userId: user.id, ...fields }
      store.devices.set(device.id, device)
      user.devices.push(device.id)
      if (fields.installationId !== undefined) {
        store.deviceByInstallationUser.set(`${fields.installationId}:${user.id}`, device.id)
      }
      return device
    }

    const createSandboxUser = (opts?: CreateUserOptions): Effect.Effect<SandboxUser> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        withStore((store) => {
          const user = addUser(store, now, opts)
          return { id: user.id, type: user.type, apiKey: Redacted.make(user.apiKey) }
        }))

    const seedDevices = (
      target: number | string | SandboxUser | Redacted.Redacted<string>,
      count: number
    ): Effect.Effect<ReadonlyArray<number>> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatten(withStore((store) => {
          const user = typeof target === "number"
            ? store.users.get(target)
            : typeof target === "string"
            ? store.usersByApiKey.get(target)
            : Redacted.isRedacted(target)
            ? store.usersByApiKey.get(Redacted.value(target))
            : store.users.get(target.id)
          if (user === undefined) return Effect.dieMessage("seedDevices: no such user")
          const ids: Array<number> = []
          for (let i = 0; i < count; i++) {
            const device = addDevice(store, user, {
              created: now - (count - i) * 1000,
              description: `Seeded device ${i + 1} · Zoë’s werkplek`,
              ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
              installationId: undefined
            })
            ids.push(device.id)
          }
          return Effect.succeed(ids)
        })))

    // --- security pipeline -------------------------------------------------------

    const ipPermitted = (user: UserRecord, ip: string): boolean =>
      user.binding === undefined || user.binding.wildcard || user.binding.ips.has(ip)

    const rateLimit = (state: RequestState, category: keyof RateLimits, endpoint: string) =>
      Effect.suspend(() => {
        if (rateLimits === undefined) return Effect.void
        const limit: RateLimit = rateLimits[category]
        return withStore((store) => {
          const key = `${state.clientIp} ${state.method} ${endpoint}`
          const windowStart = state.now - limit.seconds * 1000
          const calls = (store.rate.get(key) ?? []).filter((t) => t > windowStart)
          const allowed = calls.length < limit.calls
          if (allowed) calls.push(state.now)
          store.rate.set(key, calls)
          return allowed
        }).pipe(
          Effect.flatMap((allowed) =>
            allowed ? Effect.void : fail(429, Messages.rateLimited(limit.calls, limit.seconds))
          )
        )
      })

    const checkSignature = (state: RequestState, installation: InstallationRecord, required: boolean) =>
      Effect.suspend(() => {
        const signature = state.headers["x-bunq-client-signature"]
        if (signature === undefined || signature.length === 0) {
          if (!required) return Effect.void
          state.signature = "missing"
          return fail(466, Messages.signatureRequired)
        }
        return signer.verify(installation.clientPublicKeyPem, state.body, signature).pipe(
          Effect.matchEffect({
            onFailure: () => {
              state.signature = "invalid"
              return fail(400, Messages.signatureInvalid)
            },
            onSuccess: () => {
              state.signature = "verified"
              return Effect.void
            }
          })
        )
      })

    const checkRequestId = (state: RequestState, installation: InstallationRecord) =>
      Effect.suspend(() => {
        const id = state.headers["x-bunq-client-request-id"]
        if (id === undefined) return Effect.void
        if (installation.requestIds.has(id)) return fail(400, Messages.requestIdReused)
        installation.requestIds.add(id)
        return Effect.void
      })

    const lookupToken = (state: RequestState) =>
      Effect.gen(function*() {
        const token = state.headers["x-bunq-client-authentication"]
        if (token === undefined || token.length === 0) {
          state.auth = "none"
          return yield* fail(401, Messages.insufficientAuthorisation)
        }
        state.tokenHash = yield* sha256Prefix(token)
        const store = yield* Ref.get(storeRef)
        const installation = store.installationsByToken.get(token)
        const session = store.sessionsByToken.get(token)
        state.auth = installation ? "installation" : session ? "session" : "unknown"
        return { store, installation, session }
      })

    const installationAuth = (required: boolean) => (state: RequestState) =>
      Effect.gen(function*() {
        const { installation, session } = yield* lookupToken(state)
        if (installation === undefined) {
          return yield* session
            ? fail(403, Messages.insufficientAuthentication)
            : fail(401, Messages.insufficientAuthorisation)
        }
        yield* checkRequestId(state, installation)
        yield* checkSignature(state, installation, required)
        return { _tag: "Installation", installation } satisfies InstallationAuth as InstallationAuth
      })

    const sessionAuth = (state: RequestState) =>
      Effect.gen(function*() {
        const { installation, session, store } = yield* lookupToken(state)
        if (session === undefined) {
          return yield* installation
            ? fail(403, Messages.insufficientAuthentication)
            : fail(401, Messages.insufficientAuthorisation)
        }
        const user = store.users.get(session.userId)
        const sessionInstallation = store.installations.get(session.installationId)
        if (user === undefined || sessionInstallation === undefined || state.now >= session.expiresAt) {
          return yield* fail(401, Messages.insufficientAuthorisation)
        }
        if (!ipPermitted(user, state.clientIp)) return yield* fail(403, Messages.insufficientAuthentication)
        yield* checkRequestId(state, sessionInstallation)
        yield* checkSignature(state, sessionInstallation, true)
        return {
          _tag: "Session",
          session,
          installation: sessionInstallation,
          user
        } satisfies SessionAuth as SessionAuth
      })

    const noAuth = (_: RequestState) => Effect.succeed({ _tag: "None" } as const)

    const render = (status: number, value: unknown, pretty: boolean): HttpServerResponse.HttpServerResponse => {
      const indent = prettyPrint === "always" || (prettyPrint === "some" && pretty)
      const text = indent ? JSON.stringify(value, null, 2) : JSON.stringify(value)
      return HttpServerResponse.uint8Array(encoder.encode(text), { status, contentType: "application/json" })
    }

    const renderError = (status: number, message: Messages.Message) =>
      render(status, {
        Error: [{
          error_description: message.description,
          error_description_translated: message.translated,
          ...message.extra
        }]
      }, status === 404)

    /** A route handler behind the security pipeline; renders the reply to bytes. */
    const endpoint = <A>(
      category: keyof RateLimits,
      name: string,
      authorize: (state: RequestState) => Effect.Effect<A, ApiFailure>,
      handler: (auth: A, state: RequestState) => Effect.Effect<Reply, ApiFailure, HttpRouter.RouteContext>
    ): Effect.Effect<HttpServerResponse.HttpServerResponse, ApiFailure, CurrentRequest | HttpRouter.RouteContext> =>
      Effect.gen(function*() {
        const state = yield* CurrentRequest
        yield* rateLimit(state, category, name)
        const auth = yield* authorize(state)
        const reply = yield* handler(auth, state)
        return render(reply.status ?? 200, {
          Response: reply.items,
          ...(reply.pagination === undefined ? {} : { Pagination: reply.pagination })
        }, reply.pretty === true)
      })

    // --- routes --------------------------------------------------------------------

    const postInstallation = endpoint("POST", "/installation", noAuth, (_, state) =>
      Effect.gen(function*() {
        const { client_public_key: pem } = yield* decodeBody(Installation.InstallationCreateRequest, state)
        // A probe verify tells a malformed or weak key apart from a mere signature mismatch.
        const probe = yield* Effect.either(signer.verify(pem, new Uint8Array(0), "AAAA"))
        if (probe._tag === "Left" && (probe.left.reason === "MalformedPem" || probe.left.reason === "UnsupportedKey")) {
          return yield* fail(400, Messages.invalidPublicKey)
        }
        const installation = yield* withStore((store) => {
          const record: InstallationRecord = {
            id: store.nextInstallationId++,
            tokenId: store.nextTokenId++,
            token: randomHex(32),
            created: state.now,
            clientPublicKeyPem: pem,
            requestIds: new Set()
          }
          store.installations.set(record.id, record)
          store.installationsByToken.set(record.token, record)
          return record
        })
        // The request id of the installation call belongs to the new device.
        const requestId = state.headers["x-bunq-client-request-id"]
        if (requestId !== undefined) installation.requestIds.add(requestId)
        return {
          items: [
            { Id: { id: installation.id } },
            {
              Token: {
                id: installation.tokenId,
                created: timestamp(installation.created),
                updated: timestamp(installation.created),
                token: installation.token
              }
            },
            { ServerPublicKey: { server_public_key: serverKey.publicKeyPem } }
          ]
        }
      }))

    const getInstallations = endpoint(
      "GET",
      "/installation",
      sessionAuth,
      (auth) => Effect.succeed({ items: [{ Id: { id: auth.installation.id } }] })
    )

    const getInstallation = endpoint("GET", "/installation/{id}", sessionAuth, (auth) =>
      Effect.gen(function*() {
        const id = yield* pathId("Installation", "Installatie")
        if (id !== auth.installation.id) {
          return yield* fail(404, Messages.notFound("Installation", "Installatie", String(id)))
        }
        return { items: [{ Id: { id } }] }
      }))

    const getServerPublicKey = endpoint(
      "GET",
      "/installation/{id}/server-public-key",
      sessionAuth,
      (auth) =>
        Effect.gen(function*() {
          const id = yield* pathId("Installation", "Installatie")
          if (id !== auth.installation.id) {
            return yield* fail(404, Messages.notFound("Installation", "Installatie", String(id)))
          }
          return { items: [{ ServerPublicKey: { server_public_key: serverKey.publicKeyPem } }] }
        })
    )

    const postDeviceServer = endpoint(
      "POST",
      "/device-server",
      installationAuth(false),
      (auth, state) =>
        Effect.gen(function*() {
          const body = yield* decodeBody(DeviceServer.DeviceServerCreateRequest, state)
          const description = body.description
          const secret = Redacted.value(body.secret)
          const list = body.permitted_ips ?? []
          const device = yield* withStore((store) => {
            const user = store.usersByApiKey.get(secret)
            if (user === undefined) return undefined
            if (user.binding === undefined) {
              const ips = list.filter((ip) => ip !== "*").map(normalizeIp)
              user.binding = { ips: new Set(ips.length > 0 ? ips : [state.clientIp]), wildcard: list.includes("*") }
            } else if (!ipPermitted(user, state.clientIp)) {
              return undefined
            }
            return addDevice(store, user, {
              created: state.now,
              description,
              ip: state.clientIp,
              installationId: auth.installation.id
            })
          })
          if (device === undefined) return yield* fail(400, Messages.incorrectCredentials)
          return { items: [{ Id: { id: device.id } }] }
        })
    )

    const listDevices = endpoint("GET", "/device-server", sessionAuth, (auth, state) =>
      Effect.gen(function*() {
        const params = state.searchParams
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
        const store = yield* Ref.get(storeRef)
        const ids = auth.user.devices
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
        const items = page.map((id) => deviceObject(store.devices.get(id)!))
        const prefix = `${basePath}/device-server?${countRaw === null ? "" : `count=${count}&`}`
        const newest = page[0]
        const oldest = page[page.length - 1]
        const olderUrl = page.length > 0 && start > 0 ? `${prefix}older_id=${oldest}` : null
        const newerUrl = page.length > 0 && end < ids.length ? `${prefix}newer_id=${newest}` : null
        const futureAnchor = newest ?? newerId
        const futureUrl = newerUrl === null && futureAnchor !== undefined ? `${prefix}newer_id=${futureAnchor}` : null
        return { items, pagination: { future_url: futureUrl, newer_url: newerUrl, older_url: olderUrl } }
      }))

    const getDevice = endpoint("GET", "/device-server/{id}", sessionAuth, (auth) =>
      Effect.gen(function*() {
        const id = yield* pathId("DeviceServer", "Apparaat")
        const device = yield* withStore((store) => store.devices.get(id))
        if (device === undefined || device.userId !== auth.user.id) {
          return yield* fail(404, Messages.notFound("DeviceServer", "Apparaat", String(id)))
        }
        return { items: [deviceObject(device)] }
      }))

    const postSessionServer = endpoint(
      "sessionServer",
      "/session-server",
      installationAuth(true),
      (auth, state) =>
        Effect.gen(function*() {
          const body = yield* decodeBody(SessionServer.SessionServerCreateRequest, state)
          const secret = Redacted.value(body.secret)
          const result = yield* withStore((store) => {
            const user = store.usersByApiKey.get(secret)
            if (user === undefined) return undefined
            const deviceId = store.deviceByInstallationUser.get(`${auth.installation.id}:${user.id}`)
            if (deviceId === undefined || !ipPermitted(user, state.clientIp)) return undefined
            const session: SessionRecord = {
              id: store.nextSessionId++,
              tokenId: store.nextTokenId++,
              token: randomHex(32),
              created: state.now,
              expiresAt: state.now + user.sessionTimeout * 1000,
              userId: user.id,
              installationId: auth.installation.id,
              deviceId
            }
            store.sessions.set(session.id, session)
            store.sessionsByToken.set(session.token, session)
            return { session, user }
          })
          if (result === undefined) return yield* fail(400, Messages.incorrectCredentials)
          const { session, user } = result
          return {
            pretty: true,
            items: [
              { Id: { id: session.id } },
              {
                Token: {
                  id: session.tokenId,
                  created: timestamp(session.created),
                  updated: timestamp(session.created),
                  token: session.token
                }
              },
              userWrapper(user)
            ]
          }
        })
    )

    const deleteSession = endpoint("DELETE", "/session/{id}", sessionAuth, (auth) =>
      Effect.gen(function*() {
        const id = yield* pathId("Session", "Sessie")
        const deleted = yield* withStore((store) => {
          const session = id === 0 ? auth.session : store.sessions.get(id)
          if (session === undefined || session.userId !== auth.user.id) return false
          store.sessions.delete(session.id)
          store.sessionsByToken.delete(session.token)
          return true
        })
        if (!deleted) return yield* fail(404, Messages.notFound("Session", "Sessie", String(id)))
        return { items: [] }
      }))

    const listUsers = endpoint("GET", "/user", sessionAuth, (auth) =>
      Effect.succeed({
        pretty: true,
        items: [userWrapper(auth.user)],
        pagination: { future_url: `${basePath}/user?newer_id=${auth.user.id}`, newer_url: null, older_url: null }
      }))

    const getUser = endpoint("GET", "/user/{id}", sessionAuth, (auth) =>
      Effect.gen(function*() {
        const id = yield* pathId("User", "Gebruiker")
        if (id !== auth.user.id) return yield* fail(404, Messages.notFound("User", "Gebruiker", String(id)))
        return { pretty: true, items: [userWrapper(auth.user)] }
      }))

    const postSandboxUser = (type: "person" | "company", name: string) =>
      endpoint("POST", name, noAuth, (_, state) =>
        withStore((store) => addUser(store, state.now, { type })).pipe(
          Effect.map((user) => ({ items: [{ ApiKey: { api_key: user.apiKey } }] }))
        ))

    const routes = HttpRouter.empty.pipe(
      HttpRouter.post("/installation", postInstallation),
      HttpRouter.get("/installation", getInstallations),
      HttpRouter.get("/installation/:id", getInstallation),
      HttpRouter.get("/installation/:id/server-public-key", getServerPublicKey),
      HttpRouter.post("/device-server", postDeviceServer),
      HttpRouter.get("/device-server", listDevices),
      HttpRouter.get("/device-server/:id", getDevice),
      HttpRouter.post("/session-server", postSessionServer),
      HttpRouter.del("/session/:id", deleteSession),
      HttpRouter.get("/user", listUsers),
      HttpRouter.get("/user/:id", getUser),
      HttpRouter.post("/sandbox-user-person", postSandboxUser("person", "/sandbox-user-person")),
      HttpRouter.post("/sandbox-user-company", postSandboxUser("company", "/sandbox-user-company"))
    )
    const router = basePath === "" ? routes : HttpRouter.prefixAll(routes, basePath as `/${string}`)

    // --- faults and log ----------------------------------------------------------------

    const takeFault = (method: string, path: string): Effect.Effect<Fault | undefined> =>
      withStore((store) => {
        const entry = store.faults.find((f) =>
          f.remaining > 0 &&
          (f.fault.method === undefined || f.fault.method.toUpperCase() === method) &&
          (f.pattern === undefined || f.pattern.test(path) || f.pattern.test(`${basePath}${path}`))
        )
        if (entry === undefined) return undefined
        entry.remaining--
        if (entry.remaining <= 0) store.faults.splice(store.faults.indexOf(entry), 1)
        return entry.fault
      })

    const injectFault = (fault: Fault): Effect.Effect<void> =>
      withStore((store) => {
        store.faults.push({
          fault,
          remaining: fault.times ?? 1,
          pattern: fault.path === undefined ? undefined : globToRegExp(fault.path)
        })
      })

    const faultStatusMessage = (fault: Extract<FaultKind, { _tag: "Status" }>): Messages.Message => {
      if (fault.description !== undefined) return { description: fault.description, translated: fault.description }
      if (fault.status === 429) {
        const limit = (rateLimits ?? bunqRateLimits).GET
        return Messages.rateLimited(limit.calls, limit.seconds)
      }
      if (fault.status === 491) return Messages.maintenance
      if (fault.status >= 500) return Messages.serverError
      return Messages.injected(fault.status)
    }

    const appendLog = (entry: Omit<LogEntry, "seq">) =>
      withStore((store) => {
        store.log.push({ seq: store.nextLogSeq++, ...entry })
      })

    // --- the app ----------------------------------------------------------------------------

    const app: HttpApp.Default<ConnectionReset> = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const now = yield* Clock.currentTimeMillis
      const responseId = globalThis.crypto.randomUUID()
      const url = parseTarget(request.url)
      const body = yield* request.arrayBuffer.pipe(
        Effect.map((buffer) => new Uint8Array(buffer)),
        Effect.orElseSucceed(() => new Uint8Array(0))
      )
      const headers = request.headers
      const trusted = trustClientIpHeader ? headers[clientIpHeader] : undefined
      const socketIp = request.remoteAddress._tag === "Some" ? request.remoteAddress.value : "127.0.0.1"
      const clientIp = normalizeIp(trusted !== undefined && trusted.length > 0 ? trusted : socketIp)
      const pathname = url.pathname
      const path = basePath !== "" && (pathname === basePath || pathname.startsWith(`${basePath}/`))
        ? pathname.slice(basePath.length)
        : pathname
      const method = request.method.toUpperCase()
      const state: RequestState = {
        method,
        path,
        query: url.search.replace(/^\?/, ""),
        searchParams: url.searchParams,
        headers,
        body,
        clientIp,
        now,
        auth: "none",
        tokenHash: undefined,
        signature: "unchecked"
      }
      const requestId = headers["x-bunq-client-request-id"]
      const log = (status: number, fault: Fault | undefined) =>
        appendLog({
          method,
          path,
          query: state.query,
          status,
          signature: state.signature,
          auth: state.auth,
          tokenHash: state.tokenHash,
          clientIp,
          requestId,
          responseId,
          fault: fault?._tag
        })

      const fault = yield* takeFault(method, path)
      if (fault?._tag === "Latency") yield* Effect.sleep(fault.millis)
      if (fault?._tag === "ConnectionReset" && fault.afterProcessing !== true) {
        yield* log(0, fault)
        return yield* new ConnectionReset({ method, path })
      }

      const response = fault?._tag === "Status"
        ? renderError(fault.status, faultStatusMessage(fault))
        : yield* router.pipe(
          Effect.provideService(CurrentRequest, state),
          Effect.catchTags({
            ApiFailure: (failure) => Effect.succeed(renderError(failure.status, failure.message)),
            RouteNotFound: () => Effect.succeed(renderError(404, Messages.routeNotFound))
          })
        )

      let bytes = response.body._tag === "Uint8Array" ? response.body.body : new Uint8Array(0)
      let signature: string | undefined = fault?._tag === "Status" && fault.signed === false
        ? undefined
        : yield* Effect.orDie(
          signer.sign(fault?._tag === "WrongKey" ? (yield* otherKey).privateKey : serverKey.privateKey, bytes)
        )
      if (fault?._tag === "TamperedBody") bytes = flipByte(bytes)
      if (fault?._tag === "TamperedSignature" && signature !== undefined) signature = corruptSignature(signature)
      if (fault?._tag === "MissingSignature") signature = undefined

      yield* log(response.status, fault)
      if (fault?._tag === "ConnectionReset") return yield* new ConnectionReset({ method, path })

      const responseHeaders: Record<string, string> = { "x-bunq-client-response-id": responseId }
      if (requestId !== undefined) responseHeaders["x-bunq-client-request-id"] = requestId
      if (signature !== undefined) responseHeaders["x-bunq-server-signature"] = signature
      return HttpServerResponse.uint8Array(bytes, {
        status: response.status,
        contentType: "application/json",
        headers: responseHeaders
      })
    })

    const service: EmulatorNs.Service = {
      basePath,
      url: Effect.map(Ref.get(originRef), (origin) => `${origin}${basePath}`),
      setOrigin: (origin) => Ref.set(originRef, origin.replace(/\/+$/, "")),
      serverPublicKeyPem: serverKey.publicKeyPem,
      app,
      createSandboxUser,
      injectFault,
      clearFaults: withStore((store) => {
        store.faults.length = 0
      }),
      log: withStore((store) => store.log.slice()),
      clearLog: withStore((store) => {
        store.log.length = 0
      }),
      expireSessions: Effect.flatMap(Clock.currentTimeMillis, (now) =>
        withStore((store) => {
          for (const session of store.sessions.values()) session.expiresAt = Math.min(session.expiresAt, now)
        })),
      seedDevices,
      reset: Ref.set(storeRef, new Store())
    }
    return service
  })

/** @internal */
export const layer = (options?: Options): Layer.Layer<Emulator, Signer.SignerError, Signer.Signer> =>
  Layer.effect(Emulator, make(options))
