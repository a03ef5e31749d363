import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { call, openSession, verified } from "./utils/raw.js"
import type { Context } from "./utils/raw.js"
import type { Running } from "./utils/server.js"
import { startServer } from "./utils/server.js"

describe("pagination of GET /device-server", () => {
  let server: Running
  let ctx: Context
  let all: ReadonlyArray<number>
  beforeAll(async () => {
    server = await startServer()
    ctx = await openSession(server.url)
    const seeded = await server.run(server.emulator.seedDevices(ctx.userId, 250))
    all = [ctx.deviceId, ...seeded].sort((a, b) => a - b)
  })
  afterAll(() => server.close())

  const origin = () => new URL(server.url).origin
  const get = async (pathAndQuery: string) => {
    const response = await call(`${origin()}${pathAndQuery}`, {
      token: ctx.sessionToken,
      signWith: ctx.keys.privateKeyPem
    })
    expect(response.status).toBe(200)
    expect(verified(response, ctx.serverPublicKeyPem)).toBe(true)
    return response
  }
  const ids = (json: any): Array<number> => json.Response.map((item: any) => item.DeviceServer.id)

  it("walks older pages from the newest to the end by following older_url", async () => {
    let response = await get("/v1/device-server?count=25")
    expect(response.json.Pagination.newer_url).toBeNull()
    expect(response.json.Pagination.future_url).toBe(`/v1/device-server?count=25&newer_id=${all[all.length - 1]}`)
    const seen: Array<number> = []
    let pages = 0
    for (;;) {
      pages++
      const page = ids(response.json)
      expect(page.length).toBeLessThanOrEqual(25)
      seen.push(...page)
      const older = response.json.Pagination.older_url
      if (older === null) break
      expect(older).toMatch(/^\/v1\/device-server\?count=25&older_id=\d+$/)
      response = await get(older)
    }
    expect(pages).toBe(Math.ceil(251 / 25))
    expect(seen).toEqual([...all].reverse())
  })

  it("walks newer pages from the oldest to the newest by following newer_url", async () => {
    let response = await get("/v1/device-server?count=40&newer_id=0")
    const seen: Array<number> = []
    for (;;) {
      const page = ids(response.json)
      // each page is newest first
      expect(page).toEqual([...page].sort((a, b) => b - a))
      seen.unshift(...page)
      const newer = response.json.Pagination.newer_url
      if (newer === null) {
        expect(response.json.Pagination.future_url).toBe(`/v1/device-server?count=40&newer_id=${page[0]}`)
        break
      }
      expect(newer).toMatch(/^\/v1\/device-server\?count=40&newer_id=\d+$/)
      response = await get(newer)
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(all)
    expect(new Set(seen).size).toBe(251)
  })

  it("defaults to 10 items, allows 200, rejects 201", async () => {
    const first = await get("/v1/device-server")
    expect(ids(first.json)).toEqual(all.slice(-10).reverse())
    expect(first.json.Pagination.older_url).toBe(`/v1/device-server?older_id=${all[all.length - 10]}`)
    const big = await get("/v1/device-server?count=200")
    expect(ids(big.json)).toHaveLength(200)
    const tooBig = await call(`${server.url}/device-server?count=201`, {
      token: ctx.sessionToken,
      signWith: ctx.keys.privateKeyPem
    })
    expect(tooBig.status).toBe(400)
  })

  it("future_url finds nothing until a new device is registered", async () => {
    const first = await get("/v1/device-server?count=5")
    const future = await get(first.json.Pagination.future_url)
    expect(future.json.Response).toEqual([])
    await server.run(server.emulator.seedDevices(ctx.userId, 1))
    const again = await get(first.json.Pagination.future_url)
    expect(ids(again.json)).toHaveLength(1)
    expect(ids(again.json)[0]).toBeGreaterThan(all[all.length - 1])
  })
})
