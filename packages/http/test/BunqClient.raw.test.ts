/**
 * Raw bodies end to end on the bunq emulator (in process): an attachment uploaded as bytes comes back byte for byte
 * with its content type, the emulator verified the client's signature over exactly those bytes, and `executeRaw`
 * refuses a download that does not verify. That extra headers cannot replace bunq's own is a matter of the bytes on
 * the wire: it is in `BunqClient.test.ts`, on the recording transport.
 */
import type { BunqRequest } from "@effect-bunq/http/BunqClient"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { openEmulatorSession } from "./utils/emulator.js"

/** A PNG header and bytes that are not UTF-8 (0xff, 0xfe, a lone continuation byte): nothing may re-encode them. */
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x80, 0x00, 0x7f, 0xc3])

const upload = (session: Pick<BunqRequest, "auth" | "signWith" | "verifyWith">): BunqRequest => ({
  operation: "AttachmentPublic.create",
  method: "POST",
  path: "/attachment-public",
  rawBody: { bytes: png, contentType: "image/png" },
  headers: { "X-Bunq-Attachment-Description": "a receipt" },
  ...session
})

const download = (session: Pick<BunqRequest, "auth" | "signWith" | "verifyWith">, uuid: string): BunqRequest => ({
  operation: "AttachmentPublicContent.list",
  method: "GET",
  path: `/attachment-public/${uuid}/content`,
  ...session
})

/** A session on a fresh emulator with the PNG uploaded: its uuid. */
const uploaded = Effect.gen(function*() {
  const opened = yield* openEmulatorSession
  const created = yield* opened.client.execute(upload(opened.session))
  const uuid = (created.items[0] as { Uuid: { uuid: string } }).Uuid.uuid
  yield* opened.emulator.clearLog
  return { ...opened, uuid }
})

describe("BunqClient raw bodies", () => {
  it.effect("uploads the raw bytes as they are, with their content type and description, signed over those bytes", () =>
    Effect.gen(function*() {
      const { client, emulator, session } = yield* openEmulatorSession
      yield* emulator.clearLog
      const created = yield* client.execute(upload(session))
      const uuid = (created.items[0] as { Uuid: { uuid: string } }).Uuid.uuid
      // The emulator checked the client signature over the bytes it received (a signature over any other form of
      // them, a text decoding for one, would be "invalid").
      const [entry] = yield* emulator.log
      assert.strictEqual(
        `${entry!.method} ${entry!.path} ${entry!.status} ${entry!.signature}`,
        "POST /attachment-public 200 verified"
      )
      // What it stored is those bytes, that content type and that description.
      const content = yield* client.executeRaw(download(session, uuid))
      assert.deepStrictEqual(content.bytes, png)
      assert.strictEqual(content.contentType, "image/png")
      const read = yield* client.execute({
        operation: "AttachmentPublic.get",
        method: "GET",
        path: `/attachment-public/${uuid}`,
        ...session
      })
      assert.deepStrictEqual((read.items[0] as any).AttachmentPublic.attachment, {
        description: "a receipt",
        content_type: "image/png"
      })
    }))

  it.effect("a request with both a JSON body and a raw body is a defect, and nothing is sent", () =>
    Effect.gen(function*() {
      const { client, emulator, session } = yield* openEmulatorSession
      yield* emulator.clearLog
      const exit = yield* Effect.exit(client.execute({ ...upload(session), body: { a: 1 } }))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      assert.deepStrictEqual(yield* emulator.log, [])
    }))

  it.effect("executeRaw returns the verified bytes of a download, unparsed, with the content type", () =>
    Effect.gen(function*() {
      const { client, emulator, session, uuid } = yield* uploaded
      const response = yield* client.executeRaw(download(session, uuid))
      assert.deepStrictEqual(response.bytes, png)
      assert.strictEqual(response.contentType, "image/png")
      assert.strictEqual(response.status, 200)
      const [entry] = yield* emulator.log
      assert.strictEqual(response.responseId, entry!.responseId)
      assert.strictEqual(response.requestId, entry!.requestId)
      // the signed GET has no body: the empty string is signed, and the emulator verified it
      assert.strictEqual(entry!.signature, "verified")
    }))

  it.effect("executeRaw refuses bytes that do not verify: changed, unsigned, or signed by another key", () =>
    Effect.gen(function*() {
      const { client, emulator, session, uuid } = yield* uploaded
      for (const _tag of ["TamperedBody", "MissingSignature", "WrongKey"] as const) {
        yield* emulator.injectFault({ _tag, method: "GET", path: "/attachment-public/*/content" })
        const error = yield* Effect.flip(client.executeRaw(download(session, uuid)))
        assert.strictEqual(error._tag, "ResponseVerificationError", _tag)
        assert.strictEqual(
          error._tag === "ResponseVerificationError" ? error.reason : undefined,
          _tag === "MissingSignature" ? "MissingSignature" : "InvalidSignature"
        )
      }
      // and without a fault the same download verifies
      assert.deepStrictEqual((yield* client.executeRaw(download(session, uuid))).bytes, png)
    }))

  it.effect("executeRaw: an error status is an ApiError with bunq's description", () =>
    Effect.gen(function*() {
      const { client, session } = yield* openEmulatorSession
      const error = yield* Effect.flip(client.executeRaw(download(session, "0f2b-no-such-uuid")))
      assert.strictEqual(error._tag, "ApiError")
      assert.strictEqual(error._tag === "ApiError" ? error.status : undefined, 404)
      assert.include(error._tag === "ApiError" ? error.descriptions[0]?.description : "", "not found")
    }))
})
