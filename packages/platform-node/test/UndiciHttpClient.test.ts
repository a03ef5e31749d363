import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as TransportDeadline from "@effect-bunq/http/TransportDeadline"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as UndiciHttpClient from "@effect-bunq/platform-node/UndiciHttpClient"
import { HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Context, Deferred, Effect, Exit, Fiber, Layer, Redacted, Stream } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Buffer
}

type Handler = (request: Received, response: Http.ServerResponse) => void

/** A loopback server for the duration of `f`. */
interface Events {
  readonly received: Array<Received>
  /** The URLs of requests whose connection the client dropped before the answer was complete. */
  readonly aborted: Array<string>
}

const withServer = <A, E, R>(handler: Handler, f: (origin: string, events: Events) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.async<{ server: Http.Server; received: Array<Received>; aborted: Array<string> }>((resume) => {
      const received: Array<Received> = []
      const aborted: Array<string> = []
      const server = Http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const entry = {
            method: request.method!,
            url: request.url!,
            headers: request.headers,
            body: Buffer.concat(chunks)
          }
          received.push(entry)
          response.on("close", () => {
            if (!response.writableFinished) aborted.push(entry.url)
          })
          handler(entry, response)
        })
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, received, aborted })))
    }),
    ({ aborted, received, server }) =>
      f(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { received, aborted }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** The client, built in the test's scope (its agent is destroyed when the test ends). */
const client = Effect.map(Layer.build(UndiciHttpClient.layer), Context.get(HttpClient.HttpClient))

const echo: Handler = (request, response) => {
  response.writeHead(201, { "content-type": "application/json", "x-echo-method": request.method, "set-cookie": "a=1" })
  response.end(
    JSON.stringify({ url: request.url, body: request.body.toString("utf8"), header: request.headers["x-a"] })
  )
}

describe("UndiciHttpClient", () => {
  it.scoped("sends method, URL, query, headers and byte body exactly; reads status, headers, cookies and body", () =>
    withServer(echo, (origin, { received }) =>
      Effect.gen(function*() {
        const http = yield* client
        const bytes = new TextEncoder().encode(JSON.stringify({ amount: "12.50 €" }))
        const response = yield* http.execute(
          HttpClientRequest.post(`${origin}/v1/payment`, {
            urlParams: { count: "200", older_id: "7" },
            headers: { "X-A": "b" },
            body: HttpBody.uint8Array(bytes, "application/json")
          })
        )
        assert.strictEqual(response.status, 201)
        assert.strictEqual(response.headers["x-echo-method"], "POST")
        assert.strictEqual(response.cookies.cookies["a"]?.value, "1")
        const json: any = yield* response.json
        assert.deepStrictEqual(json, {
          url: "/v1/payment?count=200&older_id=7",
          body: "{\"amount\":\"12.50 €\"}",
          header: "b"
        })
        assert.deepStrictEqual(new Uint8Array(received[0]!.body), bytes)
        assert.strictEqual(received[0]!.headers["content-type"], "application/json")
        // no trace headers leave the process
        assert.isUndefined(received[0]!.headers["traceparent"])
        assert.isUndefined(received[0]!.headers["b3"])
      })))

  it.scoped("streams a Stream body", () =>
    withServer(echo, (origin, { received }) =>
      Effect.gen(function*() {
        const http = yield* client
        const parts = ["a", "bc", "def"].map((part) => new TextEncoder().encode(part))
        const response = yield* http.execute(
          HttpClientRequest.post(`${origin}/s`, { body: HttpBody.stream(Stream.fromIterable(parts)) })
        )
        assert.strictEqual(response.status, 201)
        yield* response.arrayBuffer
        assert.strictEqual(received[0]!.body.toString("utf8"), "abcdef")
      })))

  it.scoped("a body read twice the same way gives the same bytes; read another way it is a ResponseError", () =>
    withServer(echo, (origin) =>
      Effect.gen(function*() {
        const http = yield* client
        const response = yield* http.get(`${origin}/twice`)
        const first = new Uint8Array(yield* response.arrayBuffer)
        const second = new Uint8Array(yield* response.arrayBuffer)
        assert.deepStrictEqual(second, first)
        assert.isAbove(first.length, 10)
        const error = yield* Effect.flip(response.text)
        assert.strictEqual(error._tag, "ResponseError")
        assert.strictEqual(error.reason, "Decode")
        const streamed = yield* http.get(`${origin}/stream`).pipe(
          Effect.flatMap((r) => Stream.runCollect(r.stream)),
          Effect.map((chunks) => Buffer.concat(Chunk.toArray(chunks)).toString("utf8"))
        )
        assert.include(streamed, "/stream")
      })))

  it.scoped("interrupting a request aborts it on the wire", () =>
    Effect.gen(function*() {
      const arrived = yield* Deferred.make<void>()
      yield* withServer(() => Effect.runSync(Deferred.succeed(arrived, undefined)), (origin, { aborted }) =>
        Effect.gen(function*() {
          const http = yield* client
          const fiber = yield* Effect.fork(http.get(`${origin}/hang`))
          yield* Deferred.await(arrived)
          const exit = yield* Fiber.interrupt(fiber)
          assert.isTrue(Exit.isInterrupted(exit))
          yield* Effect.promise(() =>
            new Promise((resolve) => setTimeout(resolve, 100))
          )
          assert.deepStrictEqual(aborted, ["/hang"])
        }))
    }))

  it.scoped("a refused connection is RequestError Transport; a bad URL is RequestError InvalidUrl", () =>
    Effect.gen(function*() {
      const http = yield* client
      const port = yield* withServer(echo, (origin) => Effect.succeed(new URL(origin).port))
      const refused = yield* Effect.flip(http.get(`http://127.0.0.1:${port}/gone`))
      assert.strictEqual(refused._tag, "RequestError")
      assert.strictEqual((refused as any).reason, "Transport")
      const invalid = yield* Effect.flip(http.get("not a url"))
      assert.strictEqual((invalid as any).reason, "InvalidUrl")
    }))

  it.scopedLive("under BunqClient on the live clock, an answer that never comes is TransportError Timeout, aborted", () =>
    Effect.gen(function*() {
      const arrived = yield* Deferred.make<void>()
      yield* withServer(
        () => Effect.runSync(Deferred.succeed(arrived, undefined)),
        (origin, { aborted }) =>
          Effect.gen(function*() {
            const bunq = yield* Effect.map(
              Layer.build(BunqClient.layer.pipe(
                Layer.provide(UndiciHttpClient.layer),
                Layer.provide(NodeSigner.layer),
                Layer.provide(BunqConfig.layer({ baseUrl: `${origin}/v1`, timeout: "300 millis", rateLimits: false }))
              )),
              Context.get(BunqClient.BunqClient)
            )
            const error = yield* Effect.flip(bunq.execute({
              operation: "Test.hang",
              method: "POST",
              path: "/device-server",
              body: { secret: "x" },
              auth: { _tag: "Installation", token: Redacted.make("token") }
            }))
            assert.strictEqual(error._tag, "TransportError")
            assert.strictEqual((error as any).reason, "Timeout")
            yield* Deferred.await(arrived)
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
            assert.deepStrictEqual(aborted, ["/v1/device-server"])
          })
      )
    }))

  describe("deadlines (TransportDeadline)", () => {
    it.scoped("the client is marked as enforcing deadlines; a wrapped client is not", () =>
      Effect.gen(function*() {
        const http = yield* client
        assert.isTrue(TransportDeadline.isEnforced(http))
        assert.isFalse(TransportDeadline.isEnforced(HttpClient.mapRequest(http, (request) => request)))
      }))

    it.scopedLive("a budget spent before the headers fails the request with a TimeoutException cause, aborted", () =>
      withServer(() => {}, (origin, { aborted }) =>
        Effect.gen(function*() {
          const http = yield* client
          const request = HttpClientRequest.get(`${origin}/slow-headers`)
          TransportDeadline.attach(request, 150)
          const started = Date.now()
          const error = yield* Effect.flip(http.execute(request))
          assert.strictEqual(error._tag, "RequestError")
          assert.isTrue(TransportDeadline.isTimeoutCause(error.cause))
          assert.isAtLeast(Date.now() - started, 140)
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
          assert.deepStrictEqual(aborted, ["/slow-headers"])
        })))

    it.scopedLive("the budget covers the body: a body that stalls fails the read with a TimeoutException cause", () =>
      withServer((_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.write("{\"Response\":")
      }, (origin, { aborted }) =>
        Effect.gen(function*() {
          const http = yield* client
          const request = HttpClientRequest.get(`${origin}/slow-body`)
          TransportDeadline.attach(request, 150)
          const response = yield* http.execute(request)
          assert.strictEqual(response.status, 200)
          const error = yield* Effect.flip(response.arrayBuffer)
          assert.strictEqual(error._tag, "ResponseError")
          assert.isTrue(TransportDeadline.isTimeoutCause(error.cause))
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
          assert.deepStrictEqual(aborted, ["/slow-body"])
        })))

    it.scopedLive("an answer within the budget is untouched: the timer is cleared once the body is read", () =>
      withServer(echo, (origin, { aborted }) =>
        Effect.gen(function*() {
          const http = yield* client
          const request = HttpClientRequest.get(`${origin}/quick`)
          TransportDeadline.attach(request, 100)
          const response = yield* http.execute(request)
          const body = JSON.parse(new TextDecoder().decode(yield* response.arrayBuffer))
          assert.strictEqual(body.url, "/quick")
          // Past the budget: a timer left running would abort (nothing to abort now) and must not fail anything.
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
          assert.deepStrictEqual(aborted, [])
          assert.deepStrictEqual(JSON.parse(new TextDecoder().decode(yield* response.arrayBuffer)), body)
        })))

    it.scopedLive("under BunqClient, a body that stalls past the timeout is TransportError Timeout", () =>
      withServer((_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.write("{\"Response\":")
      }, (origin) =>
        Effect.gen(function*() {
          const bunq = yield* Effect.map(
            Layer.build(BunqClient.layer.pipe(
              Layer.provide(UndiciHttpClient.layer),
              Layer.provide(NodeSigner.layer),
              Layer.provide(
                BunqConfig.layer({ baseUrl: `${origin}/v1`, timeout: "200 millis", rateLimits: false, retry: false })
              )
            )),
            Context.get(BunqClient.BunqClient)
          )
          const error = yield* Effect.flip(bunq.execute({
            operation: "Test.stall",
            method: "GET",
            path: "/user",
            auth: { _tag: "Session", token: Redacted.make("token") }
          }))
          assert.strictEqual(error._tag, "TransportError")
          assert.strictEqual((error as any).reason, "Timeout")
          assert.include(error.message, "no complete response within")
        })))
  })
})
