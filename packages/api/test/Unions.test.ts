/**
 * One odd object never fails a list or a callback: a "one of" member whose object does not match its schema (bunq
 * changed a field's shape) decodes to `Unknown`, keeping its type name, the raw JSON and why, while the other items
 * decode as usual. Built from the real payloads in test/fixtures (a payment list and a MUTATION callback), with one
 * field broken.
 */
import { HttpServerRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Schema, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Callback from "../src/Callback.js"
import * as Api from "../src/index.js"
import * as Schemas from "../src/Schemas.js"
import { makeHarness } from "./utils/recording.js"

const json = (name: string): any =>
  JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8"))

/** The payment of `payments.list.response.json` (jorttbv/bunq-client), with `attachment` an object, not an array. */
const payment = json("payments.list.response.json").Response[0].Payment
const brokenPayment = { ...payment, id: 43, attachment: { id: 1 } }
const event = (id: number, object: unknown) => ({
  Event: { id, created: "2017-11-08 11:20:03.950184", action: "CREATE", monetary_account_id: "2", object }
})

describe("a member that does not match its schema", () => {
  it.effect("is Unknown in an Event list: the page and the stream go on", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      const page = {
        Response: [
          event(3, { Payment: payment }),
          event(2, { Payment: brokenPayment }),
          event(1, { Payment: payment })
        ],
        Pagination: { older_url: null }
      }
      harness.answer(() => ({ body: JSON.stringify(page) }))
      yield* Effect.gen(function*() {
        const first = yield* Stream.runCollect(Stream.take(Api.Event.list(), 1))
        assert.deepStrictEqual(Chunk.toArray(first).map((e) => e.id), [3])

        const events = Chunk.toArray(yield* Stream.runCollect(Api.Event.list()))
        assert.deepStrictEqual(events.map((e) => e.object?._tag), ["Payment", "Unknown", "Payment"])
        const unknown = events[1]!.object!
        assert.strictEqual(unknown._tag, "Unknown")
        if (unknown._tag !== "Unknown") return
        assert.strictEqual(unknown.typeName, "Payment")
        assert.deepStrictEqual(unknown.raw, { Payment: brokenPayment })
        assert.match(unknown.issue!, /^Cannot decode Payment: \["attachment"\] expected ReadonlyArray/)
        assert.notInclude(unknown.issue!, payment.description, "the issue holds no value")
        // the event around it decoded as usual
        assert.strictEqual(events[1]!.id, 2)
        assert.strictEqual(events[1]!.action, "CREATE")
        // and it encodes back to exactly what bunq sent
        const encoded = yield* Schema.encode(Schemas.EventListing)(events[1]!)
        assert.deepStrictEqual(encoded.object, { Payment: brokenPayment })
      }).pipe(Effect.provide(harness.context))
    }))

  const mutation = json("callbacks/Mutation.json")
  const brokenMutation = {
    NotificationUrl: {
      ...mutation.NotificationUrl,
      object: { Payment: { ...mutation.NotificationUrl.object.Payment, geolocation: { latitude: "north" } } }
    }
  }

  it("is Unknown in a callback body: it decodes, with its type, id and why", () => {
    const callback = Either.getOrThrow(Callback.decode(brokenMutation))
    assert.strictEqual(callback.eventType, "MUTATION_CREATED")
    assert.strictEqual(callback.object._tag, "Unknown")
    assert.strictEqual(Callback.objectType(callback), "Payment")
    assert.strictEqual(Callback.objectId(callback), 108864)
    if (callback.object._tag !== "Unknown") return
    assert.deepStrictEqual(callback.object.raw, brokenMutation.NotificationUrl.object)
    assert.match(callback.object.issue!, /^Cannot decode Payment: \["geolocation"\]\["latitude"\] expected number/)
    assert.notInclude(callback.object.issue!, "north", "the issue holds no value")
    // the unbroken body still decodes to its member
    assert.strictEqual(Either.getOrThrow(Callback.decode(mutation)).object._tag, "Payment")
  })

  it.effect("is answered 200 by Callback.httpApp (a 400 made bunq drop the callback)", () =>
    Effect.gen(function*() {
      const handled: Array<Callback.Callback> = []
      const app = Callback.httpApp((callback) => Effect.sync(() => void handled.push(callback)))
      const request = HttpServerRequest.fromWeb(
        new Request("http://127.0.0.1/bunq/callback", {
          method: "POST",
          body: JSON.stringify(brokenMutation),
          headers: { "content-type": "application/json" }
        })
      )
      const response = yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, request)
      assert.strictEqual(response.status, 200)
      yield* Effect.yieldNow()
      assert.strictEqual(handled.length, 1)
      assert.strictEqual(Callback.objectType(handled[0]!), "Payment")
    }))
})
