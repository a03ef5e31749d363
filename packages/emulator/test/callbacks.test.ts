/**
 * Callbacks: a notification filter on a user or an account makes the emulator POST bunq's `NotificationUrl` body to
 * a local receiver, signed with the server key, retried while the receiver fails; deliveries are in its log.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { emailOf, errorOf, openBank } from "./utils/bank.js"
import { verifyBytes } from "./utils/raw.js"
import type { Running } from "./utils/server.js"
import { startServer } from "./utils/server.js"

interface Received {
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

const startReceiver = async (failFirst: number) => {
  const received: Array<Received> = []
  let failures = failFirst
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      if (failures > 0) {
        failures--
        res.writeHead(503).end()
        return
      }
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

const until = async (check: () => boolean | Promise<boolean>, millis = 5000) => {
  const end = Date.now() + millis
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out waiting")
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe("callbacks", () => {
  let server: Running
  beforeAll(async () => {
    server = await startServer({ callbackRetrySpacing: "20 millis" })
  })
  afterAll(() => server.close())

  it("POSTs a signed NotificationUrl body for a payment, retrying a failing receiver, and logs each attempt", async () => {
    const receiver = await startReceiver(2)
    try {
      const alice = await openBank(server.url)
      const bob = await openBank(server.url)
      const filters = await bob.call(`/user/${bob.ctx.userId}/notification-filter-url`, {
        method: "POST",
        body: { notification_filters: [{ category: "MUTATION", notification_target: `${receiver.url}/bunq` }] }
      })
      expect(filters.status).toBe(200)
      expect(filters.json.Response[0].NotificationFilterUrl).toMatchObject({
        category: "MUTATION",
        notification_target: `${receiver.url}/bunq`
      })
      const listed = await bob.call(`/user/${bob.ctx.userId}/notification-filter-url`)
      expect(listed.json.Response).toHaveLength(1)

      await alice.topUp("3.00")
      await alice.pay({ type: "EMAIL", value: emailOf(await bob.account()) }, "2.75")
      await until(() => receiver.received.length === 1)
      const [delivery] = receiver.received
      expect(delivery.path).toBe("/bunq")
      expect(delivery.headers["content-type"]).toBe("application/json")
      expect(
        verifyBytes(
          server.emulator.serverPublicKeyPem,
          delivery.body,
          String(delivery.headers["x-bunq-server-signature"])
        )
      )
        .toBe(true)
      const text = delivery.body.toString("utf8")
      expect(text).toContain(`http:\\/\\/127.0.0.1`)
      const notification = JSON.parse(text).NotificationUrl
      expect(notification).toMatchObject({ category: "MUTATION", event_type: "MUTATION_CREATED" })
      expect(notification.target_url).toBe(`${receiver.url}/bunq`)
      expect(notification.object.Payment.amount).toEqual({ value: "2.75", currency: "EUR" })

      const deliveries = async () =>
        (await server.run(server.emulator.deliveries)).filter((d) => d.targetUrl.startsWith(receiver.url))
      await until(async () => (await deliveries()).length === 3)
      const attempts = await deliveries()
      expect(attempts.map((d) => [d.attempt, d.status, d.delivered])).toEqual([[1, 503, false], [2, 503, false], [
        3,
        200,
        true
      ]])
      // Alice has no filter: only Bob's side was delivered.
      expect(new Set(attempts.map((d) => d.eventType))).toEqual(new Set(["MUTATION_CREATED"]))
    } finally {
      await receiver.close()
    }
  })

  it("delivers account filters for that account only, and gives up after 5 retries", async () => {
    const alice = await openBank(server.url)
    const receiver = await startReceiver(100)
    try {
      const path = await alice.accountPath()
      const set = await alice.call(`${path}/notification-filter-url`, {
        method: "POST",
        body: { notification_filters: [{ category: "REQUEST", notification_target: `${receiver.url}/requests` }] }
      })
      expect(set.status).toBe(200)
      await alice.topUp("1.00")
      await until(async () =>
        (await server.run(server.emulator.deliveries)).filter((d) => d.targetUrl.startsWith(receiver.url)).length === 6
      )
      await new Promise((resolve) => setTimeout(resolve, 100))
      const attempts = (await server.run(server.emulator.deliveries)).filter((d) =>
        d.targetUrl.startsWith(receiver.url)
      )
      expect(attempts.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6])
      expect(attempts.every((d) => !d.delivered && d.eventType === "REQUEST_INQUIRY_ACCEPTED")).toBe(true)
    } finally {
      await receiver.close()
    }
  })

  it("refuses targets that are not loopback", async () => {
    const alice = await openBank(server.url)
    for (const target of ["https://example.com/hook", "http://10.0.0.1/hook", "file:///etc/passwd", "nonsense"]) {
      const response = await alice.call(`/user/${alice.ctx.userId}/notification-filter-url`, {
        method: "POST",
        body: { notification_filters: [{ category: "MUTATION", notification_target: target }] }
      })
      expect(response.status, target).toBe(400)
      expect(errorOf(response)).toMatch(/loopback/)
    }
  })
})
