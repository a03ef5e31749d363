import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import { Cause, DateTime, Effect, Either, Exit, Layer, Option, Redacted, Schema } from "effect"
import { createHash } from "node:crypto"
import * as ContextDocument from "../src/ContextDocument.js"
import * as ContextStore from "../src/ContextStore.js"

const makeContext = (options?: { readonly extractable?: boolean }) =>
  Effect.gen(function*() {
    const signer = yield* Signer.Signer
    const keyPair = yield* signer.generateKeyPair({ extractable: options?.extractable ?? true })
    const server = yield* signer.generateKeyPair()
    const context: ContextStore.SavedContext = {
      version: 1,
      environment: "http://127.0.0.1:1/v1",
      apiKeyFingerprint: yield* ContextStore.fingerprint(Redacted.make("sandbox_key_1")),
      keyPair,
      installation: {
        id: Option.some(11),
        token: Redacted.make("installation-token"),
        serverPublicKey: server.publicKeyPem
      },
      deviceId: Option.some(22),
      session: Option.some({
        id: Option.some(33),
        token: Redacted.make("session-token"),
        expiresAt: DateTime.unsafeMake("2030-01-02T03:04:05.678Z"),
        userId: 44
      })
    }
    return context
  })

const assertSameContext = (actual: ContextStore.SavedContext, expected: ContextStore.SavedContext) => {
  assert.strictEqual(actual.version, expected.version)
  assert.strictEqual(actual.environment, expected.environment)
  assert.strictEqual(actual.apiKeyFingerprint, expected.apiKeyFingerprint)
  assert.strictEqual(actual.keyPair.publicKeyPem, expected.keyPair.publicKeyPem)
  assert.deepStrictEqual(actual.installation.id, expected.installation.id)
  assert.strictEqual(Redacted.value(actual.installation.token), Redacted.value(expected.installation.token))
  assert.strictEqual(actual.installation.serverPublicKey, expected.installation.serverPublicKey)
  assert.deepStrictEqual(actual.deviceId, expected.deviceId)
  assert.strictEqual(Option.isSome(actual.session), Option.isSome(expected.session))
  if (Option.isSome(actual.session) && Option.isSome(expected.session)) {
    assert.deepStrictEqual(actual.session.value.id, expected.session.value.id)
    assert.strictEqual(Redacted.value(actual.session.value.token), Redacted.value(expected.session.value.token))
    assert.strictEqual(
      DateTime.toEpochMillis(actual.session.value.expiresAt),
      DateTime.toEpochMillis(expected.session.value.expiresAt)
    )
    assert.strictEqual(actual.session.value.userId, expected.session.value.userId)
  }
}

/** The restored private key is the saved one: it signs, and the saved public key verifies. */
const assertKeyWorks = (context: ContextStore.SavedContext) =>
  Effect.gen(function*() {
    const signer = yield* Signer.Signer
    const data = new TextEncoder().encode("{\"probe\":true}")
    const signature = yield* signer.sign(context.keyPair.privateKey, data)
    yield* signer.verify(context.keyPair.publicKeyPem, data, signature)
  })

const KvStore = ContextStore.layerKeyValueStore().pipe(
  Layer.provideMerge(KeyValueStore.layerMemory),
  Layer.provideMerge(WebCryptoSigner.layer)
)

describe("fingerprint", () => {
  it.effect.prop("is sha256: + hex SHA-256 of the UTF-8 key", [Schema.String], ([key]) =>
    Effect.gen(function*() {
      const expected = createHash("sha256").update(key, "utf8").digest("hex")
      assert.strictEqual(yield* ContextStore.fingerprint(Redacted.make(key)), `sha256:${expected}`)
    }))

  it.effect("hashes inputs that span several SHA-256 blocks", () =>
    Effect.gen(function*() {
      for (const length of [55, 56, 63, 64, 65, 119, 120, 1000]) {
        const key = "k".repeat(length)
        const expected = createHash("sha256").update(key).digest("hex")
        assert.strictEqual(yield* ContextStore.fingerprint(Redacted.make(key)), `sha256:${expected}`)
      }
    }))

  it.effect("without WebCrypto (a page served over plain http): SignerError CryptoFailure, not a defect", () =>
    Effect.gen(function*() {
      const descriptor = Object.getOwnPropertyDescriptor(globalThis, "crypto")!
      Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true })
      const exit = yield* Effect.exit(ContextStore.fingerprint(Redacted.make("sandbox_secret_key")))
      Object.defineProperty(globalThis, "crypto", descriptor)
      assert.isTrue(Exit.isFailure(exit) && Cause.isFailType(exit.cause), "a typed failure")
      const error = Cause.failureOption((exit as Exit.Failure<string, Signer.SignerError>).cause).pipe(
        Option.getOrThrow
      )
      assert.strictEqual(error.reason, "CryptoFailure")
      assert.strictEqual(error.operation, "digest")
      assert.include(error.message, "secure contexts")
      assert.notInclude(error.message, "sandbox_secret_key")
    }))
})

describe("ContextStore.layerKeyValueStore", () => {
  it.effect("saves and loads a context, key pair included", () =>
    Effect.gen(function*() {
      const context = yield* makeContext()
      const store = yield* ContextStore.ContextStore
      assert.isTrue(Option.isNone(yield* store.load("default")))
      yield* store.save("default", context)
      const loaded = yield* store.load("default")
      assert.isTrue(Option.isSome(loaded))
      assertSameContext(Option.getOrThrow(loaded), context)
      yield* assertKeyWorks(Option.getOrThrow(loaded))
      // Another key is another context.
      assert.isTrue(Option.isNone(yield* store.load("other")))
      yield* store.remove("default")
      assert.isTrue(Option.isNone(yield* store.load("default")))
    }).pipe(Effect.provide(KvStore)))

  it.effect("writes a versioned JSON document with the private key as PKCS#8 PEM under the prefix", () =>
    Effect.gen(function*() {
      const context = yield* makeContext()
      const store = yield* ContextStore.ContextStore
      yield* store.save("main", context)
      const kv = yield* KeyValueStore.KeyValueStore
      const text = Option.getOrThrow(yield* kv.get("effect-bunq/context/main"))
      const json = JSON.parse(text)
      assert.strictEqual(json.version, 1)
      assert.match(json.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/)
      assert.strictEqual(json.installation.id, 11)
      assert.strictEqual(json.session.expiresAt, "2030-01-02T03:04:05.678Z")
      assert.notInclude(text, "sandbox_key_1")
    }).pipe(Effect.provide(KvStore)))

  it.effect("a corrupt entry is a typed Corrupt error and is left untouched", () =>
    Effect.gen(function*() {
      const kv = yield* KeyValueStore.KeyValueStore
      const store = yield* ContextStore.ContextStore
      for (const garbage of ["not json {", "[]", "{\"version\":1}", "{\"version\":\"1\"}", "null"]) {
        yield* kv.set("effect-bunq/context/default", garbage)
        const error = yield* Effect.flip(store.load("default"))
        assert.strictEqual(error._tag, "ContextStoreError")
        assert.strictEqual(error.reason, "Corrupt")
        assert.strictEqual(error.key, "default")
        assert.strictEqual(Option.getOrThrow(yield* kv.get("effect-bunq/context/default")), garbage)
      }
    }).pipe(Effect.provide(KvStore)))

  it.effect("a private key that does not match the public key is Corrupt", () =>
    Effect.gen(function*() {
      const context = yield* makeContext()
      const other = yield* makeContext()
      const document = yield* ContextDocument.encodeDocument("default", context)
      const otherDocument = yield* ContextDocument.encodeDocument("default", other)
      const mixed = { ...document, privateKeyPem: otherDocument.privateKeyPem }
      const error = yield* Effect.flip(ContextDocument.decodeDocument("default", mixed))
      assert.strictEqual(error.reason, "Corrupt")
      const broken = { ...document, privateKeyPem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" }
      assert.strictEqual((yield* Effect.flip(ContextDocument.decodeDocument("default", broken))).reason, "Corrupt")
    }).pipe(Effect.provide(WebCryptoSigner.layer)))

  it.effect("a newer version is UnsupportedVersion", () =>
    Effect.gen(function*() {
      const kv = yield* KeyValueStore.KeyValueStore
      const store = yield* ContextStore.ContextStore
      yield* kv.set("effect-bunq/context/default", JSON.stringify({ version: 2, anything: true }))
      const error = yield* Effect.flip(store.load("default"))
      assert.strictEqual(error.reason, "UnsupportedVersion")
      assert.include(error.message, "version 2")
    }).pipe(Effect.provide(KvStore)))

  it.effect("saving a non-extractable key is KeyNotExportable", () =>
    Effect.gen(function*() {
      const context = yield* makeContext({ extractable: false })
      const store = yield* ContextStore.ContextStore
      const error = yield* Effect.flip(store.save("default", context))
      assert.strictEqual(error.reason, "KeyNotExportable")
      const kv = yield* KeyValueStore.KeyValueStore
      assert.isTrue(Option.isNone(yield* kv.get("effect-bunq/context/default")))
    }).pipe(Effect.provide(KvStore)))

  it.effect("errors never carry secrets", () =>
    Effect.gen(function*() {
      const context = yield* makeContext()
      const document = yield* ContextDocument.encodeDocument("default", context)
      const bad = { ...document, deviceId: "not a number" }
      const error = yield* Effect.flip(ContextDocument.decodeDocument("default", bad))
      assert.strictEqual(error.reason, "Corrupt")
      assert.include(error.message, "deviceId")
      for (const secret of ["installation-token", "session-token", "PRIVATE KEY"]) {
        assert.notInclude(error.message, secret)
        assert.notInclude(JSON.stringify(error), secret)
      }
    }).pipe(Effect.provide(WebCryptoSigner.layer)))
})

describe("ContextDocument.encodeFields / decodeFields", () => {
  it.effect("round-trip without exporting the key (for stores that keep key objects)", () =>
    Effect.gen(function*() {
      const context = yield* makeContext({ extractable: false })
      const fields = ContextDocument.encodeFields(context)
      assert.notProperty(fields, "privateKeyPem")
      const json = JSON.parse(JSON.stringify(fields))
      const decoded = yield* ContextDocument.decodeFields("default", json, context.keyPair.privateKey)
      assertSameContext(decoded, context)
      yield* assertKeyWorks(decoded)
      const noSession = ContextDocument.encodeFields({ ...context, session: Option.none() })
      assert.strictEqual(noSession.session, null)
      const decodedNoSession = yield* ContextDocument.decodeFields("default", noSession, context.keyPair.privateKey)
      assert.isTrue(Option.isNone(decodedNoSession.session))
    }).pipe(Effect.provide(WebCryptoSigner.layer)))

  it.effect("the session's expiresAt: ISO 8601 with a zone, read as the same instant; without a zone it is Corrupt", () =>
    Effect.gen(function*() {
      const context = yield* makeContext({ extractable: false })
      const fields = JSON.parse(JSON.stringify(ContextDocument.encodeFields(context)))
      const withExpiry = (expiresAt: string) => ({ ...fields, session: { ...fields.session, expiresAt } })
      const offset = yield* ContextDocument.decodeFields(
        "default",
        withExpiry("2030-01-02T05:04:05.678+02:00"),
        context.keyPair.privateKey
      )
      assert.strictEqual(
        DateTime.toEpochMillis(Option.getOrThrow(offset.session).expiresAt),
        Date.parse("2030-01-02T03:04:05.678Z")
      )
      for (const bad of ["2030-01-02T03:04:05.678", "not a date", "2030-13-45T00:00:00Z"]) {
        const error = yield* Effect.flip(
          ContextDocument.decodeFields("default", withExpiry(bad), context.keyPair.privateKey)
        )
        assert.strictEqual(error.reason, "Corrupt", bad)
        assert.notInclude(error.message, bad)
      }
    }).pipe(Effect.provide(WebCryptoSigner.layer)))
})

describe("ContextStore.layerMemory", () => {
  it.effect("keeps contexts by key and forgets them on remove", () =>
    Effect.gen(function*() {
      const context = yield* makeContext()
      const store = yield* ContextStore.ContextStore
      yield* store.save("a", context)
      assert.strictEqual(Option.getOrThrow(yield* store.load("a")), context)
      assert.isTrue(Option.isNone(yield* store.load("b")))
      yield* store.remove("a")
      assert.isTrue(Option.isNone(yield* store.load("a")))
    }).pipe(Effect.provide(Layer.merge(ContextStore.layerMemory, WebCryptoSigner.layer))))

  it.effect("withLock runs one holder at a time", () =>
    Effect.gen(function*() {
      const store = yield* ContextStore.ContextStore
      let inside = 0
      let maxInside = 0
      yield* Effect.forEach(
        Array.from({ length: 10 }),
        () =>
          store.withLock(
            "a",
            Effect.gen(function*() {
              inside++
              maxInside = Math.max(maxInside, inside)
              yield* Effect.yieldNow()
              inside--
            })
          ),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(maxInside, 1)
    }).pipe(Effect.provide(ContextStore.layerMemory)))
})

describe("ContextStoreError", () => {
  it("is a tagged error with a message naming the reason and key", () => {
    const error = new ContextStoreError({ reason: "Foreign", key: "k", description: "d" })
    assert.strictEqual(error.message, "Foreign (context \"k\"): d")
    assert.isTrue(Either.isLeft(Either.left(error)))
  })
})

const { ContextStoreError } = ContextStore
