import type { BunqRequest } from "@effect-bunq/http/BunqClient"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Either, Exit } from "effect"
import { makeKeys, sessionToken, utf8, withClient } from "./utils/fake.js"
import { fixture } from "./utils/fixtures.js"

const keys = await Effect.runPromise(makeKeys)

/** A PNG header and bytes that are not UTF-8 (0xff, 0xfe, a lone continuation byte): nothing may re-encode them. */
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x80, 0x00, 0x7f, 0xc3])

const session = {
  auth: { _tag: "Session", token: sessionToken },
  signWith: keys.client.privateKey,
  verifyWith: keys.server.publicKeyPem
} as const

const upload: BunqRequest = {
  operation: "AttachmentPublic.create",
  method: "POST",
  path: "/attachment-public",
  rawBody: { bytes: png, contentType: "image/png" },
  headers: { "X-Bunq-Attachment-Description": "a receipt" },
  ...session
}

const download: BunqRequest = {
  operation: "AttachmentPublicContent.list",
  method: "GET",
  path: "/attachment-public/0f2b-uuid/content",
  ...session
}

/** A client over a recording transport that answers every request with `{"Id": …}`. */
const withCreated = <A, E>(f: Parameters<typeof withClient<A, E>>[3]) =>
  withClient(keys, () => ({ body: fixture("create-id.response.json") }), {}, f)

describe("BunqClient raw bodies", () => {
  it.effect("uploads the raw bytes as they are, with their content type and extra headers, signed over those bytes", () =>
    withCreated((client, fake) =>
      Effect.gen(function*() {
        const response = yield* client.execute(upload)
        assert.deepStrictEqual(response.items, [{ Id: { id: 1561 } }])
        const sent = fake.requests[0]!
        assert.deepStrictEqual(sent.body, png)
        assert.strictEqual(sent.headers["content-type"], "image/png")
        assert.strictEqual(sent.headers["x-bunq-attachment-description"], "a receipt")
        const signer = yield* WebCryptoSigner.make
        const signature = sent.headers["x-bunq-client-signature"]!
        assert.isTrue(Either.isRight(yield* Effect.either(signer.verify(keys.client.publicKeyPem, png, signature))))
        // the signature is over the raw bytes, not over any text form of them
        const asText = utf8(new TextDecoder().decode(png))
        assert.isTrue(Either.isLeft(yield* Effect.either(signer.verify(keys.client.publicKeyPem, asText, signature))))
      })
    ))

  it.effect("extra headers cannot replace bunq's headers or the credentials", () =>
    withCreated((client, fake) =>
      Effect.gen(function*() {
        yield* client.execute({
          ...upload,
          headers: {
            "x-bunq-client-authentication": "someone-else",
            "X-Bunq-Client-Request-Id": "fixed",
            "User-Agent": "other"
          }
        })
        const sent = fake.requests[0]!.headers
        assert.strictEqual(sent["x-bunq-client-authentication"], "SESSION-TOKEN-5ecr3t-0001")
        assert.notStrictEqual(sent["x-bunq-client-request-id"], "fixed")
        assert.match(sent["user-agent"]!, /^effect-bunq\//)
      })
    ))

  it.effect("a request with both a JSON body and a raw body is a defect, and nothing is sent", () =>
    withCreated((client, fake) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(client.execute({ ...upload, body: { a: 1 } }))
        assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
        assert.strictEqual(fake.requests.length, 0)
      })
    ))

  it.effect("executeRaw returns the verified bytes of a download, unparsed, with the content type", () =>
    withClient(
      keys,
      () => ({ body: png, headers: { "content-type": "image/png" }, responseId: "r-7" }),
      {},
      (client, fake) =>
        Effect.gen(function*() {
          const response = yield* client.executeRaw(download)
          assert.deepStrictEqual(response.bytes, png)
          assert.strictEqual(response.contentType, "image/png")
          assert.strictEqual(response.status, 200)
          assert.strictEqual(response.responseId, "r-7")
          assert.strictEqual(response.requestId, fake.requests[0]!.headers["x-bunq-client-request-id"])
          // the signed GET has no body: the empty string is signed
          const signer = yield* WebCryptoSigner.make
          assert.isTrue(
            Either.isRight(
              yield* Effect.either(
                signer.verify(
                  keys.client.publicKeyPem,
                  new Uint8Array(0),
                  fake.requests[0]!.headers["x-bunq-client-signature"]!
                )
              )
            )
          )
        })
    ))

  it.effect("executeRaw refuses bytes that do not verify: changed, unsigned, or signed by another key", () =>
    Effect.forEach(
      ["flipBody", "none", "wrongKey"] as const,
      (sign) =>
        withClient(
          keys,
          () => ({ body: png, headers: { "content-type": "image/png" }, sign }),
          {},
          (client) =>
            Effect.gen(function*() {
              const error = yield* Effect.flip(client.executeRaw(download))
              assert.strictEqual(error._tag, "ResponseVerificationError", sign)
              assert.strictEqual(
                error._tag === "ResponseVerificationError" ? error.reason : undefined,
                sign === "none" ? "MissingSignature" : "InvalidSignature"
              )
            })
        )
    ))

  it.effect("executeRaw: an error status is an ApiError with bunq's description", () =>
    withClient(
      keys,
      () => ({ status: 404, body: fixture("error-not-found.404.response.json") }),
      {},
      (client) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(client.executeRaw(download))
          assert.strictEqual(error._tag, "ApiError")
          assert.strictEqual(error._tag === "ApiError" ? error.status : undefined, 404)
          assert.isAbove(error._tag === "ApiError" ? error.descriptions.length : 0, 0)
        })
    ))
})
