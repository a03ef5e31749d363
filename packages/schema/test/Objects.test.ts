import { ApiKey, Common, DeviceServer, Envelope, Installation, SessionServer, User } from "@effect-bunq/schema"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Either, Option, Redacted, Schema } from "effect"
import { fixture } from "./fixtures.js"

const items = (name: string): Envelope.Items => fixture(name).Response

describe("Installation", () => {
  it.effect("decodes the create response as one value (id, token, server public key)", () =>
    Effect.gen(function*() {
      const json = fixture("installation-create.response.json")
      const installation = yield* Installation.decodeCreateResponse(json.Response)
      assert.strictEqual(installation.id, json.Response[0].Id.id)
      assert.strictEqual(installation.token.id, json.Response[1].Token.id)
      assert.strictEqual(Redacted.value(installation.token.token), json.Response[1].Token.token)
      assert.strictEqual(
        DateTime.formatIso(installation.token.created!),
        "2015-06-13T23:19:16.215Z"
      )
      // the same through a decoded envelope
      const viaEnvelope = yield* Installation.decodeCreateResponse(yield* Envelope.decode(json))
      assert.strictEqual(viaEnvelope.id, installation.id)
    }))

  it.effect("normalizes the double-escaped PEM of bunq's documentation example to real newlines", () =>
    Effect.gen(function*() {
      const raw: string = fixture("installation-create.response.json").Response[2].ServerPublicKey.server_public_key
      assert.include(raw, "\\n", "the fixture is double-escaped")
      assert.notInclude(raw, "\n")
      const installation = yield* Installation.decodeCreateResponse(items("installation-create.response.json"))
      const pem = installation.serverPublicKey
      assert.notInclude(pem, "\\n")
      assert.strictEqual(pem, raw.split("\\n").join("\n"))
      const lines = pem.split("\n")
      assert.strictEqual(lines[0], "-----BEGIN PUBLIC KEY-----")
      assert.strictEqual(lines.at(-1), "-----END PUBLIC KEY-----")
      // the example key is the same key as the (correctly escaped) request fixture's client key
      const request: string = fixture("installation-create.request.json").client_public_key
      assert.strictEqual(`${pem}\n`, request)
      // a DER SEQUENCE inside
      const der = Buffer.from(lines.slice(1, -1).join(""), "base64")
      assert.strictEqual(der[0], 0x30)
      // encoding writes the normalized PEM, never the escaped one
      const encoded = yield* Effect.orDie(Schema.encode(Installation.CreateResponse)(installation))
      assert.strictEqual((encoded[2] as any).ServerPublicKey.server_public_key, pem)
    }))

  it("rejects text that is not an SPKI public key PEM", () => {
    const decode = Schema.decodeUnknownEither(Common.PublicKeyPem)
    for (
      const text of [
        "",
        "not a key",
        "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
        "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----",
        "-----BEGIN PUBLIC KEY-----\nAA AA\n-----END PUBLIC KEY-----"
      ]
    ) {
      assert.isTrue(Either.isLeft(decode(text)), text)
    }
    assert.strictEqual(
      Either.getOrThrow(decode("-----BEGIN PUBLIC KEY-----\r\nQUJD\r\n-----END PUBLIC KEY-----\r\n")),
      "-----BEGIN PUBLIC KEY-----\nQUJD\n-----END PUBLIC KEY-----\n"
    )
  })

  it.effect("a missing token, key or id is a decode error", () =>
    Effect.gen(function*() {
      const full = items("installation-create.response.json")
      for (const typeName of ["Id", "Token", "ServerPublicKey"]) {
        const error = yield* Effect.flip(
          Installation.decodeCreateResponse(full.filter((item) => !(typeName in item)))
        )
        assert.strictEqual(error.reason, "MissingObject")
        assert.include(error.message, `"${typeName}"`)
      }
      const withoutToken = full.map((item) => "Token" in item ? { Token: { id: 1 } } : item)
      const error = yield* Effect.flip(Installation.decodeCreateResponse(withoutToken))
      assert.strictEqual(error.reason, "InvalidShape")
      assert.deepStrictEqual(error.issues.map((issue) => issue.path), [[1, "Token", "token"]])
      const emptyToken = full.map((item) => "Token" in item ? { Token: { id: 1, token: "" } } : item)
      assert.strictEqual((yield* Effect.flip(Installation.decodeCreateResponse(emptyToken))).reason, "InvalidShape")
    }))

  it.effect("decodes list, read and server-public-key responses", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* Installation.decodeListResponse(items("installation-list.response.json")), [28])
      assert.strictEqual(yield* Installation.decodeReadResponse(items("installation-read.response.json")), 12)
      const pem = yield* Installation.decodeServerPublicKeyResponse(
        items("installation-server-public-key-list.response.json")
      )
      assert.strictEqual(
        pem,
        fixture("installation-server-public-key-list.response.json").Response[0].ServerPublicKey.server_public_key
      )
    }))
})

describe("DeviceServer", () => {
  it.effect("decodes read, list and create responses", () =>
    Effect.gen(function*() {
      const device = yield* DeviceServer.decodeReadResponse(items("device-server-read.response.json"))
      assert.strictEqual(device.id, 2348)
      assert.strictEqual(device.ip, "10.8.0.51")
      assert.strictEqual(device.status, "ACTIVE")
      assert.strictEqual(device.description, "Generated device")
      assert.strictEqual(DateTime.toEpochMillis(device.created), Date.UTC(2017, 2, 15, 1, 11, 16, 865))
      const list = yield* DeviceServer.decodeListResponse(items("device-server-list.response.json"))
      assert.deepStrictEqual(list.map((d) => [d.id, d.description]), [[42, "Mainframe23 in Amsterdam"]])
      assert.strictEqual(yield* DeviceServer.decodeCreateResponse(items("device-server-create.response.json")), 35)
    }))

  it.effect("accepts a status bunq adds later, unknown fields and a null ip", () =>
    Effect.gen(function*() {
      const base = items("device-server-read.response.json")[0]!.DeviceServer as Record<string, unknown>
      const device = yield* DeviceServer.decodeReadResponse([{
        DeviceServer: { ...base, status: "SUSPENDED_FOR_REVIEW", ip: null, brand_new_field: { x: [1] } }
      }])
      assert.strictEqual(device.status, "SUSPENDED_FOR_REVIEW")
      assert.isFalse(DeviceServer.isKnownStatus(device.status))
      assert.isTrue(DeviceServer.isKnownStatus("NEEDS_CONFIRMATION"))
      assert.strictEqual(device.ip, undefined)
      assert.isFalse("brand_new_field" in device)
      const error = yield* Effect.flip(DeviceServer.decodeReadResponse([{ DeviceServer: { ...base, status: 3 } }]))
      assert.deepStrictEqual(error.issues[0]?.path, [0, "DeviceServer", "status"])
      assert.include(error.message, "DeviceServerStatus")
    }))
})

describe("SessionServer and User", () => {
  it.effect("decodes the UserCompany session", () =>
    Effect.gen(function*() {
      const json = fixture("session-server-create.user-company.response.json")
      const session = yield* SessionServer.decodeCreateResponse(json.Response)
      assert.strictEqual(session.id, 19)
      assert.strictEqual(Redacted.value(session.token.token), json.Response[1].Token.token)
      assert.strictEqual(session.token.created, undefined)
      const user = session.user
      assert.strictEqual(user._tag, "UserCompany")
      if (user._tag !== "UserCompany") return
      const raw = json.Response[2].UserCompany
      assert.strictEqual(user.id, raw.id)
      assert.strictEqual(user.name, raw.name)
      assert.strictEqual(user.display_name, raw.display_name)
      assert.strictEqual(user.public_nick_name, raw.public_nick_name)
      assert.strictEqual(user.status, raw.status)
      assert.strictEqual(user.sub_status, raw.sub_status)
      assert.strictEqual(user.chamber_of_commerce_number, raw.chamber_of_commerce_number)
      assert.deepStrictEqual(user.alias?.map((a) => [a.type, a.value]), [["EMAIL", "bravo@bunq.com"]])
      assert.strictEqual(user.address_main?.city, "Amsterdam")
      assert.strictEqual(user.director_alias?.display_name, "Mary")
      assert.strictEqual(user.avatar?.image?.[0]?.width, 520)
      assert.deepStrictEqual(SessionServer.sessionTimeout(session), Option.some(raw.session_timeout))
      assert.deepStrictEqual(User.displayName(user), Option.some("bunq"))
    }))

  it.effect("decodes the UserApiKey (OAuth) session and reads session_timeout from requested_by_user", () =>
    Effect.gen(function*() {
      const json = fixture("session-server-create.user-api-key.response.json")
      const session = yield* SessionServer.decodeCreateResponse(json.Response)
      assert.strictEqual(session.id, 44)
      const user = session.user
      assert.strictEqual(user._tag, "UserApiKey")
      if (user._tag !== "UserApiKey") return
      assert.strictEqual(user.id, 421)
      assert.strictEqual(user.requested_by_user.type, "UserPerson")
      assert.strictEqual(user.granted_by_user?.display_name, "Sandbox user")
      const expected = json.Response[2].UserApiKey.requested_by_user.UserPerson.session_timeout
      assert.deepStrictEqual(SessionServer.sessionTimeout(session), Option.some(expected))
      assert.deepStrictEqual(User.sessionTimeout(user), Option.some(expected))
    }))

  it.effect("session_timeout for UserPerson and UserPaymentServiceProvider", () =>
    Effect.gen(function*() {
      const person = yield* User.pickUser([{ UserPerson: { id: 7, session_timeout: 3600, first_name: "A" } }])
      assert.strictEqual(person._tag, "UserPerson")
      assert.deepStrictEqual(User.sessionTimeout(person), Option.some(3600))
      const psp = yield* User.pickUser([{ Id: { id: 1 } }, {
        UserPaymentServiceProvider: { id: 8, session_timeout: 60 }
      }])
      assert.strictEqual(psp._tag, "UserPaymentServiceProvider")
      assert.deepStrictEqual(User.sessionTimeout(psp), Option.some(60))
      const noTimeout = yield* User.pickUser([{ UserPerson: { id: 7, session_timeout: null } }])
      assert.isTrue(Option.isNone(User.sessionTimeout(noTimeout)))
    }))

  it.effect("decodes the user read and list responses", () =>
    Effect.gen(function*() {
      const user = yield* User.decodeReadResponse(items("user-read.user-company.response.json"))
      assert.strictEqual(user._tag, "UserCompany")
      assert.strictEqual(user.id, 1)
      assert.deepStrictEqual(User.sessionTimeout(user), Option.some(604800))
      const envelope = yield* Envelope.decode(fixture("user-list.response.json"))
      const users = yield* User.decodeListResponse(envelope)
      assert.deepStrictEqual(users.map((u) => [u._tag, u.id]), [["UserCompany", 1]])
      const pagination = Option.getOrThrow(envelope.Pagination)
      assert.deepStrictEqual(Option.map(pagination.future, (page) => page.path), Option.some("/user"))
      assert.isTrue(Option.isNone(pagination.older))
    }))

  it.effect("a session response without token or user fails on purpose", () =>
    Effect.gen(function*() {
      const full = items("session-server-create.user-company.response.json")
      const noUser = yield* Effect.flip(SessionServer.decodeCreateResponse(full.slice(0, 2)))
      assert.strictEqual(noUser.reason, "MissingObject")
      assert.include(noUser.message, "\"UserPerson\" or \"UserCompany\"")
      const noToken = yield* Effect.flip(SessionServer.decodeCreateResponse([full[0]!, full[2]!]))
      assert.include(noToken.message, "\"Token\"")
      const unknownUser = yield* Effect.flip(User.pickUser([{ UserRobot: { id: 1 } }]))
      assert.strictEqual(unknownUser.reason, "MissingObject")
    }))
})

describe("ApiKey", () => {
  it.effect("decodes the sandbox user response (ApiKey, not Id as the spec says)", () =>
    Effect.gen(function*() {
      const json = fixture("sandbox-user-person-create.response.json")
      const key = yield* ApiKey.decodeCreateResponse(json.Response)
      assert.strictEqual(Redacted.value(key.api_key), json.Response[0].ApiKey.api_key)
      const error = yield* Effect.flip(ApiKey.decodeCreateResponse([{ Id: { id: 1 } }]))
      assert.strictEqual(error.reason, "MissingObject")
      assert.strictEqual((yield* Effect.flip(ApiKey.decodeCreateResponse([{ ApiKey: {} }]))).reason, "InvalidShape")
    }))
})
