/**
 * Callbacks: the seven real bodies bunq posted (test/fixtures/callbacks) decode; bodies that are not callbacks are a
 * typed error naming what is wrong (never a value); the HttpApp answers at once and hands the callback over (also when
 * the handler throws), checks the source address when asked (ranges parsed strictly: a typo never widens them), and
 * reads at most `maxBodyBytes` of a body, over real HTTP on 127.0.0.1.
 */
import { HttpServer, HttpServerRequest, type HttpServerResponse } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Either, Layer, Logger, Schema } from "effect"
import * as fs from "node:fs"
import * as http from "node:http"
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

  it("source ranges: IPv4 and IPv4-mapped IPv6 (in any spelling) inside 185.40.108.0/22 only", () => {
    for (
      const inside of [
        "185.40.108.0",
        "185.40.109.17",
        "185.40.111.255",
        "::ffff:185.40.110.1",
        "::FFFF:185.40.108.5",
        "0:0:0:0:0:ffff:185.40.108.5",
        "0000:0000:0000:0000:0000:FFFF:185.40.108.5",
        "0::ffff:185.40.108.5",
        "::ffff:b928:6c05" // 185.40.108.5 in hex
      ]
    ) {
      assert.isTrue(Callback.isInRanges(inside, Callback.productionSources), inside)
    }
    for (
      const outside of [
        "185.40.107.255",
        "185.40.112.0",
        "10.0.0.1",
        "::1",
        "2001:db8::1",
        "185.40.108",
        "not an ip",
        "185.040.108.5", // leading zero: not a plain decimal
        " 185.40.108.5",
        "::185.40.108.5", // IPv4-compatible, not mapped
        "1::ffff:185.40.108.5",
        "::fffe:185.40.108.5",
        "::ffff:185.40.112.0",
        "::ffff:185.40.108.5:1",
        "0:0:0:0:0:0:ffff:185.40.108.5",
        "::ffff::185.40.108.5",
        "::ffff:185.40.108.5%eth0",
        "::ffff:0185.40.108.5"
      ]
    ) {
      assert.isFalse(Callback.isInRanges(outside, Callback.productionSources), outside)
    }
  })

  it("a malformed range matches no address (it never acts as /0)", () => {
    for (
      const range of [
        "185.40.108.0/",
        "185.40.108.0/ ",
        "185.40.108.0/ 22",
        "185.40.108.0/-0",
        "185.40.108.0/+22",
        "185.40.108.0/33",
        "185.40.108.0/022",
        "185.40.108.0/0x16",
        "185.40.108.0/22/1",
        "185.40.108/22",
        "185.40.108.256/22",
        "185.40.108.-0/22",
        "/0",
        "",
        "::/0",
        "::ffff:0.0.0.0/96"
      ]
    ) {
      for (const address of ["127.0.0.1", "185.40.108.5", "0.0.0.0"]) {
        assert.isFalse(Callback.isInRanges(address, [range]), `${address} in ${JSON.stringify(range)}`)
      }
      assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Callback.SourceRange)(range)), JSON.stringify(range))
    }
    // Well-formed ranges still work, a bare address as /32 and /0 as everything.
    assert.isTrue(Callback.isInRanges("127.0.0.1", ["10.0.0.0/8", "127.0.0.1"]))
    assert.isFalse(Callback.isInRanges("127.0.0.2", ["127.0.0.1"]))
    assert.isTrue(Callback.isInRanges("203.0.113.9", ["0.0.0.0/0"]))
    assert.deepStrictEqual(
      Schema.decodeUnknownEither(Schema.Array(Callback.SourceRange))(["185.40.108.0/22", "10.0.0.1"]),
      Either.right(["185.40.108.0/22", "10.0.0.1"].map((range) => Callback.SourceRange.make(range)))
    )
    const error = Either.flip(Schema.decodeUnknownEither(Callback.SourceRange)("185.40.108.0/")).pipe(
      Either.getOrThrow
    )
    assert.include(error.message, "an IPv4 CIDR range such as 185.40.108.0/22")
    assert.throws(() => Callback.SourceRange.make("185.40.108.0/"))
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
      const sources = [...Callback.productionSources]
      const app = Callback.httpApp(() => Effect.sync(() => void handled++), { sources })
      sources.push(Callback.SourceRange.make("0.0.0.0/0")) // read once, when the app was built
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

  it.effect("a handler that throws is logged, and bunq still gets 200", () =>
    Effect.gen(function*() {
      const logged = yield* Deferred.make<string>()
      const logger = Logger.make(({ cause, message }) => {
        Deferred.unsafeDone(logged, Effect.succeed(`${String(message)} | ${Cause.pretty(cause)}`))
      })
      const app = Callback.httpApp((): Effect.Effect<void> => {
        throw new Error("handler bug")
      })
      const response = yield* Effect.provideService(
        app,
        HttpServerRequest.HttpServerRequest,
        post(body("Mutation.json"))
      )
        .pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      assert.strictEqual(response.status, 200)
      const line = yield* Deferred.await(logged)
      assert.include(line, "bunq callback handler failed")
      assert.include(line, "handler bug")
    }))

  it.effect("options that cannot be honoured: every request is answered 500, never handled", () =>
    Effect.gen(function*() {
      let handled = 0
      const handle = () => Effect.sync(() => void handled++)
      for (
        const options of [
          // only by a cast past SourceRange
          { sources: ["185.40.108.0/" as Callback.SourceRange] },
          { sources: [...Callback.productionSources, "::/0" as Callback.SourceRange] },
          { maxBodyBytes: Number.NaN },
          { maxBodyBytes: 0 },
          { maxBodyBytes: 1.5 }
        ]
      ) {
        const response = yield* Effect.provideService(
          Callback.httpApp(handle, options),
          HttpServerRequest.HttpServerRequest,
          post(body("Mutation.json"), "185.40.109.4")
        )
        assert.strictEqual(response.status, 500, JSON.stringify(options))
      }
      yield* Effect.yieldNow()
      assert.strictEqual(handled, 0)
    }))

  it.effect("a UTF-8 byte order mark before the body is dropped", () =>
    Effect.gen(function*() {
      const received = yield* Deferred.make<Callback.Callback>()
      const response = yield* Effect.provideService(
        Callback.httpApp((callback) => Deferred.succeed(received, callback)),
        HttpServerRequest.HttpServerRequest,
        post(`\uFEFF${body("Mutation.json")}`)
      )
      assert.strictEqual(response.status, 200)
      assert.strictEqual((yield* Deferred.await(received)).eventType, "MUTATION_CREATED")
    }))
})

/** Serve an app on 127.0.0.1 (a free port) with platform-node's server, for the test's scope; its port. */
const serve = (
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest>
) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      HttpServer.serve(app).pipe(
        Layer.provideMerge(NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" }))
      )
    )
    const address = (yield* Effect.provide(HttpServer.HttpServer, context)).address
    return address._tag === "TcpAddress" ? address.port : assert.fail("not a TCP address")
  })

type Sent =
  | { readonly _tag: "Answered"; readonly status: number; readonly body: string; readonly written: number }
  | { readonly _tag: "Reset"; readonly written: number }

/**
 * POST over real HTTP: `body` in one piece (with its Content-Length), or `declared` as the Content-Length with only
 * `prefix` sent, or `streamed` bytes in 64 KiB chunks without a length (chunked), stopping at the answer or an error.
 */
const send = (
  port: number,
  request:
    | { readonly body: string }
    | { readonly declared: number; readonly prefix: string }
    | { readonly streamed: number }
) =>
  Effect.promise(() =>
    new Promise<Sent>((resolve) => {
      let written = 0
      let done = false
      const headers: Record<string, string> = { "content-type": "application/json" }
      if ("body" in request) headers["content-length"] = String(Buffer.byteLength(request.body))
      if ("declared" in request) headers["content-length"] = String(request.declared)
      const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/bunq/callback", headers }, (res) => {
        done = true
        let text = ""
        res.setEncoding("utf8")
        res.on("data", (chunk: string) => (text += chunk))
        res.on("end", () => resolve({ _tag: "Answered", status: res.statusCode ?? 0, body: text, written }))
        res.on("error", () => resolve({ _tag: "Reset", written }))
      })
      req.on("error", () => {
        done = true
        resolve({ _tag: "Reset", written })
      })
      if ("body" in request) {
        written = Buffer.byteLength(request.body)
        req.end(request.body)
      } else if ("declared" in request) {
        written = Buffer.byteLength(request.prefix)
        req.write(request.prefix) // and never the rest: the answer must not wait for it
      } else {
        const chunk = Buffer.alloc(64 * 1024, 0x20)
        const pump = () => {
          while (!done && written < request.streamed) {
            written += chunk.length
            if (!req.write(chunk)) return void req.once("drain", pump)
          }
          if (!done) req.end()
        }
        pump()
      }
    })
  )

describe("Callback.httpApp over HTTP: the body size limit", () => {
  const mutation = body("Mutation.json")
  const size = Buffer.byteLength(mutation)

  it.scopedLive("a body of exactly maxBodyBytes is handled; one byte more is 413 and not handled", () =>
    Effect.gen(function*() {
      let handled = 0
      const port = yield* serve(Callback.httpApp(() => Effect.sync(() => void handled++), { maxBodyBytes: size }))
      const fits = yield* send(port, { body: mutation })
      assert.deepInclude(fits, { _tag: "Answered", status: 200 })
      const over = yield* send(port, { body: `${mutation} ` })
      assert.deepInclude(over, { _tag: "Answered", status: 413, body: "callback body too large" })
      yield* Effect.sleep("20 millis")
      assert.strictEqual(handled, 1)
    }))

  it.scopedLive("a declared Content-Length over the default 1 MiB is answered 413 before the body is read", () =>
    Effect.gen(function*() {
      let handled = 0
      const port = yield* serve(Callback.httpApp(() => Effect.sync(() => void handled++)))
      assert.strictEqual(Callback.defaultMaxBodyBytes, 1024 * 1024)
      // 300 MB announced, a few bytes sent: the answer comes at once
      const huge = yield* send(port, { declared: 300_000_000, prefix: "{\"NotificationUrl\":" })
      assert.deepInclude(huge, { _tag: "Answered", status: 413 })
      const justOver = yield* send(port, { declared: Callback.defaultMaxBodyBytes + 1, prefix: "{" })
      assert.deepInclude(justOver, { _tag: "Answered", status: 413 })
      assert.deepInclude(yield* send(port, { body: mutation }), { _tag: "Answered", status: 200 })
      yield* Effect.sleep("20 millis")
      assert.strictEqual(handled, 1)
    }))

  it.scopedLive("a body without a length is read up to the limit only: past it, the connection is cut", () =>
    Effect.gen(function*() {
      let handled = 0
      const port = yield* serve(Callback.httpApp(() => Effect.sync(() => void handled++), { maxBodyBytes: 4096 }))
      const total = 256 * 1024 * 1024
      const result = yield* send(port, { streamed: total })
      // Not 413 (the server stops reading, and the platform closes the connection), and far from all of it sent:
      // what was written went into socket buffers, not into the server's memory.
      assert.notDeepInclude(result, { status: 200 })
      assert.isBelow(result.written, total / 4)
      assert.strictEqual(handled, 0)
      // The server is still there for the next callback.
      assert.deepInclude(yield* send(port, { body: mutation }), { _tag: "Answered", status: 200 })
    }))
})
