import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { call, openSession, verified, verifyBytes } from "./utils/raw.js"
import type { Context } from "./utils/raw.js"
import type { Running } from "./utils/server.js"
import { startServer } from "./utils/server.js"

describe("fault injection over HTTP", () => {
  let server: Running
  let ctx: Context
  beforeAll(async () => {
    server = await startServer()
    ctx = await openSession(server.url)
  })
  afterAll(() => server.close())

  const getDevice = () =>
    call(`${server.url}/device-server/${ctx.deviceId}`, { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem })

  it("TamperedBody: the body changes after signing and stays valid JSON", async () => {
    await server.run(server.emulator.injectFault({ _tag: "TamperedBody", method: "GET", path: "/device-server/*" }))
    const tampered = await getDevice()
    expect(tampered.status).toBe(200)
    expect(tampered.headers.get("x-bunq-server-signature")).not.toBeNull()
    expect(verified(tampered, ctx.serverPublicKeyPem)).toBe(false)
    expect(tampered.json.Response[0].DeviceServer).toBeDefined()
    const next = await getDevice()
    expect(verified(next, ctx.serverPublicKeyPem)).toBe(true)
    expect(next.text).not.toBe(tampered.text)
  })

  it("TamperedSignature, MissingSignature and WrongKey", async () => {
    await server.run(server.emulator.injectFault({ _tag: "TamperedSignature", path: "/device-server/*" }))
    const tampered = await getDevice()
    expect(tampered.headers.get("x-bunq-server-signature")).not.toBeNull()
    expect(verified(tampered, ctx.serverPublicKeyPem)).toBe(false)

    await server.run(server.emulator.injectFault({ _tag: "MissingSignature", path: "/device-server/*" }))
    const missing = await getDevice()
    expect(missing.status).toBe(200)
    expect(missing.headers.get("x-bunq-server-signature")).toBeNull()

    await server.run(server.emulator.injectFault({ _tag: "WrongKey", path: "/v1/device-server/*" }))
    const wrongKey = await getDevice()
    const signature = wrongKey.headers.get("x-bunq-server-signature")!
    expect(verifyBytes(ctx.serverPublicKeyPem, wrongKey.bytes, signature)).toBe(false)
    expect(signature).toMatch(/^[A-Za-z0-9+/]+={0,2}$/)

    expect(verified(await getDevice(), ctx.serverPublicKeyPem)).toBe(true)
  })

  it("Status 429, 5xx and 491 for the next N matching requests, with bunq bodies", async () => {
    await server.run(
      server.emulator.injectFault({ _tag: "Status", status: 429, method: "GET", path: "/user", times: 2 })
    )
    const user = () => call(`${server.url}/user`, { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem })
    // a non-matching request is not affected
    expect((await getDevice()).status).toBe(200)
    const first = await user()
    const second = await user()
    const third = await user()
    expect([first.status, second.status, third.status]).toEqual([429, 429, 200])
    expect(first.json.Error[0].error_description).toMatch(/^You can do a maximum of \d+ calls per \d+ seconds/)
    expect(verified(first, ctx.serverPublicKeyPem)).toBe(true)

    await server.run(server.emulator.injectFault({ _tag: "Status", status: 503, signed: false }))
    const unavailable = await getDevice()
    expect(unavailable.status).toBe(503)
    expect(unavailable.headers.get("x-bunq-server-signature")).toBeNull()
    expect(unavailable.json.Error[0].error_description).toBeTypeOf("string")

    await server.run(server.emulator.injectFault({ _tag: "Status", status: 491 }))
    const maintenance = await getDevice()
    expect(maintenance.status).toBe(491)
    expect(maintenance.json.Error[0].error_description_translated).toContain("onderhoud")
    expect(maintenance.text).toContain("—")
  })

  it("Status faults do not process the request", async () => {
    const before = await server.run(server.emulator.log)
    await server.run(server.emulator.injectFault({ _tag: "Status", status: 500, path: "/sandbox-user-person" }))
    const failed = await call(`${server.url}/sandbox-user-person`, { method: "POST" })
    expect(failed.status).toBe(500)
    expect(failed.json.Response).toBeUndefined()
    const log = await server.run(server.emulator.log)
    const entry = log.find((e) => e.requestId === failed.requestId)
    expect(entry).toMatchObject({ status: 500, fault: "Status" })
    expect(log.length).toBe(before.length + 1)
  })

  it("ConnectionReset destroys the socket; afterProcessing applies the change first", async () => {
    await server.run(server.emulator.injectFault({ _tag: "ConnectionReset", path: "/device-server/*" }))
    await expect(getDevice()).rejects.toThrow()
    expect((await getDevice()).status).toBe(200)

    await server.run(
      server.emulator.injectFault({ _tag: "ConnectionReset", afterProcessing: true, path: "/sandbox-user-person" })
    )
    const before = await server.run(server.emulator.log)
    await expect(call(`${server.url}/sandbox-user-person`, { method: "POST" })).rejects.toThrow()
    const log = await server.run(server.emulator.log)
    const resetEntry = log.slice(before.length).find((e) => e.fault === "ConnectionReset")
    // processed: the handler ran (status 200 recorded) but no response reached the client
    expect(resetEntry?.status).toBe(200)
  })

  it("the log counts calls per path", async () => {
    await server.run(server.emulator.clearLog)
    await getDevice()
    await getDevice()
    await call(`${server.url}/user`, { token: ctx.sessionToken, signWith: ctx.keys.privateKeyPem })
    const log = await server.run(server.emulator.log)
    expect(log.filter((e) => e.path.startsWith("/device-server/")).length).toBe(2)
    expect(log.filter((e) => e.path === "/user").length).toBe(1)
    expect(log.every((e) => e.clientIp === "127.0.0.1")).toBe(true)
  })
})
