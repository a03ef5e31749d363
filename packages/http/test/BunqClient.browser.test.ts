import { BunqConfig } from "@effect-bunq/http"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Layer, Stream } from "effect"
import { makeKeys, sessionToken, utf8, withClient } from "./utils/recordingTransport.js"

/** `BunqClient.paginate` over a client value. */
const paginate = (client: BunqClient.BunqClient.Service, request: BunqClient.BunqRequest) =>
  Stream.provideService(BunqClient.paginate(request), BunqClient.BunqClient, client)

// The same client in Chromium: WebCrypto signing and verification over the exact bytes, and a real failed fetch.

const keys = await Effect.runPromise(makeKeys)

const request = (body?: unknown): BunqClient.BunqRequest => ({
  operation: "Payment.create",
  method: body === undefined ? "GET" : "POST",
  path: "/user/1/monetary-account/2/payment",
  ...(body === undefined ? {} : { body }),
  auth: { _tag: "Session", token: sessionToken },
  signWith: keys.client.privateKey,
  verifyWith: keys.server.publicKeyPem
})

describe("BunqClient in the browser", () => {
  it.effect("signs the exact UTF-8 bytes and verifies the response with WebCrypto", () =>
    withClient(
      keys,
      () => ({ body: "{\"Response\":[{\"Id\":{\"id\":7}}]}", responseId: "b-1" }),
      {},
      (client, transport) =>
        Effect.gen(function*() {
          const body = { description: "Café € 1,50" }
          const response = yield* client.execute(request(body))
          assert.deepStrictEqual(response.items, [{ Id: { id: 7 } }])
          const sent = transport.requests[0]!
          assert.deepStrictEqual(sent.body, utf8(JSON.stringify(body)))
          const signer = yield* WebCryptoSigner.make
          const check = yield* Effect.either(
            signer.verify(keys.client.publicKeyPem, sent.body, sent.headers["x-bunq-client-signature"]!)
          )
          assert.isTrue(Either.isRight(check))
        })
    ))

  it.effect("rejects a flipped response byte", () =>
    withClient(
      keys,
      () => ({ body: "{\"Response\":[{\"Id\":{\"id\":7}}]}", sign: "flipBody" }),
      {},
      (client) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(client.execute(request({ amount: 1 })))
          assert.strictEqual(error._tag, "ResponseVerificationError")
        })
    ))

  it.effect("follows older_url across pages", () =>
    withClient(
      keys,
      (r) => {
        const older = r.url.searchParams.get("older_id")
        return older === null
          ? {
            body:
              "{\"Response\":[{\"Payment\":{\"id\":2}}],\"Pagination\":{\"older_url\":\"/v1/p?count=1&older_id=2\"}}"
          }
          : { body: "{\"Response\":[{\"Payment\":{\"id\":1}}],\"Pagination\":{\"older_url\":null}}" }
      },
      {},
      (client) =>
        Effect.gen(function*() {
          const items = yield* Stream.runCollect(BunqClient.items(paginate(client, { ...request(), path: "/p" })))
          assert.deepStrictEqual(Chunk.toReadonlyArray(items), [{ Payment: { id: 2 } }, { Payment: { id: 1 } }])
        })
    ))

  it.effect("maps a failed fetch to TransportError Blocked, hinting at CORS and a proxy", () =>
    Effect.gen(function*() {
      const client = yield* Effect.provide(
        BunqClient.BunqClient,
        BunqClient.layer.pipe(
          Layer.provide(FetchHttpClient.layer),
          Layer.provide(WebCryptoSigner.layer),
          // nothing listens on port 1 of the loopback interface (and Chromium refuses the port anyway)
          Layer.provide(BunqConfig.layer({ baseUrl: "http://127.0.0.1:1/v1", retry: false, rateLimits: false }))
        )
      )
      const error = yield* Effect.flip(client.execute(request({ amount: 1 })))
      assert.strictEqual(error._tag, "TransportError")
      if (error._tag !== "TransportError") return
      assert.strictEqual(error.reason, "Blocked")
      assert.include(error.message, "CORS")
    }))
})
