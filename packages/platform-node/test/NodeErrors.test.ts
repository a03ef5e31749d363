import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as NodeErrors from "@effect-bunq/platform-node/NodeErrors"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import { HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Net from "node:net"

const systemError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code })

describe("NodeErrors.describe", () => {
  it("names a known code in plain words, through undici's nesting", () => {
    assert.strictEqual(NodeErrors.describe(systemError("ECONNREFUSED")), "connection refused (ECONNREFUSED)")
    const nested = new TypeError("fetch failed", {
      cause: new Error("other side closed", { cause: systemError("ENOTFOUND") })
    })
    assert.strictEqual(NodeErrors.describe(nested), "DNS lookup failed (host not found) (ENOTFOUND)")
    assert.strictEqual(NodeErrors.describe(systemError("ERR_TLS_SOMETHING_NEW")), "TLS failure (ERR_TLS_SOMETHING_NEW)")
  })

  it("an unknown code as it is, and nothing without a code", () => {
    assert.strictEqual(NodeErrors.describe(systemError("EWEIRD")), "EWEIRD")
    assert.isUndefined(NodeErrors.describe(new Error("no code here")))
    assert.isUndefined(NodeErrors.describe("not an object"))
  })
})

describe("NodeErrors.withDescriptions", () => {
  const request = HttpClientRequest.get("http://127.0.0.1:9/v1/user")
  const failing = (error: HttpClientError.HttpClientError) =>
    NodeErrors.withDescriptions(HttpClient.make(() => Effect.fail(error)))

  it.effect("describes a failure that has no description, keeps one that has", () =>
    Effect.gen(function*() {
      const plain = new HttpClientError.RequestError({ request, reason: "Transport", cause: systemError("ECONNRESET") })
      const described = yield* Effect.flip(failing(plain).execute(request))
      assert.strictEqual(described.description, "connection reset by the server (ECONNRESET)")
      assert.strictEqual(described.reason, "Transport")
      assert.strictEqual(described.cause, plain.cause)

      const own = new HttpClientError.RequestError({
        request,
        reason: "Transport",
        cause: systemError("ECONNRESET"),
        description: "the transport's own words"
      })
      assert.strictEqual((yield* Effect.flip(failing(own).execute(request))).description, "the transport's own words")

      const response = HttpClientResponse.fromWeb(request, new Response("x"))
      const decode = new HttpClientError.ResponseError({
        request,
        response,
        reason: "Decode",
        cause: systemError("EPIPE")
      })
      const decoded = yield* Effect.flip(failing(decode).execute(request))
      assert.strictEqual(decoded._tag, "ResponseError")
      assert.strictEqual(decoded.description, "connection closed by the server (EPIPE)")
    }))

  it.scopedLive("BunqClient over NodeHttpClient with descriptions: a refused connection in plain words", () =>
    Effect.gen(function*() {
      // a port nothing listens on: bind one, learn it, close it
      const port = yield* Effect.promise(() =>
        new Promise<number>((resolve) => {
          const server = Net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = server.address() as Net.AddressInfo
            server.close(() => resolve(port))
          })
        })
      )
      const client = yield* BunqClient.BunqClient.pipe(
        Effect.provide(
          BunqClient.layer.pipe(
            Layer.provide(Layer.mergeAll(
              BunqConfig.layer({ baseUrl: `http://127.0.0.1:${port}/v1`, retry: false, rateLimits: false }),
              NodeSigner.layer,
              Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, NodeErrors.withDescriptions)).pipe(
                Layer.provide(NodeHttpClient.layer)
              )
            ))
          )
        )
      )
      const error = yield* Effect.flip(
        client.execute({ operation: "User.list", method: "GET", path: "/user", auth: { _tag: "None" } })
      )
      assert.strictEqual(error._tag, "TransportError")
      assert.include(error.message, "connection refused (ECONNREFUSED)")
    }))
})
