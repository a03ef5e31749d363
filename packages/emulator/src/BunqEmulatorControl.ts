/**
 * Steer an emulator over HTTP: create sandbox users, read the request log, inject faults, expire sessions, forget
 * registrations, reset. (Holding requests and reading issued tokens are in-process only: see `BunqEmulator`.)
 * For tests that cannot hold the `Emulator` service itself: a browser page talking to an emulator served from Node,
 * or another process talking to `bunq emulator`.
 *
 * The control endpoints live under `/_emulator` (outside bunq's base path), answer plain JSON and are not signed:
 *
 * | endpoint | does |
 * | --- | --- |
 * | `POST /_emulator/users` `{"type"?, "sessionTimeout"?}` | creates a sandbox user: `{"id", "type", "apiKey"}` |
 * | `GET /_emulator/log` | the request log (`LogEntry[]`, secrets hashed) |
 * | `DELETE /_emulator/log` | clears the log |
 * | `POST /_emulator/faults` (a `Fault`) | injects a fault |
 * | `DELETE /_emulator/faults` | clears pending faults |
 * | `POST /_emulator/expire-sessions` | expires every session |
 * | `POST /_emulator/forget-registrations` | forgets installations, devices and sessions; users and API keys stay |
 * | `POST /_emulator/reset` | forgets everything |
 *
 * They are for local test servers only: never expose an emulator with control endpoints beyond loopback.
 *
 * @since 0.1.0
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as BunqEmulator from "./BunqEmulator.js"

/**
 * The path prefix of the control endpoints.
 *
 * @since 0.1.0
 * @category constants
 */
export const prefix = "/_emulator"

const json = (body: unknown, status = 200) => HttpServerResponse.unsafeJson(body, { status })

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const readJson = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => request.text).pipe(
  Effect.map((text): unknown => text.trim() === "" ? {} : JSON.parse(text))
)

const userTypes: ReadonlyArray<string> = ["person", "company", "api-key"]

/**
 * The control endpoints for `emulator` as an `HttpApp` (404 for any other path).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeApp = (emulator: BunqEmulator.Emulator.Service): HttpApp.Default =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const path = new URL(request.url, "http://control.local").pathname.slice(prefix.length)
    const route = `${request.method} ${path}`
    switch (route) {
      case "POST /users": {
        const body = yield* readJson
        if (!isRecord(body)) return json({ error: "expected a JSON object" }, 400)
        const type = body.type ?? "person"
        if (typeof type !== "string" || !userTypes.includes(type)) {
          return json({ error: "type must be person, company or api-key" }, 400)
        }
        const timeout = body.sessionTimeout
        if (timeout !== undefined && (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1)) {
          return json({ error: "sessionTimeout must be a positive integer" }, 400)
        }
        const user = yield* emulator.createSandboxUser({
          type: type as BunqEmulator.UserType,
          sessionTimeout: timeout as number | undefined
        })
        return json({ id: user.id, type: user.type, apiKey: Redacted.value(user.apiKey) })
      }
      case "GET /log":
        return json(yield* emulator.log)
      case "DELETE /log":
        yield* emulator.clearLog
        return json({})
      case "POST /faults": {
        const body = yield* readJson
        if (!isRecord(body) || typeof body._tag !== "string") return json({ error: "expected a Fault object" }, 400)
        yield* emulator.injectFault(body as unknown as BunqEmulator.Fault)
        return json({})
      }
      case "DELETE /faults":
        yield* emulator.clearFaults
        return json({})
      case "POST /expire-sessions":
        yield* emulator.expireSessions
        return json({})
      case "POST /forget-registrations":
        yield* emulator.forgetRegistrations
        return json({})
      case "POST /reset":
        yield* emulator.reset
        return json({})
      default:
        return json({ error: `no control endpoint ${route}` }, 404)
    }
  }).pipe(Effect.catchAllCause(() => Effect.succeed(json({ error: "bad control request" }, 400))))

/**
 * Replaces the `Emulator` in context with one whose `app` also answers the control endpoints, so any server layer
 * built on it (`BunqEmulatorServer.layerServe`) serves them.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithControl: Layer.Layer<BunqEmulator.Emulator, never, BunqEmulator.Emulator> = Layer.effect(
  BunqEmulator.Emulator,
  Effect.map(BunqEmulator.Emulator, (emulator): BunqEmulator.Emulator.Service => {
    const control = makeApp(emulator)
    const app: typeof emulator.app = Effect.flatMap(
      HttpServerRequest.HttpServerRequest,
      (request) =>
        new URL(request.url, "http://control.local").pathname.startsWith(prefix + "/") ? control : emulator.app
    )
    return { ...emulator, app }
  })
)

/**
 * A client for the control endpoints of an emulator at `origin` (e.g. `http://127.0.0.1:8080`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  readonly createUser: (
    options?: BunqEmulator.CreateUserOptions
  ) => Effect.Effect<
    { readonly id: number; readonly type: BunqEmulator.UserType; readonly apiKey: Redacted.Redacted<string> }
  >
  readonly log: Effect.Effect<ReadonlyArray<BunqEmulator.LogEntry>>
  readonly clearLog: Effect.Effect<void>
  readonly injectFault: (fault: BunqEmulator.Fault) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
  readonly expireSessions: Effect.Effect<void>
  readonly forgetRegistrations: Effect.Effect<void>
  readonly reset: Effect.Effect<void>
}

/**
 * Build a `Client` with the `HttpClient` in context. Control calls are test plumbing: a failure is a defect.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClient = (origin: string): Effect.Effect<Client, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (http) => {
    const client = http.pipe(HttpClient.filterStatusOk)
    const call = (method: "GET" | "POST" | "DELETE", path: string, body?: unknown) =>
      client.execute(
        HttpClientRequest.make(method)(`${origin}${prefix}${path}`).pipe(
          body === undefined ? (r) => r : HttpClientRequest.bodyUnsafeJson(body)
        )
      ).pipe(
        Effect.flatMap(HttpClientResponse.filterStatusOk),
        Effect.flatMap((response) => response.json),
        Effect.scoped,
        Effect.orDie
      )
    return {
      createUser: (options) =>
        Effect.map(call("POST", "/users", options ?? {}), (u) => {
          const user = u as { id: number; type: BunqEmulator.UserType; apiKey: string }
          return { id: user.id, type: user.type, apiKey: Redacted.make(user.apiKey) }
        }),
      log: Effect.map(call("GET", "/log"), (entries) => entries as ReadonlyArray<BunqEmulator.LogEntry>),
      clearLog: Effect.asVoid(call("DELETE", "/log")),
      injectFault: (fault) => Effect.asVoid(call("POST", "/faults", fault)),
      clearFaults: Effect.asVoid(call("DELETE", "/faults")),
      expireSessions: Effect.asVoid(call("POST", "/expire-sessions")),
      forgetRegistrations: Effect.asVoid(call("POST", "/forget-registrations")),
      reset: Effect.asVoid(call("POST", "/reset"))
    }
  })
