/**
 * The emulator assembled: settings and state (`state.ts`), the security pipeline (`security.ts`), the route families
 * (`contextRoutes.ts`, `accountRoutes.ts`, … — one module each, listed in `families`), callbacks (`callbacks.ts`),
 * fault injection (`faults.ts`), and the `HttpApp` that runs a request through them, signs the response and writes
 * the log.
 *
 * @internal
 */
import * as Signer from "@effect-bunq/signer/Signer"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { Emulator as EmulatorNs, Fidelity, Options } from "../BunqEmulator.js"
import type { Fault, LogEntry } from "../BunqEmulatorTesting.js"
import { accountRoutes } from "./accountRoutes.js"
import { attachmentRoutes } from "./attachmentRoutes.js"
import { makeCallbacks } from "./callbacks.js"
import { contextRoutes } from "./contextRoutes.js"
import { eventRoutes } from "./eventRoutes.js"
import { corruptSignature, flipByte, makeFaults } from "./faults.js"
import { makeGrants } from "./grants.js"
import { makeHolds } from "./holds.js"
import { firstActiveBankAccount, formatAmount, parseAmount, sugarDaddy } from "./ledger.js"
import * as Messages from "./messages.js"
import { makeMoneyObjects } from "./moneyObjects.js"
import { oauthClientRoutes } from "./oauthClientRoutes.js"
import { paymentRoutes } from "./paymentRoutes.js"
import { psd2Routes } from "./psd2Routes.js"
import { requestRoutes } from "./requestRoutes.js"
import type { Family } from "./routes.js"
import { otherMethods, toRouter } from "./routes.js"
import { makeSecurity } from "./security.js"
import type { Env, RequestState } from "./state.js"
import { CurrentRequest, normalizeIp, parseTarget, sha256Prefix, Store } from "./state.js"
import { ConnectionReset, Emulator } from "./tags.js"
import { receive } from "./transfers.js"
import { makeUsers } from "./users.js"

export { bunqRateLimits } from "./faults.js"

/** Every family of endpoints, in the order they are mounted. @internal */
export const families: ReadonlyArray<Family> = [
  contextRoutes,
  accountRoutes,
  paymentRoutes,
  requestRoutes,
  eventRoutes,
  attachmentRoutes,
  psd2Routes,
  oauthClientRoutes
]

const fidelityKeys = [
  "signatures",
  "methodNotAllowed",
  "requireUserAgent",
  "authorisation",
  "mixedContentType",
  "chunked",
  "escapedSlashes",
  "extraFields"
] as const satisfies ReadonlyArray<keyof Fidelity>

/** The query of an OAuth request as the log keeps it: the code and the client secret replaced. @internal */
export const redactOAuthQuery = (params: URLSearchParams): string => {
  const kept = new URLSearchParams(params)
  for (const name of ["code", "client_secret"]) if (kept.has(name)) kept.set(name, "REDACTED")
  return kept.toString()
}

/** GET bodies larger than this are sent chunked (while `chunked` fidelity is on). @internal */
export const chunkThreshold = 8192

/** @internal */
export const make = (options: Options = {}): Effect.Effect<EmulatorNs.Service, Signer.SignerError, Signer.Signer> =>
  Effect.gen(function*() {
    const signer = yield* Signer.Signer
    const basePath = (options.basePath ?? "/v1").replace(/\/+$/, "")
    const trustClientIpHeader = options.trustClientIpHeader ?? false
    const clientIpHeader = (options.clientIpHeader ?? "X-Emulator-Client-Ip").toLowerCase()
    const serverKey = options.serverKeyPair ?? (yield* signer.generateKeyPair({ extractable: false }))
    // Generated once, on first use, in its own fiber: a request cut off (a client timeout) while the key is being
    // generated must not leave its interruption memoized for every later `WrongKey` response.
    const otherKeyFiber = yield* Effect.cached(
      Effect.forkDaemon(Effect.orDie(signer.generateKeyPair({ extractable: false })))
    )
    const otherKey = Effect.flatMap(otherKeyFiber, Fiber.join)
    const storeRef = yield* Ref.make(new Store())
    const originRef = yield* Ref.make("http://bunq-emulator.localhost")
    const env: Env = {
      signer,
      basePath,
      rateLimits: options.rateLimits === false ? undefined : options.rateLimits,
      prettyPrint: options.prettyPrint ?? "some",
      defaultSessionTimeout: options.sessionTimeout ?? 604800,
      serverKey,
      storeRef,
      withStore: (f) => Effect.map(Ref.get(storeRef), f),
      fidelity: Object.fromEntries(
        fidelityKeys.map((key) => [key, options.fidelity !== false && options.fidelity?.[key] !== false])
      ) as Env["fidelity"],
      callbackRetries: options.callbackRetries ?? 5,
      callbackRetrySpacing: Duration.decode(options.callbackRetrySpacing ?? "1 second")
    }
    const { withStore } = env
    const security = makeSecurity(env)
    const users = makeUsers(env)
    const { faultStatusMessage, injectFault, takeFault } = makeFaults(env)
    const { renderError } = security
    const objects = makeMoneyObjects({ extraFields: env.fidelity.extraFields, shareOrigin: "https://bunq.me" })
    const { notify } = makeCallbacks(env, objects)
    const grants = makeGrants(env, users)
    const holds = makeHolds(basePath)

    const routeList = families.flatMap((family) => family({ env, security, users, objects, notify }))
    const routes = toRouter(routeList)
    const router = basePath === "" ? routes : HttpRouter.prefixAll(routes, basePath as `/${string}`)
    const wrongMethod = otherMethods(routeList)

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
      const log = (status: number, fault: Fault | undefined, query = state.query) =>
        appendLog({
          method,
          path,
          query,
          status,
          signature: state.signature,
          auth: state.auth,
          tokenHash: state.tokenHash,
          clientIp,
          requestId,
          responseId,
          fault: fault?._tag
        })

      // bunq's OAuth hosts (authorization page, token endpoint), outside the API's base path: plain JSON, unsigned.
      if (pathname === "/oauth" || pathname.startsWith("/oauth/")) {
        const response = yield* grants.route(state, pathname.slice("/oauth".length))
        yield* log(response.status, undefined, redactOAuthQuery(state.searchParams))
        return response
      }

      yield* holds.arrive(method, path)
      const fault = yield* takeFault(method, path, now)
      if (fault?._tag === "Latency") yield* Effect.sleep(fault.millis)
      if (fault?._tag === "ConnectionReset" && fault.afterProcessing !== true) {
        yield* log(0, fault)
        return yield* new ConnectionReset({ method, path })
      }

      const userAgent = headers["user-agent"]
      const response = fault?._tag === "Status"
        ? fault.descriptions !== undefined
          ? security.render(fault.status, {
            Error: fault.descriptions.map((d) => ({ error_description: d, error_description_translated: d }))
          }, false)
          : renderError(fault.status, faultStatusMessage(fault))
        : env.fidelity.requireUserAgent && (userAgent === undefined || userAgent.length === 0)
        ? renderError(400, Messages.userAgentMissing)
        : yield* router.pipe(
          Effect.provideService(CurrentRequest, state),
          Effect.catchTags({
            ApiFailure: (failure) => Effect.succeed(renderError(failure.status, failure.message)),
            RouteNotFound: () =>
              Effect.succeed(
                env.fidelity.methodNotAllowed && wrongMethod(method, path)
                  ? renderError(405, Messages.methodNotAllowed(method))
                  : renderError(404, Messages.routeNotFound)
              )
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
      const contentType = response.body._tag === "Uint8Array" ? response.body.contentType : "application/json"
      if (env.fidelity.chunked && method === "GET" && bytes.length > chunkThreshold) {
        // No Content-Length: the server sends the body chunked, as bunq does for larger bodies.
        const chunks: Array<Uint8Array> = []
        for (let i = 0; i < bytes.length; i += 4096) chunks.push(bytes.subarray(i, i + 4096))
        return HttpServerResponse.stream(Stream.fromIterable(chunks), {
          status: response.status,
          contentType,
          headers: responseHeaders
        })
      }
      return HttpServerResponse.uint8Array(bytes, {
        status: response.status,
        contentType,
        headers: responseHeaders
      })
    })

    const service: EmulatorNs.Service = {
      basePath,
      url: Effect.map(Ref.get(originRef), (origin) => `${origin}${basePath}`),
      setOrigin: (origin) => Ref.set(originRef, origin.replace(/\/+$/, "")),
      serverPublicKeyPem: serverKey.publicKeyPem,
      app,
      createSandboxUser: users.createSandboxUser,
      injectFault,
      clearFaults: withStore((store) => {
        store.faults.length = 0
      }),
      hold: holds.hold,
      log: withStore((store) => store.log.slice()),
      clearLog: withStore((store) => {
        store.log.length = 0
      }),
      tokens: Effect.flatMap(
        withStore((store) => store.issued.slice()),
        (issued) =>
          Effect.forEach(
            issued,
            ({ id, kind, token }) =>
              Effect.map(sha256Prefix(token), (hash) => ({ kind, id, token: Redacted.make(token), hash }))
          )
      ),
      forgetRegistrations: users.forgetRegistrations,
      expireSessions: Effect.flatMap(Clock.currentTimeMillis, (now) =>
        withStore((store) => {
          for (const session of store.sessions.values()) session.expiresAt = Math.min(session.expiresAt, now)
        })),
      seedDevices: users.seedDevices,
      createOAuthClient: grants.createOAuthClient,
      authorizeOAuth: grants.authorizeOAuth,
      deliveries: withStore((store) => store.deliveries.slice()),
      topUp: (target, amount) =>
        Effect.gen(function*() {
          const cents = parseAmount(amount)
          if (cents === undefined) return yield* Effect.dieMessage(`topUp: "${amount}" is not an amount`)
          const now = yield* Clock.currentTimeMillis
          const userId = typeof target === "number" ? target : target.id
          const done = yield* withStore((store) => {
            const account = firstActiveBankAccount(store, userId)
            if (account === undefined) return undefined
            const { events } = receive(store, {
              now,
              to: account,
              from: sugarDaddy,
              amount: cents,
              description: "Sandbox top-up"
            })
            return { balance: account.balance, events }
          })
          if (done === undefined) return yield* Effect.dieMessage("topUp: no such user or no active bank account")
          yield* notify(done.events)
          return formatAmount(done.balance)
        }),
      reset: Ref.set(storeRef, new Store())
    }
    return service
  })

/** @internal */
export const layer = (options?: Options): Layer.Layer<Emulator, Signer.SignerError, Signer.Signer> =>
  Layer.effect(Emulator, make(options))
