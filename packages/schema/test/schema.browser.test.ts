// The schemas are browser-safe: the same decoders run in Chromium (no node:* imports here or in src/).
import { Common, Envelope, Installation, SessionServer } from "@effect-bunq/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted, Schema } from "effect"

const installationBody = {
  Response: [
    { Id: { id: 53 } },
    { Token: { id: 134, created: "2015-06-13 23:19:16.215235", token: "browser-secret-token" } },
    { ServerPublicKey: { server_public_key: "-----BEGIN PUBLIC KEY-----\\nQUJD\\n-----END PUBLIC KEY-----" } }
  ]
}

describe("schema in the browser", () => {
  it.effect("decodes an installation response, hides the token, normalizes the PEM", () =>
    Effect.gen(function*() {
      const envelope = yield* Envelope.decodeJson(JSON.stringify(installationBody))
      const installation = yield* Installation.decodeCreateResponse(envelope)
      assert.strictEqual(installation.id, 53)
      assert.strictEqual(Redacted.value(installation.token.token), "browser-secret-token")
      assert.notInclude(JSON.stringify(installation), "browser-secret-token")
      assert.notInclude(String(installation), "browser-secret-token")
      assert.strictEqual(installation.serverPublicKey, "-----BEGIN PUBLIC KEY-----\nQUJD\n-----END PUBLIC KEY-----")
      assert.strictEqual(
        Schema.encodeSync(Common.Timestamp)(installation.token.created!),
        "2015-06-13 23:19:16.215235"
      )
    }))

  it.effect("decodes a session with an OAuth user", () =>
    Effect.gen(function*() {
      const session = yield* SessionServer.decodeCreateResponse([
        { Id: { id: 1 } },
        { Token: { id: 2, token: "t" } },
        { UserApiKey: { id: 3, requested_by_user: { UserPerson: { session_timeout: 300 } } } }
      ])
      assert.deepStrictEqual(SessionServer.sessionTimeout(session), Option.some(300))
      const error = yield* Effect.flip(SessionServer.decodeCreateResponse([{ Id: { id: 1 } }]))
      assert.strictEqual(error.reason, "MissingObject")
    }))
})
