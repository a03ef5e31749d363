/**
 * Every generated program, run through the real `ApiContext` and `BunqClient` against a recording bunq (the
 * emulator registers; every other call gets a canned answer signed with the server key): the method, the path with
 * its ids and the session's user filled in, the query of a page, the exact body bytes (which round-trip through the
 * body schema), the client signature over those bytes, and the decoded answer.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Option, Redacted, Schema, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Api from "../src/index.js"
import * as Schemas from "../src/Schemas.js"
import { makeHarness, type Recorded } from "./utils/recording.js"
import { cannedObject, coverage, type Covered, firstMember, minimal } from "./utils/spec.js"

const png = new Uint8Array(fs.readFileSync(path.join(import.meta.dirname, "fixtures", "attachment-public.content.png")))
const programs = Api as unknown as Record<string, Record<string, (params?: unknown) => unknown>>
const schemas = Schemas as unknown as Record<string, Schema.Schema<any, any>>

/** Parameter values: ids 1001, 1002, … and UUIDs where the path takes one. */
const paramsOf = (op: Covered) =>
  Object.fromEntries(
    op.params.filter((p) => p.name !== "userId").map((p, index) => [
      p.name,
      p.type === "string" ? `5a6b7c8d-0000-4000-8000-00000000000${index}` : 1001 + index
    ])
  )

const expectedPath = (op: Covered, params: Record<string, unknown>, userId: number) =>
  op.path.replace(/\{([^}]+)\}/g, (_, placeholder: string) => {
    if (placeholder === "userID") return String(userId)
    const name = op.params[[...op.path.matchAll(/\{([^}]+)\}/g)].findIndex((m) => m[1] === placeholder)]!.name
    return String(params[name])
  })

/** A canned `Response` item and what it decodes to. */
const item = (op: Covered, schema: string): { readonly json: unknown; readonly decoded: unknown } => {
  if (op.oneOf) {
    const [key, member] = firstMember(schema)
    const object = cannedObject(member)
    return { json: { [key]: object }, decoded: { _tag: key, value: object } }
  }
  const object = cannedObject(schema)
  return { json: { [op.response.replace(/(Listing|Read)$/, "")]: object }, decoded: object }
}

describe("every generated program", () => {
  it.effect(
    `${coverage.covered.length} programs: request, signature, body round trip, decoded answer`,
    () =>
      Effect.gen(function*() {
        const harness = yield* makeHarness
        yield* Effect.gen(function*() {
          let checked = 0
          for (const op of coverage.covered) {
            if (op.kind === "sandboxUser") continue
            const params: Record<string, unknown> = paramsOf(op)
            if (op.body !== undefined) params["body"] = minimal(schemas[op.body]!)
            const canned = item(op, op.response)
            let answer: unknown
            switch (op.kind) {
              case "get":
                answer = { Response: [canned.json] }
                break
              case "list":
                answer = {
                  Response: [canned.json, canned.json],
                  Pagination: {
                    older_url: "/v1/anything?count=2&older_id=5",
                    newer_url: null,
                    future_url: "/v1/anything?count=2&newer_id=9"
                  }
                }
                params["count"] = 2
                break
              case "create":
              case "update":
                answer = {
                  Response: [
                    typeof op.result === "object"
                      ? "list" in op.result
                        ? { [op.result.list]: cannedObject(op.result.list) }
                        : { [op.module]: { id: 42, created: "2025-04-17 10:00:00.000000" } }
                      : op.result === "id"
                      ? { Id: { id: 7 } }
                      : op.result === "uuid"
                      ? { Uuid: { uuid: "uuid-7" } }
                      : canned.json
                  ]
                }
                break
              case "remove":
                answer = { Response: [] }
                break
              case "upload":
                Object.assign(params, { body: png, contentType: "image/png", description: "a receipt" })
                answer = { Response: [{ Id: { id: "uuid-7" } }] }
                break
            }
            harness.answer(() =>
              op.kind === "download" ? { body: png, contentType: "image/png" } : { body: JSON.stringify(answer) }
            )
            const before = harness.recorded.length
            const program = programs[op.module]![op.kind === "list" ? `${op.program}Page` : op.program]!
            const result = yield* (program(params) as Effect.Effect<unknown, unknown>)
            assert.strictEqual(harness.recorded.length, before + 1, op.operationId)
            const request: Recorded = harness.recorded[before]!
            const userId = yield* harness.verifyClientSignature(request)
            assert.strictEqual(request.method, op.method, op.operationId)
            assert.strictEqual(request.path, expectedPath(op, params, userId), op.operationId)
            if (op.kind === "upload") {
              assert.deepStrictEqual(request.body, png, op.operationId)
              assert.strictEqual(request.headers["content-type"], "image/png", op.operationId)
              assert.strictEqual(request.headers["x-bunq-attachment-description"], "a receipt", op.operationId)
            } else if (op.body !== undefined) {
              const sent = JSON.parse(new TextDecoder().decode(request.body))
              const decoded = yield* Schema.decodeUnknown(schemas[op.body]!)(sent)
              assert.deepStrictEqual(decoded, params["body"], op.operationId)
            } else {
              assert.strictEqual(request.body.length, 0, op.operationId)
            }
            switch (op.kind) {
              case "get":
                assert.deepStrictEqual(result, canned.decoded, op.operationId)
                break
              case "list": {
                assert.strictEqual(request.query, "count=2", op.operationId)
                const page = result as Api.Operation.Page<unknown>
                assert.deepStrictEqual(page.items, [canned.decoded, canned.decoded], op.operationId)
                assert.deepStrictEqual(page.olderId, Option.some(5))
                assert.deepStrictEqual(page.newerId, Option.none())
                assert.deepStrictEqual(page.futureId, Option.some(9))
                break
              }
              case "create":
              case "update":
                assert.deepStrictEqual(
                  result,
                  typeof op.result === "object"
                    ? "list" in op.result
                      ? [cannedObject(op.result.list)]
                      : { id: 42, created: "2025-04-17 10:00:00.000000" }
                    : op.result === "id"
                    ? 7
                    : op.result === undefined
                    ? canned.decoded
                    : "uuid-7",
                  op.operationId
                )
                break
              case "remove":
                assert.strictEqual(result, undefined)
                break
              case "upload":
                assert.strictEqual(result, "uuid-7", op.operationId)
                break
              case "download":
                assert.deepStrictEqual(result, { contentType: "image/png", bytes: png }, op.operationId)
                break
            }
            checked += 1
          }
          assert.strictEqual(checked, coverage.covered.length - 2, "every program but the two sandbox users")
          assert.isAtLeast(checked, 470)
        }).pipe(Effect.provide(harness.context))
      }),
    { timeout: 120_000 }
  )

  it.effect("a list Stream follows older_id lazily and stops on the last page", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      harness.answer((request) =>
        request.query.includes("older_id=5")
          ? { body: JSON.stringify({ Response: [{ Payment: { id: 5 } }], Pagination: { older_url: null } }) }
          : {
            body: JSON.stringify({
              Response: [{ Payment: { id: 7 } }, { Payment: { id: 6 } }],
              Pagination: { older_url: "/v1/user/1/monetary-account/3/payment?count=2&older_id=5" }
            })
          }
      )
      yield* Effect.gen(function*() {
        const stream = Api.Payment.list({ monetaryAccountId: 3, count: 2 })
        assert.strictEqual(harness.recorded.length, 0, "nothing is sent before the stream runs")
        const ids = yield* Stream.runCollect(Stream.map(stream, (payment) => payment.id))
        assert.deepStrictEqual([...ids], [7, 6, 5])
        assert.deepStrictEqual(harness.recorded.map((r) => r.query), ["count=2", "count=2&older_id=5"])
        const first = yield* Stream.runCollect(Stream.take(Api.Payment.list({ monetaryAccountId: 3, count: 2 }), 1))
        assert.strictEqual(first.length, 1)
        assert.strictEqual(harness.recorded.length, 3, "taking one object fetches one page")
      }).pipe(Effect.provide(harness.context))
    }))

  it.effect("an explicit userId is used as given; a bad count fails before anything is sent", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      harness.answer(() => ({ body: JSON.stringify({ Response: [{ Payment: { id: 1 } }] }) }))
      yield* Effect.gen(function*() {
        yield* Api.Payment.get({ userId: 77, monetaryAccountId: 3, id: 1 })
        assert.strictEqual(harness.recorded[0]!.path, "/user/77/monetary-account/3/payment/1")
        const error = yield* Effect.flip(Api.Payment.listPage({ monetaryAccountId: 3, count: 500 }))
        assert.strictEqual(error._tag, "InvalidCount")
        assert.strictEqual(harness.recorded.length, 1)
      }).pipe(Effect.provide(harness.context))
    }))

  it.effect("sandbox users are created without a session or a signature, and the API key stays redacted", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      harness.answer(() => ({ body: JSON.stringify({ Response: [{ ApiKey: { api_key: "sandbox_0123" } }] }) }))
      const key = yield* Effect.provide(Api.SandboxUserPerson.create(), harness.client)
      assert.strictEqual(Redacted.value(key), "sandbox_0123")
      assert.strictEqual(String(key), "<redacted>")
      const request = harness.recorded[0]!
      assert.strictEqual(request.path, "/sandbox-user-person")
      assert.strictEqual(request.signature, undefined)
      assert.strictEqual(request.headers["x-bunq-client-authentication"], undefined)
    }))
})

describe("writes that answer the object, not its id", () => {
  // bunq's answers as its SDKs read them: the card under `CardDebit`/`CardCredit`/`Card`, a Sofort request under
  // `RequestResponse` (scripts/patches.ts `createResults` has the evidence)
  const card = (key: string) =>
    JSON.stringify({
      Response: [{
        [key]: {
          id: 8421,
          created: "2025-04-17 10:12:00.123456",
          public_uuid: "b7c3a3e2-0000-4000-8000-000000008421",
          type: "MASTERCARD",
          second_line: "Groceries",
          name_on_card: "J. Doe",
          status: "ACTIVE",
          order_status: "NEW_CARD_REQUEST_RECEIVED",
          expiry_date: "2029-04-30",
          country_permission: [{ country: "NL", expiry_time: null }],
          label_monetary_account_ordered: { iban: "NL02BUNQ0123456789", display_name: "J. Doe" },
          pin_code_assignment: [{ type: "PRIMARY", monetary_account_id: 3 }],
          card_shipment_tracking_url: null
        }
      }]
    })
  const order = {
    second_line: "Groceries",
    name_on_card: "J. Doe",
    type: "MASTERCARD",
    product_type: "MASTERCARD_DEBIT"
  }

  it.effect("CardDebit.create, CardCredit.create and Card.update return the card bunq answers", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      yield* Effect.gen(function*() {
        harness.answer(() => ({ body: card("CardDebit") }))
        const debit = yield* Api.CardDebit.create({ body: order })
        assert.strictEqual(debit.id, 8421)
        assert.strictEqual(debit.order_status, "NEW_CARD_REQUEST_RECEIVED")
        assert.deepStrictEqual(debit.label_monetary_account_ordered, {
          iban: "NL02BUNQ0123456789",
          display_name: "J. Doe"
        })
        assert.deepStrictEqual(debit.pin_code_assignment, [{ type: "PRIMARY", monetary_account_id: 3 }])

        harness.answer(() => ({ body: card("CardCredit") }))
        const credit = yield* Api.CardCredit.create({ body: { ...order, product_type: "MASTERCARD_CREDIT" } })
        assert.strictEqual(credit.id, 8421)

        // the SDKs read `Card`; bunq's partner API document says `CardDebit` or `CardCredit`: any key decodes
        for (const key of ["Card", "CardDebit", "CardCredit"]) {
          harness.answer(() => ({ body: card(key) }))
          const updated = yield* Api.Card.update({ id: 8421, body: { status: "ACTIVE" } })
          assert.strictEqual(updated.status, "ACTIVE", key)
          assert.strictEqual(updated.expiry_date, "2029-04-30", key)
        }
        assert.deepStrictEqual(
          harness.recorded.map((r) => `${r.method} ${r.path.replace(/^\/user\/\d+/, "")}`),
          ["POST /card-debit", "POST /card-credit", "PUT /card/8421", "PUT /card/8421", "PUT /card/8421"]
        )
      }).pipe(Effect.provide(harness.context))
    }))

  it.effect("TokenQrRequestSofort.create returns the RequestResponse bunq answers", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      harness.answer(() => ({
        body: JSON.stringify({
          Response: [{
            RequestResponse: {
              id: 77,
              status: "PENDING",
              amount_inquired: { value: "12.50", currency: "EUR" },
              description: "Order 1234"
            }
          }]
        })
      }))
      const request = yield* Effect.provide(
        Api.TokenQrRequestSofort.create({ body: { token: "sofort-token" } }),
        harness.context
      )
      assert.strictEqual(request.id, 77)
      assert.strictEqual(request.status, "PENDING")
      assert.deepStrictEqual(request.amount_inquired, { value: "12.50", currency: "EUR" })
    }))

  it.effect("an id result takes the answered object's id when there is no Id item; nothing to read is a DecodeError", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      yield* Effect.gen(function*() {
        const body = {
          amount: { value: "1.00", currency: "EUR" },
          counterparty_alias: { type: "IBAN", value: "NL02BUNQ0123456789", name: "Mary" },
          description: "x"
        }
        harness.answer(() => ({ body: JSON.stringify({ Response: [{ Id: { id: 9 } }] }) }))
        assert.strictEqual(yield* Api.Payment.create({ monetaryAccountId: 3, body }), 9)
        harness.answer(() => ({ body: JSON.stringify({ Response: [{ Payment: { id: 10, description: "x" } }] }) }))
        assert.strictEqual(yield* Api.Payment.create({ monetaryAccountId: 3, body }), 10)
        for (
          const answer of [
            { Response: [] },
            { Response: [{ Payment: { description: "x" } }] },
            { Response: [{ Payment: { id: "ten" } }] }
          ]
        ) {
          harness.answer(() => ({ body: JSON.stringify(answer) }))
          const error = yield* Effect.flip(Api.Payment.create({ monetaryAccountId: 3, body }))
          assert.strictEqual(error._tag, "DecodeError", JSON.stringify(answer))
        }
      }).pipe(Effect.provide(harness.context))
    }))
})

describe("request fields the spec types as an answer's Label…", () => {
  it.effect("a joint account's co-owner and a scheduled payment's counterparty are sent as the Pointer given", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      harness.answer(() => ({ body: JSON.stringify({ Response: [{ Id: { id: 5 } }] }) }))
      const mary = { type: "EMAIL", value: "mary@example.com", name: "Mary" }
      const iban = { type: "IBAN", value: "NL02BUNQ0123456789", name: "Landlord" }
      yield* Effect.gen(function*() {
        yield* Api.MonetaryAccountJoint.create({ body: { currency: "EUR", all_co_owner: [{ alias: mary }] } })
        yield* Api.SchedulePayment.create({
          monetaryAccountId: 3,
          body: {
            payment: { amount: { value: "950.00", currency: "EUR" }, counterparty_alias: iban, description: "Rent" },
            schedule: { time_start: "2025-05-01 00:00:00.000000", recurrence_unit: "MONTHLY", recurrence_size: 1 }
          }
        })
      }).pipe(Effect.provide(harness.context))
      const sent = harness.recorded.map((r) => JSON.parse(new TextDecoder().decode(r.body)))
      assert.deepStrictEqual(sent[0].all_co_owner, [{ alias: mary }])
      assert.deepStrictEqual(sent[1].payment.counterparty_alias, iban)
    }))

  it("a scheduled payment's counterparty is checked as a Pointer, not passed through", () => {
    const encode = Schema.encodeEither(Schemas.SchedulePaymentEntryBody)
    assert.isTrue(Either.isLeft(encode({ counterparty_alias: { type: 7 } } as any)))
    assert.deepStrictEqual(
      Either.getOrThrow(encode({ counterparty_alias: { type: "IBAN", value: "NL02BUNQ0123456789", name: "A" } })),
      { counterparty_alias: { type: "IBAN", value: "NL02BUNQ0123456789", name: "A" } }
    )
  })
})

describe("list filters", () => {
  it.effect("Event.list sends monetary_account_id, status and display_user_event on every page", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      harness.answer((request) =>
        request.query.includes("older_id=5")
          ? { body: JSON.stringify({ Response: [{ Event: { id: 5 } }], Pagination: { older_url: null } }) }
          : {
            body: JSON.stringify({
              Response: [{ Event: { id: 7 } }, { Event: { id: 6 } }],
              Pagination: { older_url: "/v1/user/1/event?count=2&older_id=5" }
            })
          }
      )
      yield* Effect.gen(function*() {
        const events = yield* Stream.runCollect(
          Api.Event.list({ count: 2, monetaryAccountId: [3, 4], status: "FINALIZED", displayUserEvent: false })
        )
        assert.deepStrictEqual([...events].map((e) => e.id), [7, 6, 5])
        const filters = "monetary_account_id=3%2C4&status=FINALIZED&display_user_event=false"
        assert.deepStrictEqual(harness.recorded.map((r) => r.query), [
          `${filters}&count=2`,
          `${filters}&count=2&older_id=5`
        ])
        for (const r of harness.recorded) {
          assert.deepStrictEqual(new URLSearchParams(r.query).get("monetary_account_id"), "3,4")
        }
        // one account, one page; a filter left out (or an empty list) is not sent
        yield* Api.Event.listPage({ monetaryAccountId: 3, displayUserEvent: true })
        yield* Api.Event.listPage({ monetaryAccountId: [], status: undefined })
        assert.deepStrictEqual(harness.recorded.slice(2).map((r) => r.query), [
          "monetary_account_id=3&display_user_event=true&count=200",
          "count=200"
        ])
      }).pipe(Effect.provide(harness.context))
    }))

  it.effect("Schedule.list and listForMonetaryAccount send type", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      harness.answer(() => ({ body: JSON.stringify({ Response: [], Pagination: { older_url: null } }) }))
      yield* Effect.gen(function*() {
        yield* Api.Schedule.listPage({ type: "SCHEDULE_DEFINITION_PAYMENT" })
        yield* Stream.runDrain(
          Api.Schedule.listForMonetaryAccount({
            monetaryAccountId: 3,
            type: ["SCHEDULE_DEFINITION_PAYMENT", "SCHEDULE_DEFINITION_PAYMENT_BATCH"]
          })
        )
      }).pipe(Effect.provide(harness.context))
      assert.deepStrictEqual(harness.recorded.map((r) => [r.path.replace(/^\/user\/\d+/, ""), r.query]), [
        ["/schedule", "type=SCHEDULE_DEFINITION_PAYMENT&count=200"],
        [
          "/monetary-account/3/schedule",
          "type=SCHEDULE_DEFINITION_PAYMENT%2CSCHEDULE_DEFINITION_PAYMENT_BATCH&count=200"
        ]
      ])
    }))
})

describe("optional body fields", () => {
  it.effect("an optional field given as undefined is sent as absent, and the signature covers the bytes sent", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      harness.answer(() => ({ body: JSON.stringify({ Response: [{ Id: { id: 9 } }] }) }))
      // typed `string | undefined`, as a value read from a form or an option often is (this compiles with
      // exactOptionalPropertyTypes on: the body's optional fields take `undefined`)
      const note: string | undefined = [""].find((text) => text.length > 0)
      yield* Effect.gen(function*() {
        const id = yield* Api.Payment.create({
          monetaryAccountId: 3,
          body: {
            amount: { value: "1.00", currency: "EUR" },
            counterparty_alias: { type: "IBAN", value: "NL02BUNQ0123456789", name: "Mary" },
            description: "x",
            merchant_reference: note,
            attachment: undefined
          }
        })
        assert.strictEqual(id, 9)
        const request = harness.recorded[0]!
        assert.strictEqual(
          new TextDecoder().decode(request.body),
          `{"amount":{"value":"1.00","currency":"EUR"},"counterparty_alias":{"type":"IBAN","value":"NL02BUNQ0123456789","name":"Mary"},"description":"x"}`
        )
        yield* harness.verifyClientSignature(request)
      }).pipe(Effect.provide(harness.context))
    }))

  it("a required field stays required, and answers still decode leniently", () => {
    assert.isTrue(Either.isLeft(Schema.encodeEither(Schemas.TokenQrRequestSofortBody)({ token: undefined } as any)))
    assert.deepStrictEqual(Schema.decodeUnknownSync(Schemas.PaymentBody)({ description: null }), {})
    assert.deepStrictEqual(Schema.decodeUnknownSync(Schemas.PaymentListing)({ id: 1, description: null }), { id: 1 })
  })
})

describe("attachments", () => {
  it.effect("an upload signs the PNG's raw bytes; a download verifies them, and tampered bytes are refused", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      yield* Effect.gen(function*() {
        harness.answer(() => ({
          body: JSON.stringify({ Response: [{ Id: { id: "2c7935a6-1e58-4daf-8cdb-41874e9f1a71" } }] })
        }))
        const uuid = yield* Api.AttachmentPublic.upload({ body: png, contentType: "image/png", description: "logo" })
        assert.strictEqual(uuid, "2c7935a6-1e58-4daf-8cdb-41874e9f1a71")
        const upload = harness.recorded[0]!
        assert.strictEqual(upload.method, "POST")
        assert.strictEqual(upload.path, "/attachment-public")
        assert.deepStrictEqual(upload.body, png, "the bytes sent are the file, not JSON")
        yield* harness.verifyClientSignature(upload)

        harness.answer(() => ({ body: png, contentType: "image/png" }))
        const content = yield* Api.Content.downloadForAttachmentPublic({ attachmentPublicUuid: uuid })
        assert.strictEqual(content.contentType, "image/png")
        assert.deepStrictEqual(content.bytes, png)
        assert.deepStrictEqual([...content.bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(""), "PNG")
        assert.strictEqual(harness.recorded[1]!.path, `/attachment-public/${uuid}/content`)

        // the body changes after bunq signed it: the download fails, the bytes are not handed out
        harness.answer(() => ({ body: png, contentType: "image/png", tamper: true }))
        const error = yield* Effect.flip(Api.Content.downloadForAttachmentPublic({ attachmentPublicUuid: uuid }))
        assert.strictEqual(error._tag, "ResponseVerificationError")
      }).pipe(Effect.provide(harness.context))
    }))

  it.effect("an upload's contentType and description are checked before the session is read or anything is sent", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      const good = { body: png, contentType: "image/png", description: "a receipt" }
      const refused: ReadonlyArray<readonly [Partial<typeof good>, string]> = [
        [{ contentType: "" }, `["contentType"] expected a media type (type/subtype`],
        [{ contentType: "image/png\r\nX-Evil: 1" }, `["contentType"] expected a media type`],
        [{ contentType: "webp" }, `["contentType"] expected a media type`],
        [{ contentType: "image/webp " }, `["contentType"] expected a media type`],
        [{ contentType: "image/pnǵ" }, `["contentType"] expected a media type`],
        [{ description: "" }, `["description"] expected a non-empty description`],
        [{ description: "a\r\nX-Evil: 1" }, `["description"] expected a description without control characters`],
        [{ description: "tab\there" }, `["description"] expected a description without control characters`],
        [{ description: "receipt €5 😀" }, `["description"] expected an ASCII-only description`],
        [{ description: "Quittung für Café" }, `["description"] expected an ASCII-only description`],
        [{ description: "a receipt " }, `["description"] expected a description without leading or trailing`],
        [{ description: " a receipt" }, `["description"] expected a description without leading or trailing`]
      ]
      const sessionOpens = Effect.map(
        harness.emulator.log,
        (entries) => entries.filter((entry) => entry.path === "/session-server").length
      )
      yield* Effect.gen(function*() {
        // no session: a program that needs the session's user (Attachment.upload) would open one before sending
        harness.answer(() => ({ body: JSON.stringify({ Response: [] }) }))
        yield* Effect.flatMap(ApiContext.ApiContext, (context) => context.closeSession)
        harness.recorded.length = 0
        const opened = yield* sessionOpens
        for (const [change, expected] of refused) {
          const error = yield* Effect.flip(Api.AttachmentPublic.upload({ ...good, ...change }))
          assert.strictEqual(error._tag, "SchemaDecodeError", expected)
          assert(error._tag === "SchemaDecodeError")
          assert.strictEqual(error.reason, "EncodeFailed")
          assert.include(error.message, `Cannot encode AttachmentPublic.upload: ${expected}`)
          for (const value of Object.values(change)) {
            if (typeof value === "string" && value.trim() !== "") assert.notInclude(error.message, value, "no value")
          }
          const monetary = yield* Effect.flip(Api.Attachment.upload({ monetaryAccountId: 3, ...good, ...change }))
          assert.include(monetary.message, `Cannot encode Attachment.upload: ${expected}`)
        }
        assert.deepStrictEqual(harness.recorded, [], "nothing was sent")
        assert.strictEqual(yield* sessionOpens, opened, "no session was opened")

        // media types with parameters, and printable ASCII descriptions, go out as given, signed over the raw bytes
        harness.answer(() => ({ body: JSON.stringify({ Response: [{ Uuid: { uuid: "uuid-1" } }] }) }))
        const sent = [
          ["application/pdf", "Quittung fur Cafe, 5 EUR (#12)"],
          ["image/jpeg; q=\"a b\"", "x"],
          ["IMAGE/GIF", "a  b"]
        ] as const
        for (const [contentType, description] of sent) {
          assert.strictEqual(yield* Api.AttachmentPublic.upload({ body: png, contentType, description }), "uuid-1")
          const upload = harness.recorded.at(-1)!
          assert.deepStrictEqual(upload.body, png)
          assert.strictEqual(upload.headers["content-type"], contentType)
          assert.strictEqual(upload.headers["x-bunq-attachment-description"], description)
          yield* harness.verifyClientSignature(upload)
        }
        assert.strictEqual(harness.recorded.length, sent.length)
      }).pipe(Effect.provide(harness.context))
    }))
})
