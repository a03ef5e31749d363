/**
 * Every bunq payload in `test/fixtures/` (see `test/fixtures/SOURCE.md`) decodes with the generated programs: the
 * recording bunq answers the fixture's bytes, signed, and the program decodes them.
 */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect, Option, Redacted, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Amount from "../src/Amount.js"
import * as Api from "../src/index.js"
import * as Schemas from "../src/Schemas.js"
import { makeHarness } from "./utils/recording.js"

const fixture = (name: string): string => fs.readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8")
const json = (name: string): any => JSON.parse(fixture(name))

/** Fixture → the program that answers it, and what to check on the decoded value. */
const responses: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, any>, (value: any) => void]> = [
  ["monetary-account.get.response.json", Api.MonetaryAccount.get({ id: 42 }), (account) => {
    assert.strictEqual(account._tag, "MonetaryAccountBank")
    assert.strictEqual(account.value.id, 42)
    assert.deepStrictEqual(account.value.daily_limit, { value: "12.50", currency: "EUR" })
  }],
  ["monetary-account.list.response.json", Api.MonetaryAccount.listPage(), (page) => {
    assert.isAbove(page.items.length, 0)
    assert.strictEqual(page.items[0]._tag, "MonetaryAccountBank")
    assert.deepStrictEqual(page.olderId, Option.none())
  }],
  ["monetary-account-banks.list.response.json", Api.MonetaryAccountBank.listPage(), (page) => {
    assert.strictEqual(page.items[0].description, "Mary's savings")
  }],
  ["monetary-account-bank.put.response.json", Api.MonetaryAccountBank.update({ id: 42, body: {} }), (id) => {
    assert.isNumber(id)
  }],
  ["payments.list.response.json", Api.Payment.listPage({ monetaryAccountId: 11 }), (page) => {
    const payment = page.items[0]
    assert.strictEqual(payment.id, 42)
    assert.strictEqual(payment.amount.value, "12.50")
    assert.isTrue(
      BigDecimal.equals(
        Amount.toBigDecimal(payment.amount).pipe(Option.getOrThrow),
        BigDecimal.unsafeFromString("12.5")
      )
    )
    assert.strictEqual(payment.alias.iban, "NL12BUNQ0300065264")
  }],
  ["payments-page-1.list.response.json", Api.Payment.listPage({ monetaryAccountId: 2, count: 1 }), (page) => {
    assert.strictEqual(page.items.length, 1)
    assert.deepStrictEqual(page.olderId, Option.some(42))
  }],
  [
    "payments-page-2.list.response.json",
    Api.Payment.listPage({ monetaryAccountId: 2, count: 1, olderId: 42 }),
    (page) => {
      assert.strictEqual(page.items.length, 1)
    }
  ],
  ["list-pagination.page-1.response.json", Api.Payment.listPage({ monetaryAccountId: 2 }), (page) => {
    assert.isAbove(page.items.length, 0)
  }],
  ["list-pagination.page-2.response.json", Api.Payment.listPage({ monetaryAccountId: 2 }), (page) => {
    assert.isAbove(page.items.length, 0)
  }],
  ["list-pagination.page-3.response.json", Api.Payment.listPage({ monetaryAccountId: 2 }), (page) => {
    assert.isAbove(page.items.length, 0)
  }],
  ["list-empty.response.json", Api.Payment.listPage({ monetaryAccountId: 2 }), (page) => {
    assert.deepStrictEqual(page.items, [])
  }],
  ["bunqme-tab.get.response.json", Api.BunqMeTab.get({ monetaryAccountId: 1, id: 10 }), (tab) => {
    assert.strictEqual(tab.id, 10)
    assert.strictEqual(tab.bunqme_tab_entry.description, "string")
  }],
  ["bunqme-tabs.list.response.json", Api.BunqMeTab.listPage({ monetaryAccountId: 1 }), (page) => {
    assert.isAbove(page.items.length, 0)
  }],
  [
    "bunqme-tabs.post.response.json",
    Api.BunqMeTab.create({ monetaryAccountId: 1, body: { bunqme_tab_entry: {} } }),
    (id) => {
      assert.isNumber(id)
    }
  ],
  [
    "attachment.get.response.json",
    Api.AttachmentPublic.get({ id: "2c7935a6-1e58-4daf-8cdb-41874e9f1a71" }),
    (attachment) => {
      assert.strictEqual(attachment.attachment.content_type, "image/jpeg")
    }
  ],
  ["avatar.get.response.json", Api.Avatar.get({ id: "2c7935a6-1e58-4daf-8cdb-41874e9f1a71" }), (avatar) => {
    assert.strictEqual(avatar.uuid, "2c7935a6-1e58-4daf-8cdb-41874e9f1a71")
    assert.strictEqual(avatar.image[0].height, 640)
  }],
  [
    "attachment-publics.post.response.json",
    Api.AttachmentPublic.upload({ body: new Uint8Array([1]), contentType: "image/png", description: "x" }),
    (uuid) => {
      assert.strictEqual(uuid, "2c7935a6-1e58-4daf-8cdb-41874e9f1a71")
    }
  ],
  [
    "attachments.post.response.json",
    Api.Attachment.upload({
      monetaryAccountId: 1,
      body: new Uint8Array([1]),
      contentType: "image/png",
      description: "x"
    }),
    (uuid) => {
      assert.strictEqual(uuid, "2c7935a6-1e58-4daf-8cdb-41874e9f1a72")
    }
  ],
  ["avatars.post.response.json", Api.Avatar.create({ body: {} }), (uuid) => {
    assert.strictEqual(uuid, "2c7935a6-1e58-4daf-8cdb-41874e9f1a71")
  }],
  ["create-id.response.json", Api.Payment.create({ monetaryAccountId: 1, body: {} }), (id) => {
    assert.strictEqual(id, 1561)
  }],
  ["user-company.put.response.json", Api.UserCompany.update({ id: 1, body: {} }), (id) => {
    assert.isNumber(id)
  }],
  ["user-list.response.json", Api.User.listPage(), (page) => {
    assert.strictEqual(page.items[0]._tag, "UserCompany")
    assert.strictEqual(page.items[0].value.id, 1)
  }],
  ["user-read.user-company.response.json", Api.User.get({ id: 1 }), (user) => {
    assert.strictEqual(user._tag, "UserCompany")
    assert.isAbove(user.value.notification_filters.length, 0)
  }],
  ["device-server-list.response.json", Api.DeviceServer.listPage(), (page) => {
    assert.strictEqual(page.items[0].description, "Mainframe23 in Amsterdam")
  }],
  ["device-server-read.response.json", Api.DeviceServer.get({ id: 1 }), (device) => {
    assert.strictEqual(device.ip, "10.8.0.51")
  }],
  ["installation-list.response.json", Api.Installation.listPage(), (page) => {
    assert.isAbove(page.items.length, 0)
  }],
  ["installation-read.response.json", Api.Installation.get({ id: 12 }), (installation) => {
    assert.isObject(installation)
  }],
  [
    "installation-server-public-key-list.response.json",
    Api.ServerPublicKey.listPage({ installationId: 12 }),
    (page) => {
      assert.include(page.items[0].server_public_key, "BEGIN PUBLIC KEY")
    }
  ]
]

describe("bunq's payloads decode with the generated programs", () => {
  it.effect(`${responses.length} responses`, () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      yield* Effect.gen(function*() {
        for (const [name, program, check] of responses) {
          harness.answer(() => ({ body: fixture(name) }))
          const value = yield* Effect.orDieWith(program, (error) => new Error(`${name}: ${String(error)}`))
          check(value)
        }
      }).pipe(Effect.provide(harness.context))
      harness.answer(() => ({ body: fixture("sandbox-user-person-create.response.json") }))
      const key = yield* Effect.provide(Api.SandboxUserPerson.create(), harness.client)
      assert.match(Redacted.value(key), /^sandbox_/)
    }), { timeout: 60_000 })

  it.effect("bunq's error bodies become ApiError with bunq's descriptions; the doc's Pagination object gives the cursors", () =>
    Effect.gen(function*() {
      const harness = yield* makeHarness
      yield* Effect.gen(function*() {
        for (
          const [name, status, description] of [
            ["error-not-found.404.response.json", 404, "Monetary account for id \"1\" not found."],
            ["error-device-server-access-denied.400.response.json", 400, "access denied"],
            ["error-generic.response.json", 400, "Error description"]
          ] as const
        ) {
          harness.answer(() => ({ status, body: fixture(name) }))
          const error = yield* Effect.flip(Api.MonetaryAccount.get({ id: 1 }))
          assert.strictEqual(error._tag, "ApiError", name)
          if (error._tag === "ApiError") {
            assert.strictEqual(error.status, status, name)
            assert.strictEqual(error.descriptions[0]?.description, description, name)
          }
        }
        harness.answer(() => ({
          body: JSON.stringify({ Response: [], ...json("pagination-object.doc-example.json") })
        }))
        const page = yield* Api.Payment.listPage({ monetaryAccountId: 1, count: 25 })
        assert.deepStrictEqual(page.olderId, Option.some(224))
        assert.deepStrictEqual(page.newerId, Option.some(249))
        assert.deepStrictEqual(page.futureId, Option.none())
      }).pipe(Effect.provide(harness.context))
    }))

  it.effect("the registration answers decode with their spec objects (the programs are device-server's)", () =>
    Effect.gen(function*() {
      for (
        const name of [
          "installation-create.response.json",
          "session-server-create.user-company.response.json",
          "session-server-create.user-api-key.response.json",
          "device-server-create.response.json"
        ]
      ) {
        // a registration answer is a bag of items: Id, Token, ServerPublicKey / UserCompany / UserApiKey
        const bag = Object.assign({}, ...json(name).Response)
        const schema: Schema.Schema<object, Api.OneOf.JsonObject> = name.startsWith("installation")
          ? Schemas.InstallationCreate
          : name.startsWith("session")
          ? Schemas.SessionServerCreate
          : Schemas.DeviceServerCreate
        const decoded = yield* Schema.decodeUnknown(schema)(bag)
        assert.isObject(decoded)
      }
      const session = yield* Schema.decodeUnknown(Schemas.SessionServerCreate)(
        Object.assign({}, ...json("session-server-create.user-company.response.json").Response)
      )
      assert.isString(session.UserCompany?.display_name)
    }))

  it.effect("request bodies from bunq's examples round-trip through the body schemas", () =>
    Effect.gen(function*() {
      for (
        const [name, schema] of [
          ["device-server-create.request.json", Schemas.DeviceServerBody],
          ["installation-create.request.json", Schemas.InstallationBody],
          ["session-server-create.request.json", Schemas.SessionServerBody]
        ] as const
      ) {
        const input = json(name)
        const decoded = yield* Schema.decodeUnknown(schema as Schema.Schema<any, any>)(input)
        const encoded = yield* Schema.encode(schema as Schema.Schema<any, any>)(decoded)
        assert.deepStrictEqual(encoded, input, name)
      }
    }))
})
