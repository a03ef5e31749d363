import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as http from "node:http"
import { call, makeKeys, openSession, verified } from "./utils/raw.js"
import type { Running } from "./utils/server.js"
import { startServer } from "./utils/server.js"

describe("protocol over loopback (plain fetch + node:crypto)", () => {
  let server: Running
  beforeAll(async () => {
    server = await startServer({ trustClientIpHeader: true })
  })
  afterAll(() => server.close())

  it("listens on 127.0.0.1 with an ephemeral port under /v1", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    expect(server.url).not.toMatch(/:0\//)
  })

  it("walks installation → device-server → session-server → GET device, every response signed", async () => {
    const base = server.url
    const sandbox = await call(`${base}/sandbox-user-person`, { method: "POST" })
    expect(sandbox.status).toBe(200)
    const apiKey: string = sandbox.json.Response[0].ApiKey.api_key
    expect(apiKey).toMatch(/^sandbox_[0-9a-f]{56}$/)

    const keys = makeKeys()
    const installation = await call(`${base}/installation`, {
      method: "POST",
      body: { client_public_key: keys.publicKeyPem }
    })
    expect(installation.status).toBe(200)
    const [id, token, serverKey] = installation.json.Response
    expect(id.Id.id).toBeTypeOf("number")
    expect(token.Token.token).toMatch(/^[0-9a-f]{64}$/)
    expect(token.Token.created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/)
    const serverPublicKeyPem: string = serverKey.ServerPublicKey.server_public_key
    expect(serverPublicKeyPem).toBe(server.emulator.serverPublicKeyPem)
    expect(serverPublicKeyPem).toContain("-----BEGIN PUBLIC KEY-----\n")
    expect(verified(installation, serverPublicKeyPem)).toBe(true)
    expect(installation.headers.get("x-bunq-client-request-id")).toBe(installation.requestId)
    expect(installation.headers.get("x-bunq-client-response-id")).toMatch(/^[0-9a-f-]{36}$/)

    const device = await call(`${base}/device-server`, {
      method: "POST",
      body: { description: "protocol test", secret: apiKey, permitted_ips: [] },
      token: token.Token.token
    })
    expect(device.status).toBe(200)
    expect(verified(device, serverPublicKeyPem)).toBe(true)
    const deviceId: number = device.json.Response[0].Id.id

    const session = await call(`${base}/session-server`, {
      method: "POST",
      body: { secret: apiKey },
      token: token.Token.token,
      signWith: keys.privateKeyPem
    })
    expect(session.status).toBe(200)
    expect(verified(session, serverPublicKeyPem)).toBe(true)
    const [sessionId, sessionToken, user] = session.json.Response
    expect(sessionId.Id.id).toBeTypeOf("number")
    expect(sessionToken.Token.token).toMatch(/^[0-9a-f]{64}$/)
    expect(sessionToken.Token.token).not.toBe(token.Token.token)
    expect(user.UserPerson.session_timeout).toBe(604800)
    expect(user.UserPerson.savings_goal_note).toContain("€")

    const read = await call(`${base}/device-server/${deviceId}`, {
      token: sessionToken.Token.token,
      signWith: keys.privateKeyPem
    })
    expect(read.status).toBe(200)
    expect(verified(read, serverPublicKeyPem)).toBe(true)
    expect(read.json.Response[0].DeviceServer).toMatchObject({
      id: deviceId,
      description: "protocol test",
      ip: "127.0.0.1",
      status: "ACTIVE"
    })

    const log = await server.run(server.emulator.log)
    const mine = log.filter((entry) => entry.requestId === read.requestId)
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({
      method: "GET",
      path: `/device-server/${deviceId}`,
      status: 200,
      signature: "verified",
      auth: "session"
    })
    expect(mine[0].tokenHash).toMatch(/^[0-9a-f]{16}$/)
    expect(JSON.stringify(log)).not.toContain(sessionToken.Token.token)
    expect(JSON.stringify(log)).not.toContain(apiKey)
  })

  it("answers the other read endpoints of the family", async () => {
    const ctx = await openSession(server.url)
    const get = (path: string) =>
      call(`${server.url}${path}`, { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem })

    const installations = await get("/installation")
    expect(installations.status).toBe(200)
    const installationId = installations.json.Response[0].Id.id
    expect((await get(`/installation/${installationId}`)).json.Response[0].Id.id).toBe(installationId)
    const key = await get(`/installation/${installationId}/server-public-key`)
    expect(key.json.Response[0].ServerPublicKey.server_public_key).toBe(ctx.serverPublicKeyPem)
    expect(verified(key, ctx.serverPublicKeyPem)).toBe(true)

    const users = await get("/user")
    expect(users.status).toBe(200)
    expect(users.json.Response[0].UserPerson.id).toBe(ctx.userId)
    expect(users.json.Pagination.future_url).toBe(`/v1/user?newer_id=${ctx.userId}`)
    const user = await get(`/user/${ctx.userId}`)
    expect(user.json.Response[0].UserPerson.display_name).toBeTypeOf("string")
    const other = await get(`/user/${ctx.userId + 100000}`)
    expect(other.status).toBe(404)
    expect(verified(other, ctx.serverPublicKeyPem)).toBe(true)

    const company = await call(`${server.url}/sandbox-user-company`, { method: "POST" })
    const companyCtx = await openSession(server.url, { apiKey: company.json.Response[0].ApiKey.api_key })
    expect(Object.keys(companyCtx.sessionResponse.json.Response[2])).toEqual(["UserCompany"])
  })

  it("opens a UserApiKey session whose timeout sits in requested_by_user", async () => {
    const user = await server.run(server.emulator.createSandboxUser({ type: "api-key", sessionTimeout: 300 }))
    const { Redacted } = await import("effect")
    const ctx = await openSession(server.url, { apiKey: Redacted.value(user.apiKey) })
    const wrapper = ctx.sessionResponse.json.Response[2]
    expect(wrapper.UserApiKey.requested_by_user.UserPerson.session_timeout).toBe(300)
  })

  it("DELETE /session/0 ends the current session", async () => {
    const ctx = await openSession(server.url)
    const auth = { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem }
    const deleted = await call(`${server.url}/session/0`, { method: "DELETE", ...auth })
    expect(deleted.status).toBe(200)
    expect(deleted.json).toEqual({ Response: [] })
    const after = await call(`${server.url}/user`, auth)
    expect(after.status).toBe(401)
    expect(after.json.Error[0].error_description).toBe("Insufficient authorisation.")
  })

  it("sends UTF-8 bodies with non-ASCII text, some pretty-printed", async () => {
    const ctx = await openSession(server.url)
    expect(ctx.sessionResponse.text).toContain("\n  ")
    expect(ctx.sessionResponse.text).toMatch(/[ëï’]/)
    const read = await call(`${server.url}/device-server/${ctx.deviceId}`, {
      token: ctx.sessionToken,
      signWith: ctx.keys.privateKeyPem
    })
    expect(read.text).not.toContain("\n")
  })

  describe("error paths", () => {
    it("466 when session-server has no signature", async () => {
      const ctx = await openSession(server.url)
      const response = await call(`${server.url}/session-server`, {
        method: "POST",
        body: { secret: ctx.apiKey },
        token: ctx.installationToken
      })
      expect(response.status).toBe(466)
      expect(response.json.Error[0].error_description).toContain("request signature is required")
      expect(verified(response, ctx.serverPublicKeyPem)).toBe(true)
    })

    it("accepts a session GET without a signature; 466 when a money-moving call has none", async () => {
      const ctx = await openSession(server.url)
      const response = await call(`${server.url}/user`, { token: ctx.sessionToken })
      expect(response.status).toBe(200)
      expect(verified(response, ctx.serverPublicKeyPem)).toBe(true)
      const accounts = await call(`${server.url}/user/${ctx.userId}/monetary-account`, { token: ctx.sessionToken })
      const accountId = accounts.json.Response[0].MonetaryAccountBank.id
      const payment = await call(`${server.url}/user/${ctx.userId}/monetary-account/${accountId}/payment`, {
        method: "POST",
        token: ctx.sessionToken,
        body: {
          amount: { value: "1.00", currency: "EUR" },
          counterparty_alias: { type: "EMAIL", value: "sugardaddy@bunq.com" },
          description: "unsigned"
        }
      })
      expect(payment.status).toBe(466)
      const log = await server.run(server.emulator.log)
      expect(log.find((e) => e.requestId === payment.requestId)?.signature).toBe("missing")
    })

    it("400 when the signature is wrong (other key, or other bytes)", async () => {
      const ctx = await openSession(server.url)
      const stranger = makeKeys()
      const otherKey = await call(`${server.url}/user`, { token: ctx.sessionToken, signWith: stranger.privateKeyPem })
      expect(otherKey.status).toBe(400)
      expect(otherKey.json.Error[0].error_description).toBe("The request signature is invalid.")
      expect(verified(otherKey, ctx.serverPublicKeyPem)).toBe(true)

      const { signBytes } = await import("./utils/raw.js")
      const signedOther = signBytes(ctx.keys.privateKeyPem, new TextEncoder().encode("{\"secret\":\"x\"}"))
      const wrongBytes = await call(`${server.url}/session-server`, {
        method: "POST",
        body: { secret: ctx.apiKey },
        token: ctx.installationToken,
        signature: signedOther
      })
      expect(wrongBytes.status).toBe(400)
      const log = await server.run(server.emulator.log)
      expect(log.find((e) => e.requestId === wrongBytes.requestId)?.signature).toBe("invalid")
    })

    it("401 for a missing, unknown or installation token on a session call; 403 for a session token at device-server", async () => {
      const ctx = await openSession(server.url)
      const signWith = ctx.keys.privateKeyPem
      const missing = await call(`${server.url}/user`, { signWith })
      expect(missing.status).toBe(401)
      expect(missing.json.Error[0]).toEqual({
        error_description: "Insufficient authorisation.",
        error_description_translated: "Onvoldoende autorisatie."
      })
      const unknown = await call(`${server.url}/user`, { token: "f".repeat(64), signWith })
      expect(unknown.status).toBe(401)
      const installationOnSession = await call(`${server.url}/user`, { token: ctx.installationToken, signWith })
      expect(installationOnSession.status).toBe(401)
      expect(installationOnSession.json.Error[0].error_description).toBe("Insufficient authorisation.")
      const sessionOnDevice = await call(`${server.url}/device-server`, {
        method: "POST",
        body: { description: "x", secret: ctx.apiKey },
        token: ctx.sessionToken,
        signWith
      })
      expect(sessionOnDevice.status).toBe(403)
      const log = await server.run(server.emulator.log)
      expect(log.find((e) => e.requestId === installationOnSession.requestId)?.auth).toBe("installation")
      expect(log.find((e) => e.requestId === sessionOnDevice.requestId)?.auth).toBe("session")
      expect(log.find((e) => e.requestId === unknown.requestId)?.auth).toBe("unknown")
    })

    it("400 for a wrong API key at device-server and session-server", async () => {
      const ctx = await openSession(server.url)
      const device = await call(`${server.url}/device-server`, {
        method: "POST",
        body: { description: "x", secret: "sandbox_wrong" },
        token: ctx.installationToken
      })
      expect(device.status).toBe(400)
      expect(device.json.Error[0].error_description).toBe(
        "User credentials are incorrect. Incorrect API key or IP address."
      )
      const session = await call(`${server.url}/session-server`, {
        method: "POST",
        body: { secret: "sandbox_wrong" },
        token: ctx.installationToken,
        signWith: ctx.keys.privateKeyPem
      })
      expect(session.status).toBe(400)
    })

    it("binds the API key to the registering IP; a wildcard key works from anywhere", async () => {
      const bound = await openSession(server.url, { clientIp: "192.0.2.10" })
      const fromOther = await call(`${server.url}/user`, {
        token: bound.sessionToken,
        signWith: bound.keys.privateKeyPem,
        clientIp: "198.51.100.7"
      })
      expect(fromOther.status).toBe(403)
      expect(fromOther.json.Error[0].error_description).toBe("Insufficient authentication.")
      const fromSame = await call(`${server.url}/user`, {
        token: bound.sessionToken,
        signWith: bound.keys.privateKeyPem,
        clientIp: "192.0.2.10"
      })
      expect(fromSame.status).toBe(200)
      const newDevice = await call(`${server.url}/device-server`, {
        method: "POST",
        body: { description: "elsewhere", secret: bound.apiKey },
        token: bound.installationToken,
        clientIp: "198.51.100.7"
      })
      expect(newDevice.status).toBe(400)

      const wildcard = await openSession(server.url, { clientIp: "192.0.2.20", permittedIps: ["192.0.2.20", "*"] })
      const anywhere = await call(`${server.url}/user`, {
        token: wildcard.sessionToken,
        signWith: wildcard.keys.privateKeyPem,
        clientIp: "203.0.113.99"
      })
      expect(anywhere.status).toBe(200)
    })

    it("400 when a request id is reused on the same device", async () => {
      const ctx = await openSession(server.url)
      const auth = { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem }
      const first = await call(`${server.url}/user`, { ...auth, requestId: "reused-id-1" })
      expect(first.status).toBe(200)
      const second = await call(`${server.url}/user`, { ...auth, requestId: "reused-id-1" })
      expect(second.status).toBe(400)
      expect(second.json.Error[0].error_description).toContain("X-Bunq-Client-Request-Id")
      expect(second.headers.get("x-bunq-client-request-id")).toBe("reused-id-1")
      // another device may use the same id
      const other = await openSession(server.url)
      const elsewhere = await call(`${server.url}/user`, {
        token: other.sessionToken,
        signWith: other.keys.privateKeyPem,
        requestId: "reused-id-1"
      })
      expect(elsewhere.status).toBe(200)
    })

    it("401 'Insufficient authorisation.' once sessions expire", async () => {
      const ctx = await openSession(server.url)
      const auth = { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem }
      expect((await call(`${server.url}/user`, auth)).status).toBe(200)
      await server.run(server.emulator.expireSessions)
      const expired = await call(`${server.url}/user`, auth)
      expect(expired.status).toBe(401)
      expect(expired.json.Error[0].error_description).toBe("Insufficient authorisation.")
      // a new session works again
      const fresh = await call(`${server.url}/session-server`, {
        method: "POST",
        body: { secret: ctx.apiKey },
        token: ctx.installationToken,
        signWith: ctx.keys.privateKeyPem
      })
      expect(fresh.status).toBe(200)
    })

    it("404 for unknown routes and objects of other users, signed", async () => {
      const ctx = await openSession(server.url)
      const unknown = await call(`${server.url}/nothing-here`, { token: ctx.sessionToken })
      expect(unknown.status).toBe(404)
      expect(verified(unknown, ctx.serverPublicKeyPem)).toBe(true)
      const other = await openSession(server.url)
      const foreign = await call(`${server.url}/device-server/${other.deviceId}`, {
        token: ctx.sessionToken,
        signWith: ctx.keys.privateKeyPem
      })
      expect(foreign.status).toBe(404)
      expect(foreign.json.Error[0].error_description_translated).toContain("niet gevonden")
    })

    it("400 for an invalid client public key or body", async () => {
      const bad = await call(`${server.url}/installation`, { method: "POST", body: { client_public_key: "nope" } })
      expect(bad.status).toBe(400)
      const notJson = await call(`${server.url}/installation`, { method: "POST", rawBody: "{not json" })
      expect(notJson.status).toBe(400)
      expect(notJson.json.Error[0].error_description).toBe("The request body is not valid JSON.")
    })
  })

  describe("CORS", () => {
    it("answers preflights for loopback origins only and exposes the bunq headers", async () => {
      const preflight = await fetch(`${server.url}/user`, {
        method: "OPTIONS",
        headers: {
          Origin: "http://127.0.0.1:5173",
          "Access-Control-Request-Method": "GET",
          "Access-Control-Request-Headers": "x-bunq-client-authentication,x-bunq-client-signature"
        }
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:5173")
      expect(preflight.headers.get("access-control-allow-headers")).toContain("x-bunq-client-signature")
      const response = await call(`${server.url}/sandbox-user-person`, {
        method: "POST",
        headers: { Origin: "http://localhost:5173" }
      })
      expect(response.status).toBe(200)
      expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:5173")
      expect(response.headers.get("access-control-expose-headers")).toContain("X-Bunq-Server-Signature")
    })

    it("never sends a wildcard origin, and refuses a foreign origin's requests", async () => {
      const preflight = await fetch(`${server.url}/user`, {
        method: "OPTIONS",
        headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" }
      })
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull()
      const response = await call(`${server.url}/sandbox-user-person`, {
        method: "POST",
        headers: { Origin: "https://evil.example" }
      })
      expect(response.status).toBe(403)
      expect(response.headers.get("access-control-allow-origin")).toBeNull()
      expect(response.json.Response).toBeUndefined()
    })
  })

  describe("Host check (DNS rebinding)", () => {
    const withHost = (host: string, path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(`${server.url}${path}`)
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "POST",
            headers: { Host: host, "User-Agent": "host-check-test" }
          },
          (res) => {
            let body = ""
            res.setEncoding("utf8")
            res.on("data", (chunk: string) => (body += chunk))
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
          }
        )
        req.on("error", reject)
        req.end()
      })

    it("refuses a request whose Host is not a loopback name", async () => {
      const port = new URL(server.url).port
      const rebound = await withHost(`evil.example:${port}`, "/sandbox-user-person")
      expect(rebound.status).toBe(421)
      expect(rebound.body).not.toContain("api_key")
      const loopback = await withHost(`localhost:${port}`, "/sandbox-user-person")
      expect(loopback.status).toBe(200)
      expect(loopback.body).toContain("api_key")
    })
  })
})

describe("allowed origins and hosts are configurable", () => {
  it("takes the configured origin and host lists", async () => {
    const custom = await startServer({ allowedOrigins: ["https://app.test"], allowedHosts: ["bunq.test"] })
    try {
      const foreign = await call(`${custom.url}/sandbox-user-person`, {
        method: "POST",
        headers: { Origin: "http://127.0.0.1:5173" }
      })
      expect(foreign.status).toBe(403)
      const allowed = await call(`${custom.url}/sandbox-user-person`, {
        method: "POST",
        headers: { Origin: "https://app.test" }
      })
      expect(allowed.status).toBe(200)
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.test")
    } finally {
      await custom.close()
    }
  })
})

describe("client IP header", () => {
  it("is ignored unless the emulator trusts it", async () => {
    const server = await startServer()
    try {
      const ctx = await openSession(server.url, { clientIp: "192.0.2.44" })
      const read = await call(`${server.url}/device-server/${ctx.deviceId}`, {
        token: ctx.sessionToken,
        signWith: ctx.keys.privateKeyPem,
        clientIp: "198.51.100.1"
      })
      expect(read.status).toBe(200)
      expect(read.json.Response[0].DeviceServer.ip).toBe("127.0.0.1")
    } finally {
      await server.close()
    }
  })
})

describe("rate limits", () => {
  it("429 past bunq's limits per IP and endpoint, with bunq's message", async () => {
    const server = await startServer({
      trustClientIpHeader: true,
      rateLimits: {
        GET: { calls: 3, seconds: 3 },
        POST: { calls: 5, seconds: 3 },
        PUT: { calls: 2, seconds: 3 },
        DELETE: { calls: 2, seconds: 3 },
        sessionServer: { calls: 1, seconds: 30 }
      }
    })
    try {
      const ctx = await openSession(server.url, { clientIp: "192.0.2.50" })
      const auth = { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem, clientIp: "192.0.2.50" }
      const statuses: Array<number> = []
      for (let i = 0; i < 4; i++) statuses.push((await call(`${server.url}/user`, auth)).status)
      expect(statuses).toEqual([200, 200, 200, 429])
      const limited = await call(`${server.url}/user`, auth)
      expect(limited.json.Error[0].error_description).toBe(
        "You can do a maximum of 3 calls per 3 seconds to this endpoint."
      )
      expect(verified(limited, ctx.serverPublicKeyPem)).toBe(true)
      // another endpoint has its own budget
      expect((await call(`${server.url}/device-server/${ctx.deviceId}`, auth)).status).toBe(200)
      // a second session within 30 s is refused
      const again = await call(`${server.url}/session-server`, {
        method: "POST",
        body: { secret: ctx.apiKey },
        token: ctx.installationToken,
        signWith: ctx.keys.privateKeyPem,
        clientIp: "192.0.2.50"
      })
      expect(again.status).toBe(429)
      expect(again.json.Error[0].error_description).toBe(
        "You can do a maximum of 1 calls per 30 seconds to this endpoint."
      )
      // another IP is not affected
      expect((await call(`${server.url}/user`, { ...auth, clientIp: "192.0.2.51" })).status).not.toBe(429)
    } finally {
      await server.close()
    }
  })
})
