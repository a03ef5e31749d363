/**
 * The money endpoints, each over real HTTP (loopback fetch, node:crypto signatures) and over the in-process client:
 * accounts, sandbox money, payments, batches, drafts, requests, tabs, events and attachments.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Scheduler } from "effect"
import { readFileSync } from "node:fs"
import { emailOf, errorOf, ibanOf, openBank } from "./utils/bank.js"
import { startInProcess } from "./utils/inProcess.js"
import { verified, verifyBytes } from "./utils/raw.js"
import type { Running } from "./utils/server.js"
import { startServer } from "./utils/server.js"

const png = new Uint8Array(readFileSync(new URL("./fixtures/money/attachment-public.content.png", import.meta.url)))

const transports: ReadonlyArray<readonly [string, () => Promise<Running & { readonly fetch?: typeof fetch }>]> = [
  ["over HTTP", () => startServer()],
  ["in process", () => startInProcess()]
]

describe.each(transports)("money endpoints %s", (_, start) => {
  let server: Running & { readonly fetch?: typeof fetch }
  beforeAll(async () => {
    server = await start()
  })
  afterAll(() => server.close())
  const bank = () => openBank(server.url, server.fetch)

  it("gives every new user a default bank account with an NL..BUNQ IBAN and the user's email alias", async () => {
    const alice = await bank()
    const list = await alice.call(`/user/${alice.ctx.userId}/monetary-account`)
    expect(list.status).toBe(200)
    expect(verified(list, alice.ctx.serverPublicKeyPem)).toBe(true)
    expect(list.json.Response).toHaveLength(1)
    const account = list.json.Response[0].MonetaryAccountBank
    expect(account.balance).toEqual({ value: "0.00", currency: "EUR" })
    expect(account.status).toBe("ACTIVE")
    expect(account.user_id).toBe(alice.ctx.userId)
    expect(ibanOf(account)).toMatch(/^NL\d{2}BUNQ\d{10}$/)
    expect(emailOf(account)).toBe(`sandbox+${alice.ctx.userId}@bunq-emulator.local`)
    expect(list.json.Pagination).toHaveProperty("older_url", null)
    const read = await alice.call(`/user/${alice.ctx.userId}/monetary-account/${account.id}`)
    expect(read.json.Response[0].MonetaryAccountBank.id).toBe(account.id)
    const other = await bank()
    const foreign = await other.call(`/user/${other.ctx.userId}/monetary-account/${account.id}`)
    expect(foreign.status).toBe(404)
    const notMine = await other.call(`/user/${alice.ctx.userId}/monetary-account`)
    expect(notMine.status).toBe(404)
  })

  it("pays a request to sugardaddy@bunq.com of at most 500.00 EUR at once; more is bunq's error", async () => {
    const alice = await bank()
    const paid = await alice.topUp("500.00")
    expect(paid.status).toBe(200)
    const inquiryId = paid.json.Response[0].Id.id
    const inquiry = await alice.call(`${await alice.accountPath()}/request-inquiry/${inquiryId}`)
    expect(inquiry.json.Response[0].RequestInquiry.status).toBe("ACCEPTED")
    expect((await alice.account()).balance.value).toBe("500.00")
    const tooMuch = await alice.topUp("500.01")
    expect(tooMuch.status).toBe(400)
    expect(errorOf(tooMuch)).toMatch(/500\.00 EUR/)
    expect((await alice.account()).balance.value).toBe("500.00")
  })

  it("creates, lists, updates and closes bank and savings accounts (close needs a zero balance and a reason)", async () => {
    const alice = await bank()
    const user = `/user/${alice.ctx.userId}`
    const created = await alice.call(`${user}/monetary-account-savings`, {
      method: "POST",
      body: { currency: "EUR", description: "Vakantie", savings_goal: { value: "1250.00", currency: "EUR" } }
    })
    expect(created.status, created.text).toBe(200)
    const savingsId = created.json.Response[0].Id.id
    const savings = await alice.call(`${user}/monetary-account-savings/${savingsId}`)
    expect(savings.json.Response[0].MonetaryAccountSavings.savings_goal).toEqual({ value: "1250.00", currency: "EUR" })
    const bankCreated = await alice.call(`${user}/monetary-account-bank`, {
      method: "POST",
      body: { currency: "EUR", description: "Boodschappen" }
    })
    const bankId = bankCreated.json.Response[0].Id.id
    const renamed = await alice.call(`${user}/monetary-account-bank/${bankId}`, {
      method: "PUT",
      body: { description: "Groceries", daily_limit: { value: "50.00", currency: "EUR" } }
    })
    expect(renamed.status, renamed.text).toBe(200)
    const union = await alice.call(`${user}/monetary-account`)
    expect(union.json.Response.map((r: any) => Object.keys(r)[0]).sort()).toEqual([
      "MonetaryAccountBank",
      "MonetaryAccountBank",
      "MonetaryAccountSavings"
    ])
    const onlySavings = await alice.call(`${user}/monetary-account-savings`)
    expect(onlySavings.json.Response).toHaveLength(1)
    const wrongType = await alice.call(`${user}/monetary-account-bank/${savingsId}`)
    expect(wrongType.status).toBe(404)

    // Closing: a reason is required, and the balance must be zero.
    const close = { status: "CANCELLED", sub_status: "REDEMPTION_VOLUNTARY", reason: "OTHER" }
    const noReason = await alice.call(`${user}/monetary-account-bank/${bankId}`, { method: "PUT", body: close })
    expect(noReason.status).toBe(400)
    const main = await alice.account()
    await alice.topUp("1.00")
    const withBalance = await alice.call(`${user}/monetary-account-bank/${main.id}`, {
      method: "PUT",
      body: { ...close, reason_description: "Done" }
    })
    expect(withBalance.status).toBe(400)
    expect(errorOf(withBalance)).toMatch(/balance is zero/)
    const closed = await alice.call(`${user}/monetary-account-bank/${bankId}`, {
      method: "PUT",
      body: { ...close, reason_description: "Not needed any more" }
    })
    expect(closed.status, closed.text).toBe(200)
    const after = (await alice.call(`${user}/monetary-account-bank/${bankId}`)).json.Response[0].MonetaryAccountBank
    expect(after).toMatchObject({
      description: "Groceries",
      status: "CANCELLED",
      sub_status: "REDEMPTION_VOLUNTARY",
      reason: "OTHER",
      reason_description: "Not needed any more",
      daily_limit: { value: "50.00", currency: "EUR" }
    })
  })

  it("moves money between users by IBAN and by email, exact to the cent; both sides see the payment", async () => {
    const alice = await bank()
    const bob = await bank()
    await alice.topUp("0.30")
    const bobAccount = await bob.account()
    const byIban = await alice.pay({ type: "IBAN", value: ibanOf(bobAccount), name: "Bob" }, "0.10")
    expect(byIban.status).toBe(200)
    expect(verified(byIban, alice.ctx.serverPublicKeyPem)).toBe(true)
    const byEmail = await alice.pay({ type: "EMAIL", value: emailOf(bobAccount) }, "0.20")
    expect(byEmail.status).toBe(200)
    expect((await alice.account()).balance.value).toBe("0.00")
    expect((await bob.account()).balance.value).toBe("0.30")

    const mine = await alice.call(`${await alice.accountPath()}/payment`)
    const amounts = mine.json.Response.map((r: any) => r.Payment.amount.value)
    expect(amounts).toEqual(["-0.20", "-0.10", "0.30"])
    const theirs = await bob.call(`${await bob.accountPath()}/payment`)
    expect(theirs.json.Response.map((r: any) => r.Payment.amount.value)).toEqual(["0.20", "0.10"])
    const credit = theirs.json.Response[0].Payment
    expect(credit.counterparty_alias.iban).toBe(ibanOf(await alice.account()))
    expect(credit.type).toBe("BUNQ")
    expect(credit.balance_after_mutation.value).toBe("0.30")

    const one = await alice.call(`${await alice.accountPath()}/payment/${byIban.json.Response[0].Id.id}`)
    expect(one.json.Response[0].Payment.amount).toEqual({ value: "-0.10", currency: "EUR" })
    const notTheirs = await bob.call(`${await bob.accountPath()}/payment/${byIban.json.Response[0].Id.id}`)
    expect(notTheirs.status).toBe(404)
  })

  it("lets money leave to an IBAN outside the emulator, and refuses bad amounts and overdrafts with bunq's 400", async () => {
    const alice = await bank()
    await alice.topUp("10.00")
    const outside = await alice.pay({ type: "IBAN", value: "NL91ABNA0417164300", name: "J. de Boer" }, "2.50")
    expect(outside.status).toBe(200)
    const payment = (await alice.call(`${await alice.accountPath()}/payment/${outside.json.Response[0].Id.id}`)).json
      .Response[0].Payment
    expect(payment.type).toBe("EBA_SCT")
    expect(payment.counterparty_alias.display_name).toBe("J. de Boer")
    expect((await alice.account()).balance.value).toBe("7.50")

    const to = { type: "IBAN" as const, value: "NL91ABNA0417164300", name: "J. de Boer" }
    for (const bad of ["abc", "-1.00", "1.234", "0", "0.00", "1e3"]) {
      const response = await alice.pay(to, bad)
      expect(response.status, bad).toBe(400)
      expect(errorOf(response)).toContain(`"${bad}"`)
    }
    const dollars = await alice.call(`${await alice.accountPath()}/payment`, {
      method: "POST",
      signed: true,
      body: { amount: { value: "1.00", currency: "USD" }, counterparty_alias: to, description: "x" }
    })
    expect(dollars.status).toBe(400)
    expect(errorOf(dollars)).toMatch(/currency "USD"/)
    const overdraft = await alice.pay(to, "7.51")
    expect(overdraft.status).toBe(400)
    expect(errorOf(overdraft)).toMatch(/^Insufficient balance/)
    const badIban = await alice.pay({ type: "IBAN", value: "NL00BUNQ0000000000", name: "x" }, "1.00")
    expect(badIban.status).toBe(400)
    const unknownEmail = await alice.pay({ type: "EMAIL", value: "nobody@example.com" }, "1.00")
    expect(unknownEmail.status).toBe(400)
    const exact = await alice.pay(to, "7.50")
    expect(exact.status).toBe(200)
    expect((await alice.account()).balance.value).toBe("0.00")
  })

  it("refuses what would go over the account's daily limit, a batch and a request's payment included", async () => {
    const alice = await bank()
    const bob = await bank()
    const main = await alice.account()
    const bankPath = `/user/${alice.ctx.userId}/monetary-account-bank/${main.id}`
    const limited = await alice.call(bankPath, {
      method: "PUT",
      body: { daily_limit: { value: "20.00", currency: "EUR" } }
    })
    expect(limited.status, limited.text).toBe(200)
    await alice.topUp("100.00")
    const path = await alice.accountPath()
    const to = { type: "EMAIL" as const, value: emailOf(await bob.account()) }
    const spent = async () => (await alice.call(bankPath)).json.Response[0].MonetaryAccountBank.daily_spent
    expect(await spent()).toEqual({ value: "0.00", currency: "EUR" })
    expect((await alice.pay(to, "12.50")).status).toBe(200)
    expect(await spent()).toEqual({ value: "12.50", currency: "EUR" })

    const over = await alice.pay(to, "7.51")
    expect(over.status).toBe(400)
    expect(verified(over, alice.ctx.serverPublicKeyPem)).toBe(true)
    expect(errorOf(over)).toBe(
      "The payment exceeds the daily limit of the monetary account: 20.00 EUR a day, 12.50 EUR spent today (UTC)."
    )
    expect(over.json.Error[0].error_description_translated).toContain("20,00 EUR per dag")
    const batch = await alice.call(`${path}/payment-batch`, {
      method: "POST",
      signed: true,
      body: {
        payments: ["5.00", "2.51"].map((value) => ({ amount: { value, currency: "EUR" }, counterparty_alias: to }))
      }
    })
    expect(batch.status).toBe(400)
    expect(errorOf(batch)).toMatch(/daily limit/)
    // Money in does not count; the balance check comes first.
    const broke = await alice.pay(to, "100.00")
    expect(errorOf(broke)).toMatch(/^Insufficient balance/)

    // A request alice accepts is a payment like any other.
    const bobPath = await bob.accountPath()
    await bob.call(`${bobPath}/request-inquiry`, {
      method: "POST",
      body: {
        amount_inquired: { value: "7.51", currency: "EUR" },
        counterparty_alias: { type: "EMAIL", value: emailOf(main) },
        description: "over the limit"
      }
    })
    const response = (await alice.call(`${path}/request-response`)).json.Response[0].RequestResponse
    const accept = await alice.call(`${path}/request-response/${response.id}`, {
      method: "PUT",
      signed: true,
      body: { status: "ACCEPTED" }
    })
    expect(accept.status).toBe(400)
    expect(errorOf(accept)).toMatch(/daily limit/)
    expect((await alice.call(`${path}/request-response/${response.id}`)).json.Response[0].RequestResponse.status)
      .toBe("PENDING")

    // Exactly up to the limit is allowed; raising the limit allows more the same day.
    expect((await alice.pay(to, "7.50")).status).toBe(200)
    expect(await spent()).toEqual({ value: "20.00", currency: "EUR" })
    await alice.call(bankPath, { method: "PUT", body: { daily_limit: { value: "20.01", currency: "EUR" } } })
    expect((await alice.pay(to, "0.01")).status).toBe(200)
    expect((await alice.account()).balance.value).toBe("79.99")
    expect((await bob.account()).balance.value).toBe("20.01")
  })

  it("sends a request only to a bunq user: an IBAN outside bunq is refused with a request's reason", async () => {
    const alice = await bank()
    const bob = await bank()
    const path = await alice.accountPath()
    const ask = (counterparty_alias: Record<string, string>) =>
      alice.call(`${path}/request-inquiry`, {
        method: "POST",
        body: { amount_inquired: { value: "5.00", currency: "EUR" }, counterparty_alias, description: "x" }
      })
    for (const name of [undefined, "J. de Boer"]) {
      const outside = await ask({ type: "IBAN", value: "NL91ABNA0417164300", ...(name === undefined ? {} : { name }) })
      expect(outside.status).toBe(400)
      expect(errorOf(outside)).toBe(
        "A request can only be sent to a bunq user: the IBAN \"NL91ABNA0417164300\" is not a bunq account. Ask for " +
          "the money with an email address or the IBAN of a bunq account."
      )
    }
    expect(errorOf(await ask({ type: "IBAN", value: "NL00BUNQ0000000000" }))).toMatch(/is not a valid IBAN/)
    const byIban = await ask({ type: "IBAN", value: ibanOf(await bob.account()) })
    expect(byIban.status, byIban.text).toBe(200)
    expect((await alice.call(`${path}/request-inquiry`)).json.Response).toHaveLength(1)
  })

  it("books a payment batch whole or not at all, and pays a draft payment once it is accepted (signed)", async () => {
    const alice = await bank()
    const bob = await bank()
    await alice.topUp("20.00")
    const path = await alice.accountPath()
    const to = { type: "EMAIL", value: emailOf(await bob.account()) }
    const entry = (value: string) => ({
      amount: { value, currency: "EUR" },
      counterparty_alias: to,
      description: value
    })
    const tooMuch = await alice.call(`${path}/payment-batch`, {
      method: "POST",
      signed: true,
      body: { payments: [entry("15.00"), entry("5.01")] }
    })
    expect(tooMuch.status).toBe(400)
    expect((await alice.account()).balance.value).toBe("20.00")
    const batch = await alice.call(`${path}/payment-batch`, {
      method: "POST",
      signed: true,
      body: { payments: [entry("1.11"), entry("2.22")] }
    })
    expect(batch.status).toBe(200)
    const batchRead = await alice.call(`${path}/payment-batch/${batch.json.Response[0].Id.id}`)
    expect(batchRead.json.Response[0].PaymentBatch.payments.Payment.map((p: any) => p.amount.value)).toEqual([
      "-1.11",
      "-2.22"
    ])
    expect((await bob.account()).balance.value).toBe("3.33")

    const draft = await alice.call(`${path}/draft-payment`, {
      method: "POST",
      body: { entries: [entry("4.00")], number_of_required_accepts: 1 }
    })
    expect(draft.status).toBe(200)
    const draftId = draft.json.Response[0].Id.id
    expect((await alice.call(`${path}/draft-payment/${draftId}`)).json.Response[0].DraftPayment.status).toBe("PENDING")
    expect((await alice.account()).balance.value).toBe("16.67")
    const unsigned = await alice.call(`${path}/draft-payment/${draftId}`, {
      method: "PUT",
      body: { status: "ACCEPTED" }
    })
    expect(unsigned.status).toBe(466)
    const accepted = await alice.call(`${path}/draft-payment/${draftId}`, {
      method: "PUT",
      signed: true,
      body: { status: "ACCEPTED" }
    })
    expect(accepted.status).toBe(200)
    expect((await alice.call(`${path}/draft-payment/${draftId}`)).json.Response[0].DraftPayment.status).toBe("ACCEPTED")
    expect((await alice.account()).balance.value).toBe("12.67")
    expect((await bob.account()).balance.value).toBe("7.33")
    const again = await alice.call(`${path}/draft-payment/${draftId}`, {
      method: "PUT",
      signed: true,
      body: { status: "ACCEPTED" }
    })
    expect(again.status).toBe(400)
  })

  it("sends a request to another user, who accepts it (signed, money moves) or rejects it", async () => {
    const alice = await bank()
    const bob = await bank()
    await bob.topUp("30.00")
    const alicePath = await alice.accountPath()
    const ask = (value: string) =>
      alice.call(`${alicePath}/request-inquiry`, {
        method: "POST",
        body: {
          amount_inquired: { value, currency: "EUR" },
          counterparty_alias: { type: "EMAIL", value: `sandbox+${bob.ctx.userId}@bunq-emulator.local` },
          description: `lunch ${value}`,
          allow_bunqme: false
        }
      })
    const first = await ask("12.50")
    expect(first.status).toBe(200)
    await ask("3.00")
    const bobPath = await bob.accountPath()
    const responses = (await bob.call(`${bobPath}/request-response`)).json.Response.map((r: any) => r.RequestResponse)
    expect(responses.map((r: any) => [r.amount_inquired.value, r.status])).toEqual([["3.00", "PENDING"], [
      "12.50",
      "PENDING"
    ]])
    const [small, lunch] = responses
    const unsigned = await bob.call(`${bobPath}/request-response/${lunch.id}`, {
      method: "PUT",
      body: { status: "ACCEPTED" }
    })
    expect(unsigned.status).toBe(466)
    const accept = await bob.call(`${bobPath}/request-response/${lunch.id}`, {
      method: "PUT",
      signed: true,
      body: { status: "ACCEPTED" }
    })
    expect(accept.status).toBe(200)
    const reject = await bob.call(`${bobPath}/request-response/${small.id}`, {
      method: "PUT",
      body: { status: "REJECTED" }
    })
    expect(reject.status).toBe(200)
    expect((await alice.account()).balance.value).toBe("12.50")
    expect((await bob.account()).balance.value).toBe("17.50")
    const inquiries = (await alice.call(`${alicePath}/request-inquiry`)).json.Response.map((r: any) => r.RequestInquiry)
    expect(inquiries.map((r: any) => r.status)).toEqual(["REJECTED", "ACCEPTED"])
    expect(
      (await alice.call(`${alicePath}/request-inquiry/${first.json.Response[0].Id.id}`)).json.Response[0]
        .RequestInquiry.amount_responded
    ).toEqual({ value: "12.50", currency: "EUR" })
  })

  it("creates, reads, lists and cancels a bunq.me tab with its share URL", async () => {
    const alice = await bank()
    const path = await alice.accountPath()
    const created = await alice.call(`${path}/bunqme-tab`, {
      method: "POST",
      body: { bunqme_tab_entry: { amount_inquired: { value: "7.50", currency: "EUR" }, description: "Pizza" } }
    })
    expect(created.status).toBe(200)
    const id = created.json.Response[0].Id.id
    const read = await alice.call(`${path}/bunqme-tab/${id}`)
    const tab = read.json.Response[0].BunqMeTab
    expect(tab.status).toBe("WAITING_FOR_PAYMENT")
    expect(tab.bunqme_tab_share_url).toMatch(/^https:\/\/bunq\.me\/t\/[0-9a-f-]{36}$/)
    expect(tab.bunqme_tab_entry.amount_inquired).toEqual({ value: "7.50", currency: "EUR" })
    expect(read.text).toContain("https:\\/\\/bunq.me\\/t\\/")
    const cancelled = await alice.call(`${path}/bunqme-tab/${id}`, { method: "PUT", body: { status: "CANCELLED" } })
    expect(cancelled.status).toBe(200)
    const list = await alice.call(`${path}/bunqme-tab`)
    expect(list.json.Response.map((r: any) => r.BunqMeTab.status)).toEqual(["CANCELLED"])
  })

  it("lists what happened as events, newest first, paginated", async () => {
    const alice = await bank()
    const bob = await bank()
    await alice.topUp("5.00")
    for (const value of ["1.00", "1.50"]) await alice.pay({ type: "EMAIL", value: emailOf(await bob.account()) }, value)
    const first = await alice.call(`/user/${alice.ctx.userId}/event?count=2`)
    expect(first.status).toBe(200)
    const events = first.json.Response.map((r: any) => r.Event)
    expect(events.map((e: any) => e.object.Payment.amount.value)).toEqual(["-1.50", "-1.00"])
    expect(events[0]).toMatchObject({ action: "CREATE", user_id: String(alice.ctx.userId), status: "FINALIZED" })
    const older = first.json.Pagination.older_url
    expect(older).toMatch(/\/event\?count=2&older_id=\d+$/)
    const second = await alice.call(older.replace(/^\/v1/, ""))
    const kinds = second.json.Response.map((r: any) => Object.keys(r.Event.object)[0])
    expect(kinds).toEqual(["RequestInquiry", "Payment"])
    expect(second.json.Pagination.older_url).toBeNull()
    const bobs = await bob.call(`/user/${bob.ctx.userId}/event`)
    expect(bobs.json.Response.map((r: any) => r.Event.object.Payment.amount.value)).toEqual(["1.50", "1.00"])
  })

  it("stores attachments as raw bytes (signed over the bytes) and serves their content, signed", async () => {
    const alice = await bank()
    const upload = await alice.call("/attachment-public", {
      method: "POST",
      signed: true,
      bytes: png,
      headers: { "Content-Type": "image/png", "X-Bunq-Attachment-Description": "Bonnetje" }
    })
    expect(upload.status).toBe(200)
    const uuid = upload.json.Response[0].Uuid.uuid
    const read = await alice.call(`/attachment-public/${uuid}`)
    expect(read.json.Response[0].AttachmentPublic.attachment).toEqual({
      description: "Bonnetje",
      content_type: "image/png"
    })
    const content = await alice.call(`/attachment-public/${uuid}/content`)
    expect(content.headers.get("content-type")).toBe("image/png")
    expect(content.bytes).toEqual(png)
    expect(verifyBytes(alice.ctx.serverPublicKeyPem, content.bytes, content.headers.get("x-bunq-server-signature")!))
      .toBe(true)
    const badSignature = await alice.call("/attachment-public", {
      method: "POST",
      signature: (await alice.call("/user")).headers.get("x-bunq-server-signature")!,
      bytes: png,
      headers: { "Content-Type": "image/png", "X-Bunq-Attachment-Description": "x" }
    })
    expect(badSignature.status).toBe(400)
    const noDescription = await alice.call("/attachment-public", {
      method: "POST",
      bytes: png,
      headers: { "Content-Type": "image/png" }
    })
    expect(noDescription.status).toBe(400)

    const path = await alice.accountPath()
    const own = await alice.call(`${path}/attachment`, {
      method: "POST",
      signed: true,
      bytes: png,
      headers: { "Content-Type": "image/png", "X-Bunq-Attachment-Description": "Factuur" }
    })
    const attachmentId = own.json.Response[0].Id.id
    const downloaded = await alice.call(`${path}/attachment/${attachmentId}/content`)
    expect(downloaded.bytes).toEqual(png)
    await alice.topUp("1.00")
    const paid = await alice.pay({ type: "IBAN", value: "NL91ABNA0417164300", name: "Shop" }, "1.00", {
      attachment: [{ id: attachmentId }]
    })
    expect(paid.status).toBe(200)
    const payment = (await alice.call(`${path}/payment/${paid.json.Response[0].Id.id}`)).json.Response[0].Payment
    expect(payment.attachment).toEqual([{ id: attachmentId, monetary_account_id: (await alice.account()).id }])
  })
})

/**
 * Concurrent accepts of one draft payment or request, in process on a runtime whose fibers yield after every
 * operation: any gap between the `PENDING` check and the status change lets a second accept through.
 */
describe("money endpoints under concurrency", () => {
  let racing: Running & { readonly fetch: typeof fetch }
  beforeAll(async () => {
    // Each yield costs the fiber about 8 operations of its own when it resumes (the run loop's flatMap around
    // `yieldNow`), so a limit of 9 or less never gets past that and the first request never finishes; measured for
    // this test at a limit of 16: 2.7 s, 12: 5.1 s, 10: 12.3 s, 8: no progress in 60 s (2026-12-07).
    racing = await startInProcess(
      {},
      Effect.withScheduler(Scheduler.timer(0, (fiber) => fiber.currentOpCount > 16 ? 0 : false))
    )
  })
  afterAll(() => racing.close())
  const bank = () => openBank(racing.url, racing.fetch)

  /**
   * `times` accepts of one object, held until all have arrived and then let go together: the status check and the
   * booking are one step, so exactly one of them pays.
   */
  const acceptTogether = (path: string, times: number, accept: () => Promise<{ readonly status: number }>) =>
    racing.run(Effect.scoped(Effect.gen(function*() {
      const hold = yield* racing.emulator.hold({ method: "PUT", path })
      const answers = Effect.promise(() => Promise.all(Array.from({ length: times }, accept)))
      const [statuses] = yield* Effect.all([
        Effect.map(answers, (all) => all.map((r) => r.status)),
        Effect.zipRight(hold.awaitArrivals(times), hold.release)
      ], { concurrency: 2 })
      return statuses
    })))

  it("pays a draft payment and a request once when several accepts arrive together", async () => {
    const alice = await bank()
    const bob = await bank()
    await alice.topUp("100.00")
    await bob.topUp("100.00")
    const alicePath = await alice.accountPath()
    const bobPath = await bob.accountPath()
    const draft = await alice.call(`${alicePath}/draft-payment`, {
      method: "POST",
      body: {
        entries: [{
          amount: { value: "10.00", currency: "EUR" },
          counterparty_alias: { type: "EMAIL", value: emailOf(await bob.account()) },
          description: "once"
        }]
      }
    })
    const draftId = draft.json.Response[0].Id.id
    const draftStatuses = await acceptTogether(
      "/user/*/monetary-account/*/draft-payment/*",
      5,
      () =>
        alice.call(`${alicePath}/draft-payment/${draftId}`, {
          method: "PUT",
          signed: true,
          body: { status: "ACCEPTED" }
        })
    )
    expect(draftStatuses.sort()).toEqual([200, 400, 400, 400, 400])
    expect((await alice.account()).balance.value).toBe("90.00")
    expect((await bob.account()).balance.value).toBe("110.00")

    await alice.call(`${alicePath}/request-inquiry`, {
      method: "POST",
      body: {
        amount_inquired: { value: "7.00", currency: "EUR" },
        counterparty_alias: { type: "EMAIL", value: emailOf(await bob.account()) },
        description: "once"
      }
    })
    const responseId = (await bob.call(`${bobPath}/request-response`)).json.Response[0].RequestResponse.id
    const responseStatuses = await acceptTogether(
      "/user/*/monetary-account/*/request-response/*",
      5,
      () =>
        bob.call(`${bobPath}/request-response/${responseId}`, {
          method: "PUT",
          signed: true,
          body: { status: "ACCEPTED" }
        })
    )
    expect(responseStatuses.sort()).toEqual([200, 400, 400, 400, 400])
    expect((await alice.account()).balance.value).toBe("97.00")
    expect((await bob.account()).balance.value).toBe("103.00")
    const bobsPayments = (await bob.call(`${bobPath}/payment`)).json.Response.map((r: any) => r.Payment.amount.value)
    expect(bobsPayments).toEqual(["-7.00", "10.00", "100.00"])
  })
})
