/**
 * The emulator's money objects carry every field of bunq's real payloads (fixtures in `fixtures/money/`, see its
 * SOURCE.md), and its callbacks have the `NotificationUrl` shape bunq POSTs.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { emailOf, openBank } from "./utils/bank.js"
import { startInProcess } from "./utils/inProcess.js"
import type { Running } from "./utils/server.js"
import { startServer } from "./utils/server.js"

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/money/${name}`, import.meta.url), "utf8"))
const first = (name: string) => {
  const item = fixture(name).Response[0]
  return Object.values(item)[0] as Record<string, unknown>
}
const missing = (ours: Record<string, unknown>, theirs: Record<string, unknown>) =>
  Object.keys(theirs).filter((key) => !(key in ours))

describe("shapes like bunq's payloads", () => {
  let server: Running & { readonly fetch: typeof fetch }
  beforeAll(async () => {
    server = await startInProcess()
  })
  afterAll(() => server.close())

  it("monetary account, payment and bunq.me tab objects have every field of bunq's", async () => {
    const alice = await openBank(server.url, server.fetch)
    const bob = await openBank(server.url, server.fetch)
    await alice.topUp("2.00")
    await alice.pay({ type: "EMAIL", value: emailOf(await bob.account()) }, "1.00")
    const path = await alice.accountPath()
    const tab = await alice.call(`${path}/bunqme-tab`, {
      method: "POST",
      body: { bunqme_tab_entry: { amount_inquired: { value: "1.00", currency: "EUR" }, description: "x" } }
    })
    const account = await alice.account()
    const payment = (await alice.call(`${path}/payment`)).json.Response[0].Payment
    const bunqmeTab = (await alice.call(`${path}/bunqme-tab/${tab.json.Response[0].Id.id}`)).json.Response[0].BunqMeTab
    expect(missing(account, first("monetary-account.get.response.json"))).toEqual([])
    expect(missing(payment, first("payments.list.response.json"))).toEqual([])
    expect(missing(bunqmeTab, first("bunqme-tab.get.response.json"))).toEqual([])
    expect(missing(payment.alias, first("payments.list.response.json").alias as Record<string, unknown>)).toEqual([])
  })
})

describe("callback shape", () => {
  it("a NotificationUrl body has bunq's fields, down to the payment", async () => {
    const bodies: Array<string> = []
    const receiver = http.createServer((req, res) => {
      let body = ""
      req.on("data", (chunk) => (body += chunk))
      req.on("end", () => {
        bodies.push(body)
        res.writeHead(200).end()
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    const server = await startServer()
    try {
      const alice = await openBank(server.url)
      const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`
      await alice.call(`/user/${alice.ctx.userId}/notification-filter-url`, {
        method: "POST",
        body: { notification_filters: [{ category: "MUTATION", notification_target: target }] }
      })
      await alice.topUp("1.00")
      const end = Date.now() + 5000
      while (bodies.length === 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10))
      const ours = JSON.parse(bodies[0]).NotificationUrl
      const theirs = fixture("Mutation.json").NotificationUrl
      expect(missing(ours, theirs)).toEqual([])
      expect(missing(ours.object.Payment, theirs.object.Payment)).toEqual([])
      expect(fixture("RequestInquiry.json").NotificationUrl.category).toBe("REQUEST")
    } finally {
      await server.close()
      await new Promise<void>((resolve) => receiver.close(() => resolve()))
    }
  })
})
