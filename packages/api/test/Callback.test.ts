/**
 * Callbacks: the seven real bodies bunq posted (test/fixtures/callbacks) decode; bodies that are not callbacks are a
 * typed error naming what is wrong (never a value); the HttpApp answers at once and hands the callback over, and
 * checks the source address when asked.
 */
import { HttpServerRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Callback from "../src/Callback.js"

const dir = path.join(import.meta.dirname, "fixtures", "callbacks")
const body = (name: string) => fs.readFileSync(path.join(dir, name), "utf8")

describe("Callback", () => {
  it("the seven real callback bodies decode", () => {
    const expected: Record<string, [string, string, string, number]> = {
      "BunqMeTab.json": ["BUNQME_TAB", "BUNQME_TAB_CREATED", "BunqMeTab", 8],
      "DraftPayment.json": ["DRAFT_PAYMENT", "DRAFT_PAYMENT_ACCEPTED", "DraftPayment", 1],
      "MasterCardAction.json": ["DRAFT_PAYMENT", "DRAFT_PAYMENT_ACCEPTED", "MasterCardAction", 1],
      "Mutation.json": ["MUTATION", "MUTATION_CREATED", "Payment", 108864],
      "PaymentBatch.json": ["PAYMENT", "PAYMENT_BATCH_CREATED", "PaymentBatch", 1],
      "RequestInquiry.json": ["REQUEST", "REQUEST_INQUIRY_ACCEPTED", "RequestInquiry", 21],
      "ScheduledPayment.json": ["SCHEDULE_RESULT", "SCHEDULE_DEFINITION_PAYMENT_BATCH_CANCELLED", "ScheduledPayment", 2]
    }
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), Object.keys(expected).sort())
    for (const [name, [category, eventType, objectType, id]] of Object.entries(expected)) {
      const callback = Either.getOrThrow(Callback.decodeJson(body(name)))
      assert.strictEqual(callback.category, category, name)
      assert.strictEqual(callback.eventType, eventType, name)
      assert.strictEqual(Callback.objectType(callback), objectType, name)
      assert.notStrictEqual(callback.object._tag, "Unknown", name)
      assert.strictEqual(Callback.objectId(callback), id, name)
    }
    const mutation = Either.getOrThrow(Callback.decodeJson(body("Mutation.json")))
    assert.strictEqual(mutation.object._tag, "Payment")
    if (mutation.object._tag === "Payment") {
      assert.deepStrictEqual(mutation.object.value.amount, { currency: "EUR", value: "-24.95" })
    }
  })

  it("an object type this version does not know decodes to Unknown, with its id", () => {
    const callback = Either.getOrThrow(Callback.decode({
      NotificationUrl: { category: "NEW", event_type: "NEW_THING", object: { HoverCar: { id: 5, speed: "fast" } } }
    }))
    assert.strictEqual(callback.object._tag, "Unknown")
    assert.strictEqual(Callback.objectType(callback), "HoverCar")
    assert.strictEqual(Callback.objectId(callback), 5)
  })

  it("a body that is not a callback is a typed error without values", () => {
    const cases: ReadonlyArray<[string, string, string]> = [
      ["{not json", "InvalidJson", "not a bunq callback: the body is not JSON"],
      [`{"Response":[]}`, "NotACallback", "not a bunq callback: NotificationUrl is missing"],
      [
        `{"NotificationUrl":{"category":"MUTATION","object":{}}}`,
        "NotACallback",
        "not a bunq callback: NotificationUrl.event_type is missing"
      ],
      [
        `{"NotificationUrl":{"category":"secret-ish","event_type":7,"object":{}}}`,
        "NotACallback",
        "not a bunq callback: NotificationUrl.event_type is not of the expected type"
      ],
      [`[1,2]`, "NotACallback", "not a bunq callback: the body is not of the expected type"]
    ]
    for (const [text, reason, message] of cases) {
      const error = Either.flip(Callback.decodeJson(text)).pipe(Either.getOrThrow)
      assert.strictEqual(error.reason, reason, text)
      assert.strictEqual(error.message, message, text)
      assert.notInclude(error.message, "secret-ish")
    }
  })

  it("source ranges: IPv4 and IPv4-mapped IPv6 inside 185.40.108.0/22 only", () => {
    for (const inside of ["185.40.108.0", "185.40.109.17", "185.40.111.255", "::ffff:185.40.110.1"]) {
      assert.isTrue(Callback.isInRanges(inside, Callback.productionSources), inside)
    }
    for (
      const outside of ["185.40.107.255", "185.40.112.0", "10.0.0.1", "::1", "2001:db8::1", "185.40.108", "not an ip"]
    ) {
      assert.isFalse(Callback.isInRanges(outside, Callback.productionSources), outside)
    }
  })

  const post = (text: string, remoteAddress?: string) =>
    HttpServerRequest.fromWeb(
      new Request("http://127.0.0.1/bunq/callback", {
        method: "POST",
        body: text,
        headers: { "content-type": "application/json" }
      })
    ).modify(remoteAddress === undefined ? {} : { remoteAddress })

  it.effect("the HttpApp answers 200 at once and hands the decoded callback to the handler", () =>
    Effect.gen(function*() {
      const received = yield* Deferred.make<Callback.Callback>()
      const release = yield* Deferred.make<void>()
      // the handler blocks until released: the answer must not wait for it
      const app = Callback.httpApp((callback) =>
        Effect.zipRight(Deferred.succeed(received, callback), Deferred.await(release))
      )
      const response = yield* Effect.provideService(
        app,
        HttpServerRequest.HttpServerRequest,
        post(body("Mutation.json"))
      )
      assert.strictEqual(response.status, 200)
      const callback = yield* Deferred.await(received)
      assert.strictEqual(callback.eventType, "MUTATION_CREATED")
      yield* Deferred.succeed(release, undefined)
      const bad = yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, post(`{"Response":[]}`))
      assert.strictEqual(bad.status, 400)
    }))

  it.effect("with sources, a peer outside the ranges is answered 403 and not handled", () =>
    Effect.gen(function*() {
      let handled = 0
      const app = Callback.httpApp(() => Effect.sync(() => void handled++), { sources: Callback.productionSources })
      const outside = yield* Effect.provideService(
        app,
        HttpServerRequest.HttpServerRequest,
        post(body("Mutation.json"), "203.0.113.9")
      )
      assert.strictEqual(outside.status, 403)
      const unknown = yield* Effect.provideService(
        app,
        HttpServerRequest.HttpServerRequest,
        post(body("Mutation.json"))
      )
      assert.strictEqual(unknown.status, 403, "no peer address: not allowed")
      const inside = yield* Effect.provideService(
        app,
        HttpServerRequest.HttpServerRequest,
        post(body("Mutation.json"), "185.40.109.4")
      )
      assert.strictEqual(inside.status, 200)
      yield* Effect.yieldNow()
      assert.strictEqual(handled, 1)
    }))
})
