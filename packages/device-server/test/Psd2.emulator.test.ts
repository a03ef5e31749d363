/**
 * PSD2 registration on the emulator, which checks the certificate and verifies `client_public_key_signature` with
 * the certificate's key: installation → credential → device → a session as `UserPaymentServiceProvider`, restored
 * on a later run with the API key bunq gave; and a certificate that is not the key's, refused before anything is sent.
 * After the credential, no failure loses the API key: `POST /device-server` failing (the transport, for that path
 * only), a store that cannot save (first or last save, a failure or a defect), `Psd2.layer`'s `onRegistered` failing;
 * and `Psd2.layer` over two runs. Certificates are made at test time (a test root and a leaf), never committed.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Certificate from "@effect-bunq/signer/Certificate"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient, HttpClientError } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Inspectable, Layer, Option, Redacted, Ref, TestClock } from "effect"
import * as ApiContext from "../src/ApiContext.js"
import * as ContextStore from "../src/ContextStore.js"
import * as Psd2 from "../src/Psd2.js"
import * as User from "../src/User.js"

const setup = Effect.gen(function*() {
  yield* TestClock.setTime(Date.now())
  const signer = yield* WebCryptoSigner.make
  const emulator = yield* BunqEmulator.make().pipe(Effect.provideService(Signer.Signer, signer))
  const url = yield* emulator.url
  const store = yield* Effect.provide(ContextStore.ContextStore, ContextStore.layerMemory)
  // While set, `POST /device-server` fails in the transport (a reset connection); every other request goes through.
  const failDevice = yield* Ref.make(false)
  const inner = BunqEmulator.makeHttpClient(emulator)
  const http = HttpClient.make((request, url) =>
    Effect.flatMap(Ref.get(failDevice), (fail) =>
      fail && url.pathname.endsWith("/device-server")
        ? Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", description: "reset" }))
        : inner.execute(request))
  )
  const clientServices = BunqClient.layer.pipe(
    Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, http)),
    Layer.provideMerge(Layer.succeed(Signer.Signer, signer)),
    Layer.provideMerge(BunqConfig.layer({ baseUrl: url, rateLimits: false, retry: false }))
  )
  const services = clientServices.pipe(Layer.provideMerge(Layer.succeed(ContextStore.ContextStore, store)))
  const root = yield* Certificate.makeTest({ commonName: "Emulated QTSP Root", country: "NL" })
  const leaf = yield* Certificate.makeTest({ commonName: "Test App PISP AISP", country: "NL", issuer: root })
  const credentials = {
    certificatePem: leaf.certificatePem,
    chainPem: root.certificatePem,
    privateKeyPem: leaf.privateKeyPem
  }
  const requests = Effect.map(emulator.log, (entries) => entries.map((e) => `${e.method} ${e.path} ${e.status}`))
  return { emulator, services, clientServices, store, failDevice, root, leaf, credentials, requests }
})

/** A memory store whose `save` number `failing` (1-based) fails with `Io`, or dies with `"die"`. */
const storeFailingAt = (failing: number, how: "fail" | "die" = "fail") =>
  Effect.gen(function*() {
    const memory = yield* Effect.provide(ContextStore.ContextStore, ContextStore.layerMemory)
    const saves = yield* Ref.make(0)
    return yield* ContextStore.make({
      load: memory.load,
      remove: memory.remove,
      save: (key, context) =>
        Effect.flatMap(Ref.updateAndGet(saves, (n) => n + 1), (n) =>
          n !== failing
            ? memory.save(key, context)
            : how === "die"
            ? Effect.die(new Error("the disk went away"))
            : new ContextStore.ContextStoreError({ reason: "Io", key, description: "the disk is full" }))
    })
  })

/** The error's every printed form: none may hold the API key. */
const printed = (error: unknown) => `${String(error)} ${Inspectable.format(error)} ${JSON.stringify(error)}`

const asRegistrationError = (error: { readonly _tag: string }): Psd2.RegistrationError => {
  assert.strictEqual(error._tag, "Psd2RegistrationError", String(error))
  return error as Psd2.RegistrationError
}

describe("Psd2 on the emulator", () => {
  it.effect("register, a UserPaymentServiceProvider session, and a later run restored with the API key", () =>
    Effect.gen(function*() {
      const { leaf, requests, root, services } = yield* setup
      const registration = yield* Psd2.register({
        certificatePem: leaf.certificatePem,
        chainPem: root.certificatePem,
        privateKeyPem: leaf.privateKeyPem,
        storeKey: "psd2"
      }).pipe(Effect.provide(services))
      assert.strictEqual(registration.certificate.subject, "C=NL, CN=Test App PISP AISP")
      assert.strictEqual(registration.storeKey, "psd2")
      assert.deepStrictEqual(yield* requests, [
        "POST /installation 200",
        "POST /payment-service-provider-credential 200",
        "POST /device-server 200"
      ])

      // later run: the saved context and the provider's API key, no registration
      const user = yield* User.get().pipe(
        Effect.provide(ApiContext.layer({ apiKey: registration.apiKey, storeKey: "psd2" })),
        Effect.provide(services)
      )
      assert.strictEqual(user._tag, "UserPaymentServiceProvider")
      assert.strictEqual(
        user._tag === "UserPaymentServiceProvider" ? user.certificate_distinguished_name : undefined,
        "C=NL, CN=Test App PISP AISP"
      )
      const log = yield* requests
      assert.deepStrictEqual(log.slice(3), ["POST /session-server 200", `GET /user/${user.id} 200`])

      // the same store key cannot be registered over
      const again = yield* Effect.flip(
        Psd2.register({
          certificatePem: leaf.certificatePem,
          chainPem: root.certificatePem,
          privateKeyPem: leaf.privateKeyPem,
          storeKey: "psd2"
        }).pipe(Effect.provide(services))
      )
      assert.strictEqual(again._tag === "ContextStoreError" && again.reason, "Foreign")
      assert.strictEqual((yield* requests).length, 5)
    }))

  it.effect("POST /device-server fails after the credential: the error carries the key; ApiContext completes it", () =>
    Effect.gen(function*() {
      const { credentials, failDevice, requests, services, store } = yield* setup
      yield* Ref.set(failDevice, true)
      const error = asRegistrationError(
        yield* Effect.flip(Psd2.register({ ...credentials, storeKey: "psd2" }).pipe(Effect.provide(services)))
      )
      assert.strictEqual(error.reason, "Device")
      assert.isTrue(error.saved)
      assert.strictEqual(error.storeKey, "psd2")
      assert.isAbove(error.credentialId, 0)
      assert.include(error.message, "POST /device-server failed")
      assert.include(error.message, "reset")
      const apiKey = Redacted.value(error.apiKey)
      assert.isAbove(apiKey.length, 10)
      assert.notInclude(printed(error), apiKey)
      assert.deepStrictEqual(yield* requests, [
        "POST /installation 200",
        "POST /payment-service-provider-credential 200"
      ])
      // saved after the credential: its installation, the key's fingerprint, no device
      const pending = Option.getOrThrow(yield* store.load("psd2"))
      assert.isTrue(Option.isSome(pending.installation.id))
      assert.isTrue(Option.isNone(pending.deviceId))
      assert.strictEqual(pending.apiKeyFingerprint, yield* ContextStore.fingerprint(error.apiKey))

      // the next run, with the key from the error: the device on the credential's installation, then a session
      yield* Ref.set(failDevice, false)
      const user = yield* User.get().pipe(
        Effect.provide(ApiContext.layer({ apiKey: error.apiKey, storeKey: "psd2" })),
        Effect.provide(services)
      )
      assert.strictEqual(user._tag, "UserPaymentServiceProvider")
      assert.deepStrictEqual((yield* requests).slice(2), [
        "POST /device-server 200",
        "POST /session-server 200",
        `GET /user/${user.id} 200`
      ])
      const completed = Option.getOrThrow(yield* store.load("psd2"))
      assert.isTrue(Option.isSome(completed.deviceId))
      assert.strictEqual(
        Redacted.value(completed.installation.token),
        Redacted.value(pending.installation.token),
        "the credential's installation, not a new one"
      )
    }))

  it.effect("a store that cannot save: Save with the key, whether it failed first or last, by error or defect", () =>
    Effect.gen(function*() {
      const { clientServices, credentials, requests, store } = yield* setup
      // the first save (right after the credential) fails: nothing more is sent, nothing is saved
      const first = asRegistrationError(
        yield* Effect.flip(
          Psd2.register({ ...credentials, storeKey: "psd2" }).pipe(
            Effect.provide(clientServices),
            Effect.provideServiceEffect(ContextStore.ContextStore, storeFailingAt(1))
          )
        )
      )
      assert.strictEqual(first.reason, "Save")
      assert.isFalse(first.saved)
      assert.include(first.message, "the disk is full")
      assert.notInclude(printed(first), Redacted.value(first.apiKey))
      assert.deepStrictEqual(yield* requests, [
        "POST /installation 200",
        "POST /payment-service-provider-credential 200"
      ])
      // with the key, once a store works: an installation and a device of its own, a provider's session
      const provider = yield* User.get().pipe(
        Effect.provide(ApiContext.layer({ apiKey: first.apiKey, storeKey: "psd2" })),
        Effect.provide(clientServices.pipe(Layer.provideMerge(Layer.succeed(ContextStore.ContextStore, store))))
      )
      assert.strictEqual(provider._tag, "UserPaymentServiceProvider")

      // the last save (with the device) dies: the store holds the context without its device, the key is carried
      const failing = yield* storeFailingAt(2, "die")
      const last = asRegistrationError(
        yield* Effect.flip(
          Psd2.register({ ...credentials, storeKey: "later" }).pipe(
            Effect.provide(clientServices),
            Effect.provideService(ContextStore.ContextStore, failing)
          )
        )
      )
      assert.strictEqual(last.reason, "Save")
      assert.isTrue(last.saved)
      assert.include(last.message, "the disk went away")
      assert.isTrue(Option.isNone(Option.getOrThrow(yield* failing.load("later")).deviceId))
      const again = yield* User.get().pipe(
        Effect.provide(ApiContext.layer({ apiKey: last.apiKey, storeKey: "later" })),
        Effect.provide(clientServices.pipe(Layer.provideMerge(Layer.succeed(ContextStore.ContextStore, failing))))
      )
      assert.strictEqual(again._tag, "UserPaymentServiceProvider")
      assert.isTrue(Option.isSome(Option.getOrThrow(yield* failing.load("later")).deviceId))
    }))

  it.effect("Psd2.layer over two runs: onRegistered keeps the key, the second run restores with it", () =>
    Effect.gen(function*() {
      const { credentials, requests, services } = yield* setup
      const kept = yield* Ref.make(Option.none<Redacted.Redacted<string>>())
      const onRegistered = (registration: Psd2.Registration) => Ref.set(kept, Option.some(registration.apiKey))
      // run 1: register, keep the key, work
      const first = yield* User.get().pipe(
        Effect.provide(Psd2.layer({ ...credentials, storeKey: "psd2", onRegistered })),
        Effect.provide(services)
      )
      assert.strictEqual(first._tag, "UserPaymentServiceProvider")
      const apiKey = Option.getOrThrow(yield* Ref.get(kept))
      const registered = (yield* requests).length

      // run 2 without the key: refused before anything is sent, and told how to restore
      const refused = yield* Effect.flip(
        User.get().pipe(
          Effect.provide(Psd2.layer({ ...credentials, storeKey: "psd2", onRegistered })),
          Effect.provide(services)
        )
      )
      assert.strictEqual(refused._tag === "ContextStoreError" && refused.reason, "Foreign")
      assert.include(refused.message, "apiKey")
      assert.strictEqual((yield* requests).length, registered)

      // run 2 with the key kept: the saved context and its session, no registration
      const second = yield* User.get().pipe(
        Effect.provide(Psd2.layer({ ...credentials, storeKey: "psd2", onRegistered, apiKey })),
        Effect.provide(services)
      )
      assert.strictEqual(second.id, first.id)
      assert.deepStrictEqual((yield* requests).slice(registered), [`GET /user/${first.id} 200`])

      // onRegistered fails: the layer fails with the key, and the context is complete
      const failed = asRegistrationError(
        yield* Effect.flip(
          User.get().pipe(
            Effect.provide(
              Psd2.layer({ ...credentials, storeKey: "other", onRegistered: () => Effect.fail("no vault") })
            ),
            Effect.provide(services)
          )
        )
      )
      assert.strictEqual(failed.reason, "OnRegistered")
      assert.isTrue(failed.saved)
      const restored = yield* User.get().pipe(
        Effect.provide(Psd2.layer({ ...credentials, storeKey: "other", onRegistered, apiKey: failed.apiKey })),
        Effect.provide(services)
      )
      assert.strictEqual(restored._tag, "UserPaymentServiceProvider")
    }))

  it.effect("a certificate that is not the key's: KeyMismatch, and nothing reaches the emulator", () =>
    Effect.gen(function*() {
      const { leaf, requests, root, services } = yield* setup
      const mismatch = yield* Effect.flip(
        Psd2.register({
          certificatePem: leaf.certificatePem,
          chainPem: root.certificatePem,
          privateKeyPem: root.privateKeyPem
        }).pipe(Effect.provide(services))
      )
      assert.strictEqual(mismatch._tag === "CertificateError" && mismatch.reason, "KeyMismatch")
      assert.deepStrictEqual(yield* requests, [])
    }))
})
