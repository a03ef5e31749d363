import { Common, Envelope, ErrorBody, SchemaDecodeError } from "@effect-bunq/schema"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Either, Option, Schema } from "effect"
import { fixture, fixtureNames } from "./fixtures.js"

const failure = <A>(effect: Effect.Effect<A, SchemaDecodeError.SchemaDecodeError>) => Effect.flip(effect)

describe("Envelope", () => {
  it.effect("decodes every success fixture with a Response array", () =>
    Effect.gen(function*() {
      const names = fixtureNames.filter((name) => name.endsWith(".response.json") && !name.startsWith("error-"))
      assert.isAbove(names.length, 15)
      for (const name of names) {
        const json = fixture(name)
        const envelope = yield* Envelope.decode(json)
        assert.strictEqual(envelope.Response.length, json.Response.length, name)
        assert.deepStrictEqual(Envelope.typeNames(envelope), json.Response.map((item: object) => Object.keys(item)[0]))
      }
    }))

  it.effect("createdId picks the Id by name, wherever it is", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Envelope.createdId(fixture("create-id.response.json").Response), 1561)
      assert.strictEqual(yield* Envelope.createdId(fixture("device-server-create.response.json").Response), 35)
      const reordered = [...fixture("installation-create.response.json").Response].reverse()
      assert.strictEqual(yield* Envelope.createdId(reordered), 53)
      const envelope = yield* Envelope.decode(fixture("installation-create.response.json"))
      assert.strictEqual(yield* Envelope.createdId(envelope), 53)
    }))

  it.effect("createdUuid", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Envelope.createdUuid([{ Uuid: { uuid: "abc-1" } }]), "abc-1")
      const error = yield* failure(Envelope.createdUuid([{ Id: { id: 1 } }]))
      assert.strictEqual(error.reason, "MissingObject")
      assert.include(error.message, "\"Uuid\"")
      assert.include(error.message, "found: \"Id\"")
    }))

  it.effect("pickOne fails with MissingObject or InvalidShape and a path", () =>
    Effect.gen(function*() {
      const missing = yield* failure(Envelope.pickOne([{ Id: { id: 1 } }], "Token", Common.Token))
      assert.strictEqual(missing.reason, "MissingObject")
      assert.strictEqual(missing.target, "Token")

      const secret = "0123456789abcdef-secret-token"
      const bad = yield* failure(
        Envelope.pickOne([{ Id: { id: 1 } }, { Token: { id: "x", token: secret } }], "Token", Common.Token)
      )
      assert.strictEqual(bad.reason, "InvalidShape")
      assert.deepStrictEqual(bad.issues[0]?.path, [1, "Token", "id"])
      assert.include(bad.message, "[1][\"Token\"][\"id\"]")
      assert.notInclude(bad.message, secret)

      const envelope = yield* Envelope.decode({ Response: [{ Token: { id: 1 } }] })
      const inEnvelope = yield* failure(Envelope.pickOne(envelope, "Token", Common.Token))
      assert.deepStrictEqual(inEnvelope.issues[0]?.path, ["Response", 0, "Token", "token"])
      assert.include(inEnvelope.message, "is missing")
    }))

  it.effect("pickAll and pickOption", () =>
    Effect.gen(function*() {
      const items = [{ Id: { id: 1 } }, { Other: {} }, { Id: { id: 2 } }]
      const ids = yield* Envelope.pickAll(items, "Id", Common.Id)
      assert.deepStrictEqual(ids.map((id) => id.id), [1, 2])
      assert.deepStrictEqual(yield* Envelope.pickAll(items, "Nope", Common.Id), [])
      assert.isTrue(Option.isNone(yield* Envelope.pickOption(items, "Nope", Common.Id)))
      assert.deepStrictEqual(
        Option.map(yield* Envelope.pickOption(items, "Id", Common.Id), (id) => id.id),
        Option.some(1)
      )
      const bad = yield* failure(Envelope.pickAll([{ Id: { id: 1 } }, { Id: { id: 1.5 } }], "Id", Common.Id))
      assert.deepStrictEqual(bad.issues[0]?.path, [1, "Id", "id"])
    }))

  it.effect("rejects bodies without a Response array", () =>
    Effect.gen(function*() {
      for (const input of [null, 1, "x", [], {}, { Response: {} }, { Response: [1] }, { Error: [] }]) {
        const error = yield* failure(Envelope.decode(input))
        assert.strictEqual(error._tag, "SchemaDecodeError")
        assert.strictEqual(error.reason, "InvalidShape")
      }
      const notJson = yield* failure(Envelope.decodeJson("{\"Response\": [ secret-text"))
      assert.strictEqual(notJson.reason, "InvalidJson")
      assert.notInclude(notJson.message, "secret-text")
    }))
})

describe("Pagination", () => {
  it.effect("decodes links into page requests relative to the base URL", () =>
    Effect.gen(function*() {
      const page1 = yield* Envelope.decode(fixture("list-pagination.page-1.response.json"))
      const pagination = Option.getOrThrow(page1.Pagination)
      const older = Option.getOrThrow(pagination.older)
      assert.strictEqual(older.url, "/v1/user/1/monetary-account/2/payment?count=1&older_id=42")
      assert.strictEqual(older.path, "/user/1/monetary-account/2/payment")
      assert.deepStrictEqual(older.urlParams, { count: "1", older_id: "42" })
      assert.isTrue(Option.isNone(pagination.newer))
      assert.deepStrictEqual(
        Option.map(pagination.future, (page) => page.urlParams),
        Option.some({
          count: "1",
          newer_id: "42"
        })
      )

      const page3 = yield* Envelope.decode(fixture("list-pagination.page-3.response.json"))
      assert.isTrue(Option.isNone(Option.getOrThrow(page3.Pagination).older))

      const doc = yield* Envelope.decodePagination(fixture("pagination-object.doc-example.json").Pagination)
      assert.deepStrictEqual(Option.getOrThrow(doc.older).urlParams, { count: "25", older_id: "224" })

      const plain = yield* Envelope.decode(fixture("device-server-read.response.json"))
      assert.isTrue(Option.isNone(plain.Pagination))
    }))

  it("parsePageUrl handles absolute URLs and missing queries", () => {
    assert.deepStrictEqual(Envelope.parsePageUrl("https://api.bunq.com/v1/device-server?count=25&older_id=3"), {
      url: "https://api.bunq.com/v1/device-server?count=25&older_id=3",
      path: "/device-server",
      urlParams: { count: "25", older_id: "3" }
    })
    assert.strictEqual(Envelope.parsePageUrl("/v1/user").path, "/user")
    assert.strictEqual(Envelope.parsePageUrl("/v10/user").path, "/v10/user")
    assert.deepStrictEqual(Envelope.parsePageUrl("/user").urlParams, {})
  })

  it.effect("encodes back to bunq's field names with null links", () =>
    Effect.gen(function*() {
      const json = fixture("list-pagination.page-2.response.json")
      const envelope = yield* Envelope.decode(json)
      const encoded = yield* Envelope.encode(envelope)
      assert.deepStrictEqual(encoded, json)
    }))

  it.effect("encodeItem wraps a value in its type name", () =>
    Effect.gen(function*() {
      const item = yield* Envelope.encodeItem("Id", Common.Id, new Common.Id({ id: 7 }))
      assert.deepStrictEqual(item, { Id: { id: 7 } })
      assert.strictEqual(yield* Envelope.createdId([item]), 7)
    }))
})

describe("ErrorBody", () => {
  it.effect("decodes every error fixture", () =>
    Effect.gen(function*() {
      const names = fixtureNames.filter((name) => name.startsWith("error-"))
      assert.strictEqual(names.length, 4)
      for (const name of names) {
        const json = fixture(name)
        const body = yield* ErrorBody.decode(json)
        assert.deepStrictEqual(
          ErrorBody.descriptions(body),
          json.Error.map((entry: { error_description: string }) => entry.error_description)
        )
      }
      const notFound = yield* ErrorBody.decode(fixture("error-not-found.404.response.json"))
      assert.strictEqual(notFound.Error[0]?.translated, "Rekening met id \"1\" is niet gevonden.")
      const denied = yield* ErrorBody.decode(fixture("error-device-server-access-denied.400.response.json"))
      assert.strictEqual(denied.Error[0]?.translated, undefined)
    }))

  it.effect("accepts null translations and extra fields, rejects other shapes", () =>
    Effect.gen(function*() {
      const body = yield* ErrorBody.decodeJson(
        "{\"Error\":[{\"error_description\":\"x\",\"error_description_translated\":null,\"code\":7}]}"
      )
      assert.deepStrictEqual(ErrorBody.descriptions(body), ["x"])
      const error = yield* failure(ErrorBody.decode({ Error: [{ error_description_translated: "y" }] }))
      assert.deepStrictEqual(error.issues[0]?.path, ["Error", 0, "error_description"])
      assert.strictEqual((yield* failure(ErrorBody.decodeJson("<html>"))).reason, "InvalidJson")
    }))
})

describe("Timestamp", () => {
  const decode = Schema.decodeUnknownSync(Common.Timestamp)
  const encode = Schema.encodeSync(Common.Timestamp)

  it("decodes to DateTime.Utc and encodes back to the same text", () => {
    const text = "2015-06-13 23:19:16.215235"
    const value = decode(text)
    assert.isTrue(DateTime.isUtc(value))
    assert.strictEqual(DateTime.toEpochMillis(value), Date.UTC(2015, 5, 13, 23, 19, 16, 215))
    assert.strictEqual(encode(value), text)
  })

  it("formats a DateTime built in code with microseconds", () => {
    const value = DateTime.unsafeMake(Date.UTC(2024, 0, 2, 3, 4, 5, 67))
    assert.strictEqual(encode(value), "2024-01-02 03:04:05.067000")
    assert.strictEqual(DateTime.toEpochMillis(decode(encode(value))), DateTime.toEpochMillis(value))
  })

  it("rejects impossible dates and other formats", () => {
    for (const text of ["2015-02-30 00:00:00.000000", "2015-06-13", "yesterday", "2015-06-13 24:00:00.000000", ""]) {
      assert.isTrue(Either.isLeft(Schema.decodeUnknownEither(Common.Timestamp)(text)), text)
    }
  })
})

describe("SchemaDecodeError helpers", () => {
  it("decodeUnknownEither names the target and the path", () => {
    const result = SchemaDecodeError.decodeUnknownEither(Common.Token, "the token")({ id: 1, token: "" })
    assert.isTrue(Either.isLeft(result))
    if (Either.isRight(result)) return
    assert.strictEqual(result.left.target, "the token")
    assert.deepStrictEqual(result.left.issues.map((issue) => issue.path), [["token"]])
    assert.isTrue(Either.isRight(SchemaDecodeError.decodeUnknownEither(Common.Id)({ id: 3 })))
  })

  it("prefixPath puts a prefix in front of every issue path", () => {
    const result = SchemaDecodeError.decodeUnknownEither(Common.Id)({ id: "x" })
    if (Either.isRight(result)) return assert.fail("expected a failure")
    const prefixed = SchemaDecodeError.prefixPath(result.left, ["Response", 0, "Id"])
    assert.deepStrictEqual(prefixed.issues[0]?.path, ["Response", 0, "Id", "id"])
    assert.include(prefixed.message, "[\"Response\"][0][\"Id\"][\"id\"] expected")
  })

  it.effect("encode fails with EncodeFailed for values bunq's format cannot hold", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        SchemaDecodeError.encode(Common.Timestamp, "Timestamp")(DateTime.unsafeMake(Date.UTC(12000, 0, 1)))
      )
      assert.strictEqual(error.reason, "EncodeFailed")
      assert.include(error.message, "Cannot encode Timestamp")
    }))
})
