import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as UndiciHttpClient from "@effect-bunq/platform-node/UndiciHttpClient"
import { HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Context, Deferred, Effect, Exit, Fiber, Layer, Redacted, Stream } from "effect"
import { randomBytes } from "node:crypto"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Zlib from "node:zlib"

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

  it.scoped("a streamed body read twice the same way gives the same bytes; read another way it is a ResponseError", () =>
    withServer((request, response) => {
      // no content-length: the body is not read with the headers
      response.writeHead(200, { "content-type": "application/json" })
      response.write(JSON.stringify({ url: request.url }))
      response.end()
    }, (origin) =>
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

  it.scoped("a small body with a content-length is read with the headers: any number of times, as any kind", () =>
    withServer((request, response) => {
      const body = Buffer.from(JSON.stringify({ url: request.url, amount: "12.50 €" }))
      response.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) })
      response.end(body)
    }, (origin, { received }) =>
      Effect.gen(function*() {
        const http = yield* client
        const response = yield* http.get(`${origin}/small`)
        assert.strictEqual(received.length, 1)
        const bytes = new Uint8Array(yield* response.arrayBuffer)
        assert.deepStrictEqual(new Uint8Array(yield* response.arrayBuffer), bytes)
        const text = yield* response.text
        assert.strictEqual(text, new TextDecoder().decode(bytes))
        assert.deepStrictEqual(yield* response.json, JSON.parse(text))
        const streamed = yield* Stream.runCollect(response.stream)
        assert.strictEqual(Buffer.concat(Chunk.toArray(streamed)).toString("utf8"), text)
      })))

  it.scoped("a small body cut short is a ResponseError when it is read; the request itself succeeds", () =>
    withServer((_, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "100" })
      response.write("{\"Response\":")
      setImmediate(() => response.destroy())
    }, (origin) =>
      Effect.gen(function*() {
        const http = yield* client
        const response = yield* http.get(`${origin}/cut`)
        assert.strictEqual(response.status, 200)
        const error = yield* Effect.flip(response.arrayBuffer)
        assert.strictEqual(error._tag, "ResponseError")
        assert.strictEqual(error.reason, "Decode")
        assert.strictEqual((yield* Effect.flip(response.text))._tag, "ResponseError")
      })))

  it.scoped("interrupting a request whose small body stalls aborts it on the wire", () =>
    Effect.gen(function*() {
      const headersSent = yield* Deferred.make<void>()
      yield* withServer((_, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": "100" })
        response.write("{\"Response\":", () => Effect.runSync(Deferred.succeed(headersSent, undefined)))
      }, (origin, { aborted }) =>
        Effect.gen(function*() {
          const http = yield* client
          const fiber = yield* Effect.fork(http.get(`${origin}/stall`))
          yield* Deferred.await(headersSent)
          const exit = yield* Fiber.interrupt(fiber)
          assert.isTrue(Exit.isInterrupted(exit))
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
          assert.deepStrictEqual(aborted, ["/stall"])
        }))
    }))

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

  describe("under BunqClient", () => {
    const bunqClient = (origin: string, options: BunqConfig.Options = {}) =>
      Effect.map(
        Layer.build(BunqClient.layer.pipe(
          Layer.provide(UndiciHttpClient.layer),
          Layer.provide(NodeSigner.layer),
          Layer.provide(BunqConfig.layer({ baseUrl: `${origin}/v1`, rateLimits: false, retry: false, ...options }))
        )),
        Context.get(BunqClient.BunqClient)
      )
    const get = (path: string): BunqClient.BunqRequest => ({
      operation: "Test.get",
      method: "GET",
      path,
      auth: { _tag: "Session", token: Redacted.make("session-token-secret") }
    })
    const mib = 1024 * 1024
    const settle = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))

    it.scopedLive("a body that stalls past the timeout: TransportError Timeout, and the exchange is aborted", () =>
      withServer((_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.write("{\"Response\":")
      }, (origin, { aborted }) =>
        Effect.gen(function*() {
          const bunq = yield* bunqClient(origin, { timeout: "200 millis" })
          const error = yield* Effect.flip(bunq.execute(get("/user")))
          assert.strictEqual(error._tag, "TransportError")
          assert.strictEqual((error as any).reason, "Timeout")
          yield* settle(100)
          assert.deepStrictEqual(aborted, ["/v1/user"])
        })))

    it.scopedLive("an answer in time clears the timer: no timer is left behind by a request", () =>
      withServer((request, response) => {
        response.writeHead(200, { "content-type": "application/json", "x-bunq-client-request-id": "x" })
        response.end("{\"Response\":[]}")
        void request
      }, (origin, { aborted }) =>
        Effect.gen(function*() {
          // A 60 s timeout: record the 60 s timers set during the calls and whether each was cleared.
          const bunq = yield* bunqClient(origin, { timeout: "60 seconds" })
          const pending = new Set<unknown>()
          let set = 0
          const { clearTimeout: realClear, setTimeout: realSet } = globalThis
          yield* Effect.acquireRelease(
            Effect.sync(() => {
              globalThis.setTimeout = ((f: () => void, ms?: number, ...args: Array<unknown>) => {
                const timer = realSet(f, ms, ...args)
                if (ms === 60_000) {
                  set++
                  pending.add(timer)
                }
                return timer
              }) as typeof setTimeout
              globalThis.clearTimeout = ((timer: Parameters<typeof clearTimeout>[0]) => {
                pending.delete(timer)
                realClear(timer)
              }) as typeof clearTimeout
            }),
            () =>
              Effect.sync(() => {
                globalThis.setTimeout = realSet
                globalThis.clearTimeout = realClear
              })
          )
          for (let i = 0; i < 5; i++) yield* bunq.execute(get("/quick")).pipe(Effect.ignore)
          assert.strictEqual(set, 5, "one deadline timer per attempt")
          assert.strictEqual(pending.size, 0, "every deadline timer is cleared when the answer is in")
          assert.deepStrictEqual(aborted, [])
        })))

    it.scopedLive("a content-length over maxResponseBytes fails TooLarge before the body is read, and aborts", () =>
      withServer((_, response) => {
        // announces 256 MiB, sends 1 MiB and then nothing: a client that waits for it all would hang
        response.writeHead(200, { "content-type": "application/json", "content-length": String(256 * mib) })
        response.write(Buffer.alloc(mib, 0x20))
      }, (origin, { aborted }) =>
        Effect.gen(function*() {
          const bunq = yield* bunqClient(origin, { maxResponseBytes: 4 * mib, timeout: "20 seconds" })
          const error = yield* Effect.flip(bunq.execute(get("/export")))
          assert.strictEqual(error._tag, "TransportError")
          assert.strictEqual((error as any).reason, "TooLarge")
          assert.include(error.message, "content-length 268435456")
          assert.include(error.message, `${origin}/v1/export`)
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
          assert.deepStrictEqual(aborted, ["/v1/export"])
        })))

    it.scopedLive("a chunked body is counted while it streams: past the cap it fails TooLarge and is aborted", () =>
      withServer((_, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        let sent = 0
        // an endless body: 64 KiB chunks, as fast as the client reads them
        const pump = () => {
          while (!response.destroyed && response.write(Buffer.alloc(64 * 1024, 0x20))) sent += 64 * 1024
        }
        response.on("drain", pump)
        pump()
        response.on("close", () => assert.isBelow(sent, 64 * mib))
      }, (origin, { aborted }) =>
        Effect.gen(function*() {
          const bunq = yield* bunqClient(origin, { maxResponseBytes: 2 * mib, timeout: "20 seconds" })
          const before = process.memoryUsage().arrayBuffers
          const error = yield* Effect.flip(bunq.execute(get("/endless")))
          assert.strictEqual((error as any).reason, "TooLarge")
          assert.isBelow(process.memoryUsage().arrayBuffers - before, 32 * mib)
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
          assert.deepStrictEqual(aborted, ["/v1/endless"])
        })))

    it.scopedLive("a body within the cap is read whole (with and without content-length)", () =>
      withServer((request, response) => {
        const body = JSON.stringify({ Response: [{ Id: { id: 7 } }] })
        if (request.url.endsWith("/chunked")) {
          response.writeHead(200, { "content-type": "application/json" })
          response.write(body.slice(0, 5))
          response.end(body.slice(5))
        } else {
          response.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) })
          response.end(body)
        }
      }, (origin) =>
        Effect.gen(function*() {
          const bunq = yield* bunqClient(origin, { maxResponseBytes: 64 })
          for (const path of ["/sized", "/chunked"]) {
            const response = yield* bunq.execute(get(path))
            assert.deepStrictEqual(response.items, [{ Id: { id: 7 } }])
          }
        })))

    it.scopedLive("a gzip body is not decoded: the bytes received count against maxResponseBytes, whatever content-length says", () => {
      // 20 MB of JSON in 20 KB (read with the headers), and 100 KB that gzip cannot shrink (streamed)
      const small = Zlib.gzipSync(Buffer.from(JSON.stringify({ Response: [{ Note: { text: "a".repeat(20 * mib) } }] })))
      const large = Zlib.gzipSync(randomBytes(100 * 1024))
      return withServer((request, response) => {
        const body = request.url.endsWith("/small") ? small : large
        response.writeHead(200, {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": String(body.length)
        })
        response.end(body)
      }, (origin) =>
        Effect.gen(function*() {
          const roomy = yield* bunqClient(origin, { maxResponseBytes: 200 * 1024 })
          assert.deepStrictEqual((yield* roomy.executeRaw(get("/small"))).bytes, new Uint8Array(small))
          assert.deepStrictEqual((yield* roomy.executeRaw(get("/large"))).bytes, new Uint8Array(large))
          const tight = yield* bunqClient(origin, { maxResponseBytes: 10 * 1024 })
          for (const path of ["/small", "/large"]) {
            const error = yield* Effect.flip(tight.executeRaw(get(path)))
            assert.strictEqual((error as any).reason, "TooLarge", path)
          }
        }))
    })

    it.scopedLive("an unreachable server: the error names the URL and the cause, never the token", () =>
      Effect.gen(function*() {
        const port = yield* withServer(echo, (origin) => Effect.succeed(new URL(origin).port))
        const origin = `http://127.0.0.1:${port}`
        const bunq = yield* bunqClient(origin)
        const error = yield* Effect.flip(bunq.execute(get("/user")))
        assert.strictEqual(error._tag, "TransportError")
        assert.strictEqual((error as any).reason, "Network")
        assert.include(error.message, `${origin}/v1/user`)
        assert.include(error.message, "connection refused (ECONNREFUSED)")
        assert.notInclude(error.message, "session-token-secret")
      }))
  })
})
