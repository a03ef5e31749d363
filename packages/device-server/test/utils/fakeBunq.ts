/**
 * A small stateful bunq behind `HttpClient.make`: installations, devices, sessions, users, with real signatures both
 * ways (client signatures are verified with the installation's key; responses are signed with a server key). It
 * counts requests per endpoint and has switches for what the tests need: expire/reject sessions on the server,
 * forget every registration, fail `POST /session-server`.
 *
 * The real `BunqClient` runs on top of it: only the transport is fake.
 *
 * Why not the emulator (`@effect-bunq/emulator`, used by `ApiContext.emulator.test.ts` and the runtime conformance
 * suite): these tests need what it cannot do —
 * - hold `POST /session-server` open on a `Deferred` and count the requests that arrived before it answers (the
 *   single-flight, interruption and layer-closing tests); the emulator's `Latency` fault delays, but does not say
 *   when a request arrived;
 * - answer `POST /session-server` with a status for as long as a test says (the emulator's faults count down);
 * - forget installations, devices and sessions but keep the user and API key, so that registering again succeeds
 *   (the emulator's `reset` forgets the users too);
 * - name the tokens it handed out, to assert which token authenticated which call and that none reaches a span or a
 *   log (`Redaction.test.ts`; the emulator's log keeps a hash only).
 */
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import type * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Layer } from "effect"

export const baseUrl = "https://bunq.fake/v1"

export interface Logged {
  readonly method: string
  /** Path relative to the base URL, without query. */
  readonly path: string
  readonly query: URLSearchParams
  readonly status: number
  readonly authentication: string | undefined
}

export interface FakeOptions {
  /** `session_timeout` of the user, seconds. Default 3600. */
  readonly sessionTimeout?: number
  /** How many devices `GET /device-server` lists. Default 3. */
  readonly devices?: number
}

interface Installation {
  readonly id: number
  readonly publicKeyPem: string
}

interface Session {
  readonly id: number
  readonly installationToken: string
  valid: boolean
}

export interface FakeBunq {
  readonly log: Array<Logged>
  readonly count: (method: string, path: string | RegExp) => number
  /** The server side ends every session: later calls with them get 401 "Insufficient authorisation.". */
  readonly expireSessions: () => void
  /** bunq forgets every installation, device and session (e.g. the sandbox was reset). */
  readonly forgetEverything: () => void
  /** `POST /session-server` answers this status from now on (`undefined`: normal again). */
  failSessionServer: number | undefined
  /** Run before `POST /session-server` answers (e.g. wait on a Deferred). */
  sessionServerGate: Effect.Effect<void> | undefined
  /** How many `POST /session-server` requests arrived (counted before the gate). */
  sessionServerArrived: number
  /** The installation tokens handed out, in order. */
  readonly installationTokens: Array<string>
  readonly sessionTokens: Array<string>
  readonly client: HttpClient.HttpClient
  readonly serverPublicKey: string
}

const userId = 4242

const json = (status: number, body: unknown) => ({ status, text: JSON.stringify(body) })

const errorBody = (description: string) => ({
  Error: [{ error_description: description, error_description_translated: description }]
})

const timestamp = "2024-01-02 03:04:05.678901"

export const makeFakeBunq = (
  signer: Signer.Signer.Service,
  server: Signer.KeyPair,
  options?: FakeOptions
): FakeBunq => {
  const sessionTimeout = options?.sessionTimeout ?? 3600
  const deviceCount = options?.devices ?? 3
  const installations = new Map<string, Installation>()
  const sessions = new Map<string, Session>()
  const devices: Array<{ id: number; description: string; installationToken: string }> = []
  const log: Array<Logged> = []
  const installationTokens: Array<string> = []
  const sessionTokens: Array<string> = []
  let nextId = 100

  const user = {
    UserPerson: {
      id: userId,
      created: timestamp,
      updated: timestamp,
      display_name: "Fake Person",
      public_nick_name: "Fake",
      status: "ACTIVE",
      session_timeout: sessionTimeout,
      an_unknown_field: { nested: true }
    }
  }

  const deviceItem = (id: number, description: string) => ({
    DeviceServer: { id, created: timestamp, updated: timestamp, description, ip: "127.0.0.1", status: "ACTIVE" }
  })

  const allDevices = () => {
    const listed = devices.map((d) => deviceItem(d.id, d.description))
    for (let i = 0; i < deviceCount; i++) listed.push(deviceItem(i + 1, `listed device ${i + 1}`))
    return listed.sort((a, b) => b.DeviceServer.id - a.DeviceServer.id)
  }

  const route = (
    method: string,
    path: string,
    query: URLSearchParams,
    auth: string | undefined,
    body: Uint8Array,
    signature: string | undefined
  ): Effect.Effect<{ status: number; text: string }> =>
    Effect.gen(function*() {
      // Public endpoints.
      if (method === "POST" && path === "/installation") {
        const request = JSON.parse(new TextDecoder().decode(body)) as { client_public_key: string }
        const token = `installation-token-${nextId++}`
        const id = nextId++
        installations.set(token, { id, publicKeyPem: request.client_public_key })
        installationTokens.push(token)
        return json(200, {
          Response: [
            { Id: { id } },
            { Token: { id: nextId++, created: timestamp, updated: timestamp, token } },
            { ServerPublicKey: { server_public_key: server.publicKeyPem } }
          ]
        })
      }
      if (method === "POST" && path === "/sandbox-user-person") {
        return json(200, { Response: [{ ApiKey: { api_key: `sandbox_fake_${nextId++}` } }] })
      }

      // Everything else is signed with the installation's key.
      const installationFor = (token: string | undefined) => {
        if (token === undefined) return undefined
        const installation = installations.get(token)
        if (installation !== undefined) return installation
        const session = sessions.get(token)
        return session === undefined ? undefined : installations.get(session.installationToken)
      }
      const installation = installationFor(auth)
      if (installation === undefined) return json(401, errorBody("Insufficient authorisation."))
      if (signature === undefined) return json(466, errorBody("Request signature required."))
      const verified = yield* Effect.either(signer.verify(installation.publicKeyPem, body, signature))
      if (verified._tag === "Left") return json(400, errorBody("Request signature invalid."))

      if (method === "POST" && path === "/device-server") {
        if (!installations.has(auth!)) return json(401, errorBody("Insufficient authorisation."))
        const request = JSON.parse(new TextDecoder().decode(body)) as { description: string; secret: string }
        const id = nextId++
        devices.push({ id, description: request.description, installationToken: auth! })
        return json(200, { Response: [{ Id: { id } }] })
      }
      if (method === "POST" && path === "/session-server") {
        fake.sessionServerArrived++
        if (fake.sessionServerGate !== undefined) yield* fake.sessionServerGate
        if (!installations.has(auth!)) return json(401, errorBody("Insufficient authorisation."))
        if (fake.failSessionServer !== undefined) {
          return json(fake.failSessionServer, errorBody("User credentials are incorrect."))
        }
        if (!devices.some((d) => d.installationToken === auth)) {
          return json(400, errorBody("User credentials are incorrect. Incorrect API key or IP address."))
        }
        const token = `session-token-${nextId++}`
        const id = nextId++
        sessions.set(token, { id, installationToken: auth!, valid: true })
        sessionTokens.push(token)
        return json(200, {
          Response: [
            { Id: { id } },
            { Token: { id: nextId++, created: timestamp, updated: timestamp, token } },
            user
          ]
        })
      }

      // Session-token endpoints.
      const session = auth === undefined ? undefined : sessions.get(auth)
      if (session === undefined || !session.valid) return json(401, errorBody("Insufficient authorisation."))
      if (path === "/always-401") return json(401, errorBody("Insufficient authorisation."))
      if (path === "/reject-401-empty") return json(401, { Error: [] })
      if (path === "/reject-403-other") return json(403, errorBody("This IP is not allowed to use this API key."))
      if (method === "GET" && path === "/user") return json(200, { Response: [user], Pagination: null })
      if (method === "GET" && path === `/user/${userId}`) return json(200, { Response: [user] })
      if (method === "GET" && path === "/installation") {
        return json(200, { Response: [{ Id: { id: installation.id } }] })
      }
      if (method === "GET" && path === `/installation/${installation.id}`) {
        return json(200, { Response: [{ Id: { id: installation.id } }] })
      }
      if (method === "GET" && path === `/installation/${installation.id}/server-public-key`) {
        return json(200, { Response: [{ ServerPublicKey: { server_public_key: server.publicKeyPem } }] })
      }
      if (method === "DELETE" && path.startsWith("/session/")) {
        session.valid = false
        return json(200, { Response: [] })
      }
      const deviceMatch = /^\/device-server\/(\d+)$/.exec(path)
      if (method === "GET" && deviceMatch !== null) {
        const found = allDevices().find((d) => d.DeviceServer.id === Number(deviceMatch[1]))
        return found === undefined
          ? json(404, errorBody("DeviceServer not found."))
          : json(200, { Response: [found] })
      }
      if (method === "GET" && path === "/device-server") {
        const count = Number(query.get("count") ?? "10")
        const olderId = query.get("older_id")
        const all = allDevices()
        const start = olderId === null ? 0 : all.findIndex((d) => d.DeviceServer.id < Number(olderId))
        const page = start < 0 ? [] : all.slice(start, start + count)
        const last = page[page.length - 1]
        const hasOlder = last !== undefined && all.some((d) => d.DeviceServer.id < last.DeviceServer.id)
        return json(200, {
          Response: page,
          Pagination: {
            future_url: null,
            newer_url: page[0] === undefined
              ? null
              : `/v1/device-server?count=${count}&newer_id=${page[0].DeviceServer.id}`,
            older_url: hasOlder ? `/v1/device-server?count=${count}&older_id=${last.DeviceServer.id}` : null
          }
        })
      }
      return json(404, errorBody(`No route for ${method} ${path}.`))
    })

  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = request.body._tag === "Uint8Array" ? request.body.body : new Uint8Array(0)
      const path = url.pathname.replace(/^\/v1/, "")
      const auth = request.headers["x-bunq-client-authentication"]
      const reply = yield* route(
        request.method,
        path,
        url.searchParams,
        auth,
        body,
        request.headers["x-bunq-client-signature"]
      )
      log.push({ method: request.method, path, query: url.searchParams, status: reply.status, authentication: auth })
      const bytes = new TextEncoder().encode(reply.text)
      const signature = yield* Effect.orDie(signer.sign(server.privateKey, bytes))
      return HttpClientResponse.fromWeb(
        request,
        new Response(bytes, {
          status: reply.status,
          headers: {
            "content-type": "application/json",
            "x-bunq-client-request-id": request.headers["x-bunq-client-request-id"] ?? "",
            "x-bunq-client-response-id": `response-${log.length}`,
            "x-bunq-server-signature": signature
          }
        })
      )
    })
  )

  const fake: FakeBunq = {
    log,
    count: (method, path) =>
      log.filter((entry) =>
        entry.method === method && (typeof path === "string" ? entry.path === path : path.test(entry.path))
      ).length,
    expireSessions: () => {
      for (const session of sessions.values()) session.valid = false
    },
    forgetEverything: () => {
      installations.clear()
      sessions.clear()
      devices.length = 0
    },
    failSessionServer: undefined,
    sessionServerGate: undefined,
    sessionServerArrived: 0,
    installationTokens,
    sessionTokens,
    client,
    serverPublicKey: server.publicKeyPem
  }
  return fake
}

let serverKey: Signer.KeyPair | undefined

/** A fake bunq (one server key per test file: RSA key generation is slow). */
export const makeFake = (options?: FakeOptions): Effect.Effect<FakeBunq> =>
  Effect.gen(function*() {
    const signer = yield* WebCryptoSigner.make
    if (serverKey === undefined) serverKey = yield* Effect.orDie(signer.generateKeyPair())
    return makeFakeBunq(signer, serverKey, options)
  })

/** `BunqClient` (real), `BunqConfig` and the WebCrypto `Signer` over a fake bunq. No rate limits, no retries. */
export const clientLayer = (
  fake: FakeBunq
): Layer.Layer<BunqClient.BunqClient | BunqConfig.BunqConfig | Signer.Signer> =>
  BunqClient.layer.pipe(
    Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, fake.client)),
    Layer.provideMerge(WebCryptoSigner.layer),
    Layer.provideMerge(BunqConfig.layer({ baseUrl, retry: false, rateLimits: false }))
  ) as Layer.Layer<BunqClient.BunqClient | BunqConfig.BunqConfig | Signer.Signer>
