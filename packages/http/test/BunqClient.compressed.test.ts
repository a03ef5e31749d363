/**
 * `maxResponseBytes` against compressed bodies: `fetch` decodes `content-encoding` by itself, so a response's
 * `content-length` is the compressed size, not the size of what is read. A real loopback server sends gzip through
 * `FetchHttpClient` (the browser layer's transport); a browser that hides `content-encoding` from a cross-origin
 * response is the recording transport with a `content-length` smaller than the body. (`BunqNode`'s own client, which
 * does not decode, is tested in `@effect-bunq/platform-node`'s `UndiciHttpClient.test.ts`.)
 */
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import type * as BunqError from "@effect-bunq/http/BunqError"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Zlib from "node:zlib"
import { makeKeys, withClient } from "./utils/recordingTransport.js"

const maxResponseBytes = 100_000

const keys = await Effect.runPromise(makeKeys)

/** `{"Response":[{"Note":{"text":"aaa…"}}]}` of `size` bytes. */
const json = (size: number): Buffer => {
  const open = "{\"Response\":[{\"Note\":{\"text\":\""
  const close = "\"}}]}"
  return Buffer.from(open + "a".repeat(size - open.length - close.length) + close)
}

/** 20 MB of JSON, about 20 KB gzipped: its content-length is far under the cap. */
const bomb = Zlib.gzipSync(json(20 * 1024 * 1024))
/** 60 KB of JSON, within the cap decoded. */
const small = json(60_000)

/** A loopback server answering gzip for the duration of `f`: `/bomb` with a content-length, `/small` without one. */
const withServer = <A, E, R>(f: (origin: string) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.async<Http.Server>((resume) => {
      const server = Http.createServer((request, response) => {
        if (request.url === "/v1/bomb") {
          response.writeHead(200, {
            "content-type": "application/json",
            "content-encoding": "gzip",
            "content-length": String(bomb.length)
          })
          response.end(bomb)
        } else {
          response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
          response.end(Zlib.gzipSync(small))
        }
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) => f(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const fetchClient = (origin: string) =>
  Effect.provide(
    BunqClient.BunqClient,
    BunqClient.layer.pipe(
      Layer.provide(FetchHttpClient.layer),
      Layer.provide(WebCryptoSigner.layer),
      Layer.provide(
        Layer.orDie(BunqConfig.layer({ baseUrl: `${origin}/v1`, retry: false, rateLimits: false, maxResponseBytes }))
      )
    )
  )

/** What became of a call, in one word: a failure's reason or tag, or `read` (never the body: it may be 20 MB). */
const outcome = (call: Effect.Effect<unknown, BunqError.BunqError>): Effect.Effect<string> =>
  Effect.match(call, {
    onFailure: (error) => error._tag === "TransportError" ? error.reason : error._tag,
    onSuccess: () => "read"
  })

/** `execute` and `executeRaw`, to run the same checks on both. */
const both = (
  client: BunqClient.BunqClient.Service
): ReadonlyArray<(request: BunqClient.BunqRequest) => Effect.Effect<unknown, BunqError.BunqError>> => [
  client.execute,
  client.executeRaw
]

const get = (path: string): BunqClient.BunqRequest => ({
  operation: "Test.get",
  method: "GET",
  path,
  auth: { _tag: "Session", token: Redacted.make("session-token-secret") }
})

describe("BunqClient and compressed responses", () => {
  it.effect(
    "over fetch, a gzip body whose content-length is within maxResponseBytes but not its decoded size is TooLarge (execute and executeRaw)",
    () =>
      withServer((origin) =>
        Effect.gen(function*() {
          assert.isBelow(bomb.length, maxResponseBytes)
          const client = yield* fetchClient(origin)
          for (const send of both(client)) {
            assert.strictEqual(yield* outcome(send(get("/bomb"))), "TooLarge")
            const error = yield* Effect.flip(send(get("/bomb")))
            assert.include(error.message, `larger than the ${maxResponseBytes} bytes allowed`)
            assert.include(error.message, `${origin}/v1/bomb`)
          }
        })
      ),
    { timeout: 20_000 }
  )

  it.effect("over fetch, a gzip body within maxResponseBytes decoded is read whole and parsed", () =>
    withServer((origin) =>
      Effect.gen(function*() {
        const client = yield* fetchClient(origin)
        const response = yield* client.execute(get("/small"))
        assert.strictEqual((response.items[0]!["Note"] as { text: string }).text, "a".repeat(60_000 - 35))
        const raw = yield* client.executeRaw(get("/small"))
        assert.deepStrictEqual(raw.bytes, new Uint8Array(small))
      })
    ))

  it.effect("a body larger than its content-length (a browser decoding gzip with content-encoding hidden) is TooLarge", () =>
    withClient(
      keys,
      (request) => ({
        // what a browser hands out: the decoded body, with the compressed length and no content-encoding
        body: json(request.url.pathname.endsWith("/at-cap") ? maxResponseBytes : maxResponseBytes + 1),
        headers: { "content-length": "19499" },
        sign: "none"
      }),
      { maxResponseBytes },
      (client) =>
        Effect.gen(function*() {
          for (const send of both(client)) {
            assert.strictEqual(yield* outcome(send(get("/over"))), "TooLarge")
            const error = yield* Effect.flip(send(get("/over")))
            assert.include(error.message, `the response body (${maxResponseBytes + 1} bytes) is larger than`)
          }
          // exactly the cap is read
          const response = yield* client.execute(get("/at-cap"))
          assert.strictEqual(response.items.length, 1)
        })
    ))
})
