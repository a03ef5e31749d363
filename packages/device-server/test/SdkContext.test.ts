import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { assert, describe, it, layer } from "@effect/vitest"
import { DateTime, Effect, Layer, Option, Redacted } from "effect"
import * as NodeCrypto from "node:crypto"
import * as ContextStore from "../src/ContextStore.js"
import * as SdkContext from "../src/SdkContext.js"
import testKeys from "./fixtures/test-keys.json" with { type: "json" }

const apiKey = "sandbox_0123456789abcdef0123456789abcdef0123456789abcdef0123"

/** A `bunq.conf` as the official SDKs write it, built from the documented fields. */
const sdkFile = (overrides?: {
  readonly privateKey?: string
  readonly publicKeyClient?: string | null
  readonly environment?: string
  readonly session?: unknown
}) =>
  JSON.stringify({
    api_key: apiKey,
    environment_type: overrides?.environment ?? "SANDBOX",
    installation_context: {
      token: "installation-token-from-sdk",
      private_key_client: overrides?.privateKey ?? testKeys.keys.client_private_key_pem_pkcs1,
      public_key_client: overrides?.publicKeyClient === undefined
        ? testKeys.keys.client_public_key_pem_spki
        : overrides.publicKeyClient,
      public_key_server: testKeys.keys.server_public_key_pem_spki
    },
    session_context: overrides?.session === undefined
      ? { token: "session-token-from-sdk", expiry_time: "2030-05-01 12:34:56.789012", user_id: 1234 }
      : overrides.session,
    proxy_url: null
  })

layer(Layer.merge(WebCryptoSigner.layer, ContextStore.layerMemory))("SdkContext", (it) => {
  describe("SdkContext.decode", () => {
    it.effect("reads a bunq.conf written by the SDKs (PKCS#1 key, naive expiry time)", () =>
      Effect.gen(function*() {
        const imported = yield* SdkContext.decode(sdkFile())
        assert.strictEqual(Redacted.value(imported.apiKey), apiKey)
        const context = imported.context
        assert.strictEqual(context.version, 1)
        assert.strictEqual(context.environment, BunqConfig.baseUrls.sandbox)
        assert.strictEqual(context.apiKeyFingerprint, yield* ContextStore.fingerprint(Redacted.make(apiKey)))
        assert.strictEqual(Redacted.value(context.installation.token), "installation-token-from-sdk")
        assert.strictEqual(context.installation.serverPublicKey, testKeys.keys.server_public_key_pem_spki)
        assert.isTrue(Option.isNone(context.installation.id))
        assert.isTrue(Option.isNone(context.deviceId))
        assert.strictEqual(context.keyPair.publicKeyPem, testKeys.keys.client_public_key_pem_spki)
        const session = Option.getOrThrow(context.session)
        assert.strictEqual(Redacted.value(session.token), "session-token-from-sdk")
        assert.strictEqual(session.userId, 1234)
        assert.isTrue(Option.isNone(session.id))
        assert.strictEqual(DateTime.formatIso(session.expiresAt), "2030-05-01T12:34:56.789Z")
        // The imported key signs, and the SDK's public key verifies it.
        const signer = yield* Signer.Signer
        const data = new TextEncoder().encode("{}")
        const signature = yield* signer.sign(context.keyPair.privateKey, data)
        yield* signer.verify(testKeys.keys.client_public_key_pem_spki, data, signature)
      }))

    it.effect("production environment, custom base URL, and no session", () =>
      Effect.gen(function*() {
        const production = yield* SdkContext.decode(sdkFile({ environment: "PRODUCTION", session: null }))
        assert.strictEqual(production.context.environment, BunqConfig.baseUrls.production)
        assert.isTrue(Option.isNone(production.context.session))
        const custom = yield* SdkContext.decode(sdkFile(), { baseUrl: "http://127.0.0.1:8080/v1" })
        assert.strictEqual(custom.context.environment, "http://127.0.0.1:8080/v1")
      }))

    it.effect("drops a session without user id or with an unreadable expiry time", () =>
      Effect.gen(function*() {
        const noUser = yield* SdkContext.decode(
          sdkFile({ session: { token: "t", expiry_time: "2030-01-01 00:00:00" } })
        )
        assert.isTrue(Option.isNone(noUser.context.session))
        const badTime = yield* SdkContext.decode(
          sdkFile({ session: { token: "t", expiry_time: "next tuesday", user_id: 1 } })
        )
        assert.isTrue(Option.isNone(badTime.context.session))
      }))

    it.effect("public_key_client is compared by the key, not the text: the same key as PKCS#1 PEM is accepted", () =>
      Effect.gen(function*() {
        const pkcs1 = NodeCrypto.createPublicKey(testKeys.keys.client_public_key_pem_spki)
          .export({ type: "pkcs1", format: "pem" })
          .toString()
        assert.include(pkcs1, "BEGIN RSA PUBLIC KEY")
        const imported = yield* SdkContext.decode(sdkFile({ publicKeyClient: pkcs1 }))
        assert.strictEqual(Redacted.value(imported.context.installation.token), "installation-token-from-sdk")
      }))

    it.effect("typed errors: not JSON, wrong shape, bad key, mismatched public key", () =>
      Effect.gen(function*() {
        assert.strictEqual((yield* Effect.flip(SdkContext.decode("{"))).reason, "InvalidJson")
        const shape = yield* Effect.flip(SdkContext.decode(JSON.stringify({ api_key: apiKey })))
        assert.strictEqual(shape.reason, "InvalidShape")
        assert.include(shape.message, "installation_context")
        const badEnvironment = yield* Effect.flip(SdkContext.decode(sdkFile({ environment: "STAGING" })))
        assert.strictEqual(badEnvironment.reason, "InvalidShape")
        const badKey = yield* Effect.flip(SdkContext.decode(sdkFile({ privateKey: "-----BEGIN RSA PRIVATE KEY-----" })))
        assert.strictEqual(badKey.reason, "InvalidKey")
        const mismatch = yield* Effect.flip(
          SdkContext.decode(sdkFile({ publicKeyClient: testKeys.keys.server_public_key_pem_spki }))
        )
        assert.strictEqual(mismatch.reason, "InvalidKey")
        assert.include(mismatch.message, "is not the public key of private_key_client")
        const notAKey = yield* Effect.flip(
          SdkContext.decode(sdkFile({ publicKeyClient: "-----BEGIN PUBLIC KEY-----" }))
        )
        assert.strictEqual(notAKey.reason, "InvalidKey")
        assert.include(notAKey.message, "public_key_client does not decode")
        for (const error of [shape, badKey, mismatch, notAKey]) {
          assert.notInclude(error.message, apiKey)
          assert.notInclude(error.message, "installation-token-from-sdk")
        }
      }))
  })

  it.effect("a malformed bunq.conf: the error names paths and expected types, never a secret from the file", () =>
    Effect.gen(function*() {
      const privateKey = testKeys.keys.client_private_key_pem_pkcs1
      const secrets = [apiKey, "installation-secret-token", "session-secret-token", privateKey, "MII"]
      const files = [
        // Every secret in a field of the wrong type, so a value-printing formatter would print each one.
        {
          api_key: [apiKey],
          environment_type: "SANDBOX",
          installation_context: {
            token: { value: "installation-secret-token" },
            private_key_client: [privateKey],
            public_key_server: 1
          },
          session_context: { token: ["session-secret-token"], expiry_time: 5, user_id: "x" }
        },
        // A bad environment next to valid secrets.
        JSON.parse(sdkFile({ environment: "STAGING" })),
        // The whole installation context as the wrong type.
        {
          api_key: apiKey,
          environment_type: "SANDBOX",
          installation_context: [privateKey, "installation-secret-token"]
        }
      ]
      for (const file of files) {
        const error = yield* Effect.flip(SdkContext.decode(JSON.stringify(file)))
        assert.strictEqual(error.reason, "InvalidShape")
        for (const text of [error.message, String(error), JSON.stringify(error)]) {
          for (const secret of [...secrets, "installation-token-from-sdk", "session-token-from-sdk"]) {
            assert.notInclude(text, secret.slice(0, 40))
          }
        }
      }
      const first = yield* Effect.flip(SdkContext.decode(JSON.stringify(files[0])))
      assert.include(first.message, "api_key")
      assert.include(first.message, "private_key_client")
    }))

  describe("SdkContext.encode", () => {
    it.effect("round trip: decode, encode, decode gives the same context", () =>
      Effect.gen(function*() {
        const first = yield* SdkContext.decode(sdkFile())
        const text = yield* SdkContext.encode(first.context, first.apiKey)
        const json = JSON.parse(text)
        assert.strictEqual(json.api_key, apiKey)
        assert.strictEqual(json.environment_type, "SANDBOX")
        assert.strictEqual(json.installation_context.token, "installation-token-from-sdk")
        assert.match(json.installation_context.private_key_client, /^-----BEGIN PRIVATE KEY-----\n/)
        assert.strictEqual(json.installation_context.public_key_client, testKeys.keys.client_public_key_pem_spki)
        assert.strictEqual(json.installation_context.public_key_server, testKeys.keys.server_public_key_pem_spki)
        assert.deepStrictEqual(json.session_context, {
          token: "session-token-from-sdk",
          // DateTime keeps milliseconds: the microseconds beyond them are written as zeros.
          expiry_time: "2030-05-01 12:34:56.789000",
          user_id: 1234
        })
        const second = yield* SdkContext.decode(text)
        assert.strictEqual(second.context.apiKeyFingerprint, first.context.apiKeyFingerprint)
        assert.strictEqual(second.context.keyPair.publicKeyPem, first.context.keyPair.publicKeyPem)
        assert.deepStrictEqual(
          Option.map(second.context.session, (s) => DateTime.toEpochMillis(s.expiresAt)),
          Option.map(first.context.session, (s) => DateTime.toEpochMillis(s.expiresAt))
        )
      }))

    it.effect("refuses another API key, a custom base URL without environmentType, a non-extractable key", () =>
      Effect.gen(function*() {
        const imported = yield* SdkContext.decode(sdkFile(), { baseUrl: "http://127.0.0.1:9/v1" })
        const foreign = yield* Effect.flip(SdkContext.encode(imported.context, Redacted.make("another key")))
        assert.strictEqual(foreign.reason, "Foreign")
        const unknown = yield* Effect.flip(SdkContext.encode(imported.context, imported.apiKey))
        assert.strictEqual(unknown.reason, "UnknownEnvironment")
        const explicit = yield* SdkContext.encode(imported.context, imported.apiKey, { environmentType: "PRODUCTION" })
        assert.strictEqual(JSON.parse(explicit).environment_type, "PRODUCTION")
        const signer = yield* Signer.Signer
        const keyPair = yield* signer.generateKeyPair({ extractable: false })
        const locked = yield* Effect.flip(
          SdkContext.encode({ ...imported.context, keyPair }, imported.apiKey, { environmentType: "SANDBOX" })
        )
        assert.strictEqual(locked.reason, "KeyNotExportable")
      }))
  })

  describe("SdkContext.importToStore", () => {
    it.effect("saves the imported context under the store key and returns the API key", () =>
      Effect.gen(function*() {
        const key = yield* SdkContext.importToStore(sdkFile(), { storeKey: "imported" })
        assert.strictEqual(Redacted.value(key), apiKey)
        const store = yield* ContextStore.ContextStore
        const saved = Option.getOrThrow(yield* store.load("imported"))
        assert.strictEqual(saved.keyPair.publicKeyPem, testKeys.keys.client_public_key_pem_spki)
      }))
  })
})

describe("SdkContext.parseExpiryTime", () => {
  it("reads the SDK format and ISO forms, and rejects impossible dates", () => {
    const read = (text: string) => Option.map(SdkContext.parseExpiryTime(text), DateTime.formatIso)
    assert.deepStrictEqual(read("2025-02-03 04:05:06.123456"), Option.some("2025-02-03T04:05:06.123Z"))
    assert.deepStrictEqual(read("2025-02-03 04:05:06"), Option.some("2025-02-03T04:05:06.000Z"))
    assert.deepStrictEqual(read("2025-02-03T04:05:06.5+02:00"), Option.some("2025-02-03T02:05:06.500Z"))
    assert.isTrue(Option.isNone(SdkContext.parseExpiryTime("2025-02-30 00:00:00")))
    assert.isTrue(Option.isNone(SdkContext.parseExpiryTime("2025-02-03")))
  })
})
