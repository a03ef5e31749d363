import { Common, DeviceServer, Envelope, Installation, SessionServer, User } from "@effect-bunq/schema"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, FastCheck, Option, Redacted, Schema } from "effect"
import { fixture, fixtureText } from "./fixtures.js"

describe("request bodies encode to bunq's exact JSON and round-trip", () => {
  it.effect("installation", () =>
    Effect.gen(function*() {
      const json = fixture("installation-create.request.json")
      const request = yield* Schema.decodeUnknown(Installation.InstallationCreateRequest)(json)
      const encoded = yield* Installation.encodeCreateRequest(request)
      assert.deepStrictEqual(encoded, json)
      assert.strictEqual(JSON.stringify(encoded), JSON.stringify(json))
      const again = yield* Schema.decodeUnknown(Installation.InstallationCreateRequest)(encoded)
      assert.strictEqual(again.client_public_key, request.client_public_key)
    }))

  it.effect("device-server, with and without permitted_ips", () =>
    Effect.gen(function*() {
      const json = fixture("device-server-create.request.json")
      const request = yield* Schema.decodeUnknown(DeviceServer.DeviceServerCreateRequest)(json)
      assert.strictEqual(Redacted.value(request.secret), "<API_KEY>")
      const encoded = yield* DeviceServer.encodeCreateRequest(request)
      // same fields, same order: the body bytes are what gets signed
      assert.strictEqual(JSON.stringify(encoded), JSON.stringify(json))

      const built = new DeviceServer.DeviceServerCreateRequest({
        description: "effect-bunq test",
        secret: Redacted.make("sandbox_abc")
      })
      const plain = yield* DeviceServer.encodeCreateRequest(built)
      assert.strictEqual(JSON.stringify(plain), "{\"description\":\"effect-bunq test\",\"secret\":\"sandbox_abc\"}")
      const decoded = yield* Schema.decodeUnknown(DeviceServer.DeviceServerCreateRequest)(plain)
      assert.strictEqual(Redacted.value(decoded.secret), "sandbox_abc")
      assert.strictEqual(decoded.permitted_ips, undefined)

      const fromNull = yield* Schema.decodeUnknown(DeviceServer.DeviceServerCreateRequest)({
        description: "d",
        secret: "s",
        permitted_ips: null
      })
      assert.strictEqual(fromNull.permitted_ips, undefined)
    }))

  it.effect("session-server", () =>
    Effect.gen(function*() {
      const json = fixture("session-server-create.request.json")
      const request = yield* Schema.decodeUnknown(SessionServer.SessionServerCreateRequest)(json)
      const encoded = yield* SessionServer.encodeCreateRequest(request)
      assert.strictEqual(JSON.stringify(encoded), JSON.stringify(json))
      const built = new SessionServer.SessionServerCreateRequest({ secret: Redacted.make("k") })
      assert.deepStrictEqual(yield* SessionServer.encodeCreateRequest(built), { secret: "k" })
    }))

  it.prop(
    "device-server request bodies round-trip",
    [FastCheck.string(), FastCheck.string({ minLength: 1 }), FastCheck.option(FastCheck.array(FastCheck.string()))],
    ([description, secret, ips]) => {
      const request = new DeviceServer.DeviceServerCreateRequest({
        description,
        secret: Redacted.make(secret),
        ...(ips === null ? {} : { permitted_ips: ips })
      })
      const encoded = Schema.encodeSync(DeviceServer.DeviceServerCreateRequest)(request)
      assert.deepStrictEqual(encoded, { description, secret, ...(ips === null ? {} : { permitted_ips: ips }) })
      const decoded = Schema.decodeUnknownSync(DeviceServer.DeviceServerCreateRequest)(
        JSON.parse(JSON.stringify(encoded))
      )
      assert.strictEqual(decoded.description, description)
      assert.strictEqual(Redacted.value(decoded.secret), secret)
      assert.deepStrictEqual(decoded.permitted_ips, ips ?? undefined)
    }
  )
})

describe("Timestamp round-trips", () => {
  const two = (n: number) => String(n).padStart(2, "0")
  const timestampText = FastCheck.record({
    year: FastCheck.integer({ min: 0, max: 9999 }),
    month: FastCheck.integer({ min: 1, max: 12 }),
    day: FastCheck.integer({ min: 1, max: 28 }),
    hour: FastCheck.integer({ min: 0, max: 23 }),
    minute: FastCheck.integer({ min: 0, max: 59 }),
    second: FastCheck.integer({ min: 0, max: 59 }),
    micros: FastCheck.integer({ min: 0, max: 999_999 })
  }).map(({ day, hour, micros, minute, month, second, year }) =>
    `${String(year).padStart(4, "0")}-${two(month)}-${two(day)} ${two(hour)}:${two(minute)}:${two(second)}.${
      String(micros).padStart(6, "0")
    }`
  )

  it.prop("text → DateTime.Utc → the same text (microseconds kept)", [timestampText], ([text]) => {
    const value = Schema.decodeUnknownSync(Common.Timestamp)(text)
    assert.strictEqual(Schema.encodeSync(Common.Timestamp)(value), text)
    const millis = Date.parse(`${text.slice(0, 10)}T${text.slice(11, 23)}Z`)
    if (Number.isFinite(millis) && Number(text.slice(0, 4)) >= 1000) {
      assert.strictEqual(DateTime.toEpochMillis(value), millis)
    }
  })

  it.prop(
    "DateTime.Utc → text → the same instant",
    [FastCheck.date({
      min: new Date("0000-01-01T00:00:00Z"),
      max: new Date("9999-12-31T23:59:59.999Z"),
      noInvalidDate: true
    })],
    ([date]) => {
      const value = DateTime.unsafeMake(date.getTime())
      const text = Schema.encodeSync(Common.Timestamp)(value)
      assert.match(text, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}000$/)
      assert.strictEqual(DateTime.toEpochMillis(Schema.decodeUnknownSync(Common.Timestamp)(text)), date.getTime())
    }
  )

  it("formatTimestamp refuses years bunq's format cannot hold", () => {
    assert.isTrue(Option.isNone(Common.formatTimestamp(DateTime.unsafeMake(Date.UTC(10000, 0, 1)))))
    assert.deepStrictEqual(
      Common.formatTimestamp(DateTime.unsafeMake(Date.UTC(2020, 1, 29, 12))),
      Option.some("2020-02-29 12:00:00.000000")
    )
  })
})

describe("response objects round-trip (decode → encode gives bunq's JSON back)", () => {
  it.effect("DeviceServer objects re-encode to the fixture's objects", () =>
    Effect.gen(function*() {
      for (const name of ["device-server-read.response.json", "device-server-list.response.json"]) {
        const json = fixture(name)
        const devices = yield* DeviceServer.decodeListResponse(json.Response)
        const items = yield* Effect.forEach(devices, (d) =>
          Envelope.encodeItem("DeviceServer", DeviceServer.DeviceServer, d))
        assert.deepStrictEqual(items, json.Response)
      }
    }))

  it.effect("Installation.CreateResponse: items → Installation → items", () =>
    Effect.gen(function*() {
      const json = fixture("installation-create.response.json")
      const installation = yield* Installation.decodeCreateResponse(json.Response)
      const items = yield* Schema.encode(Installation.CreateResponse)(installation)
      assert.deepStrictEqual(items.map((item) => Object.keys(item)[0]), ["Id", "Token", "ServerPublicKey"])
      assert.deepStrictEqual(items.slice(0, 2), json.Response.slice(0, 2))
      const again = yield* Installation.decodeCreateResponse(items)
      assert.strictEqual(Redacted.value(again.token.token), Redacted.value(installation.token.token))
      assert.strictEqual(again.serverPublicKey, installation.serverPublicKey)
    }))

  it.effect("SessionServer.CreateResponse: items → SessionServer → items, for both user types", () =>
    Effect.gen(function*() {
      for (
        const name of [
          "session-server-create.user-company.response.json",
          "session-server-create.user-api-key.response.json"
        ]
      ) {
        const json = fixture(name)
        const session = yield* SessionServer.decodeCreateResponse(json.Response)
        const items = yield* Schema.encode(SessionServer.CreateResponse)(session)
        assert.deepStrictEqual(items.slice(0, 2), json.Response.slice(0, 2), name)
        const again = yield* SessionServer.decodeCreateResponse(items)
        assert.deepStrictEqual(
          yield* Schema.encode(SessionServer.CreateResponse)(again),
          items,
          name
        )
        assert.strictEqual(again.user._tag, session.user._tag)
      }
      // the OAuth user is re-encoded completely (all its fields are modelled)
      const apiKey = fixture("session-server-create.user-api-key.response.json")
      const session = yield* SessionServer.decodeCreateResponse(apiKey.Response)
      assert.deepStrictEqual((yield* Schema.encode(SessionServer.CreateResponse)(session))[2], apiKey.Response[2])
    }))

  it.effect("User items keep the modelled fields when re-encoded", () =>
    Effect.gen(function*() {
      const json = fixture("user-read.user-company.response.json")
      const user = yield* User.decodeReadResponse(json.Response)
      const item = (yield* Schema.encode(User.User)(user)) as any
      const raw = json.Response[0].UserCompany
      for (const key of ["id", "created", "updated", "display_name", "public_nick_name", "status", "session_timeout"]) {
        assert.deepStrictEqual(item.UserCompany[key], raw[key], key)
      }
      assert.deepStrictEqual(item.UserCompany.alias, raw.alias)
      assert.deepStrictEqual(item.UserCompany.notification_filters, raw.notification_filters)
    }))

  it("fixtures are the raw bytes that were copied", () => {
    // a guard against accidental reformatting of fixtures, which are byte-for-byte copies
    assert.include(fixtureText("device-server-list.response.json"), "\t\"Response\": [{")
  })
})
