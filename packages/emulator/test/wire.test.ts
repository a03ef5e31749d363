/**
 * bunq's wire-format habits, each on by default and each switchable off: signatures where bunq requires them, 405,
 * the User-Agent check, 401 for an installation token on a session call, mixed Content-Type, chunked larger GET
 * bodies, escaped slashes, pretty bodies with a trailing newline, unknown fields and nulls.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as http from "node:http"
import { emailOf, openBank } from "./utils/bank.js"
import { call, verified } from "./utils/raw.js"
import type { Running } from "./utils/server.js"
import { startServer } from "./utils/server.js"

/** A GET over node:http, to see the transfer encoding. */
const rawGet = (url: string, token: string) =>
  new Promise<{ headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    http.get(url, { headers: { "User-Agent": "wire-test", "X-Bunq-Client-Authentication": token } }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => (body += chunk))
      res.on("end", () => resolve({ headers: res.headers, body }))
    }).on("error", reject)
  })

describe("wire format, bunq's way (the default)", () => {
  let server: Running
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(() => server.close())

  it("answers a wrong method with 405 and an unknown path with 404", async () => {
    const alice = await openBank(server.url)
    const wrong = await alice.call("/device-server", { method: "DELETE" })
    expect(wrong.status).toBe(405)
    expect(wrong.json.Error[0].error_description).toBe("Method DELETE is not allowed on this route.")
    expect(verified(wrong, alice.ctx.serverPublicKeyPem)).toBe(true)
    const unknown = await alice.call("/no-such-thing")
    expect(unknown.status).toBe(404)
  })

  it("answers a request without User-Agent with 400", async () => {
    const response = await fetch(`${server.url}/sandbox-user-person`, { method: "POST", headers: { "User-Agent": "" } })
    expect(response.status).toBe(400)
    expect((await response.json()).Error[0].error_description).toBe("The User-Agent header is required.")
  })

  it("sends lists with charset=utf-8, others plain application/json", async () => {
    const alice = await openBank(server.url)
    const list = await alice.call(`/user/${alice.ctx.userId}/monetary-account`)
    expect(list.headers.get("content-type")).toBe("application/json; charset=utf-8")
    const user = await alice.call("/user")
    expect(user.headers.get("content-type")).toBe("application/json")
  })

  it("pretty-prints some bodies with a trailing newline, escapes slashes in payments and chunks larger GET bodies", async () => {
    const alice = await openBank(server.url)
    const user = await alice.call(`/user/${alice.ctx.userId}`)
    expect(user.text).toMatch(/^\{\n {2}"Response"/)
    expect(user.text.endsWith("}\n")).toBe(true)
    const bob = await openBank(server.url)
    await alice.topUp("100.00")
    for (let i = 0; i < 8; i++) await alice.pay({ type: "EMAIL", value: emailOf(await bob.account()) }, "1.00")
    const path = `${await alice.accountPath()}/payment?count=10`
    const payments = await rawGet(`${server.url}${path}`, alice.ctx.sessionToken)
    expect(payments.headers["transfer-encoding"]).toBe("chunked")
    expect(payments.headers["content-length"]).toBeUndefined()
    expect(payments.body.length).toBeGreaterThan(8192)
    expect(payments.body).toContain("https:\\/\\/bunq-emulator.local\\/avatar\\/")
    expect(payments.body).not.toMatch(/[^\\]\//)
    const parsed = JSON.parse(payments.body)
    expect(parsed.Response).toHaveLength(9)
    expect(parsed.Response[0].Payment.alias.avatar.image[0].urls[0].url).toMatch(/^https:\/\//)
    const small = await rawGet(`${server.url}/user/${alice.ctx.userId}/monetary-account`, alice.ctx.sessionToken)
    expect(small.headers["content-length"]).toBeDefined()
  })

  it("adds fields no client knows, and nulls", async () => {
    const alice = await openBank(server.url)
    const account = await alice.account()
    expect(account).toHaveProperty("all_auto_save_id")
    expect(account.monetary_account_profile).toBeNull()
  })
})

describe("wire format with every habit switched off", () => {
  let server: Running
  beforeAll(async () => {
    server = await startServer({ fidelity: false })
  })
  afterAll(() => server.close())

  it("needs a signature on every session call, answers 404 for a wrong method, 403 for an installation token", async () => {
    const alice = await openBank(server.url)
    const unsigned = await alice.call("/user")
    expect(unsigned.status).toBe(466)
    const signed = await alice.call("/user", { signed: true })
    expect(signed.status).toBe(200)
    expect(signed.headers.get("content-type")).toBe("application/json")
    const wrong = await alice.call("/device-server", { method: "DELETE", signed: true })
    expect(wrong.status).toBe(404)
    const installation = await call(`${server.url}/user`, {
      token: alice.ctx.installationToken,
      signWith: alice.ctx.keys.privateKeyPem
    })
    expect(installation.status).toBe(403)
    expect(installation.json.Error[0].error_description).toBe("Insufficient authentication.")
  })

  it("accepts no User-Agent, sends plain JSON without unknown fields or nulls, escapes nothing", async () => {
    const response = await fetch(`${server.url}/sandbox-user-person`, { method: "POST", headers: { "User-Agent": "" } })
    expect(response.status).toBe(200)
    const alice = await openBank(server.url)
    const list = await alice.call(`/user/${alice.ctx.userId}/monetary-account`, { signed: true })
    expect(list.headers.get("content-type")).toBe("application/json")
    const account = list.json.Response[0].MonetaryAccountBank
    expect(account).not.toHaveProperty("all_auto_save_id")
    expect(account).not.toHaveProperty("monetary_account_profile")
    expect(list.text).not.toContain("\\/")
  })
})

describe("wire format, one habit off", () => {
  it("switches off just the one named", async () => {
    const server = await startServer({ fidelity: { methodNotAllowed: false } })
    try {
      const alice = await openBank(server.url)
      expect((await alice.call("/device-server", { method: "DELETE" })).status).toBe(404)
      expect((await alice.call("/user")).status).toBe(200)
    } finally {
      await server.close()
    }
  })
})
