/**
 * PSD2 registration on the emulator, which checks the certificate and verifies `client_public_key_signature` with
 * the certificate's key: installation → credential → device → a session as `UserPaymentServiceProvider`, restored
 * on a later run with the API key bunq gave; and a certificate that is not the key's, refused before anything is sent.
 * Certificates are made at test time (a test root and a leaf), never committed.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Certificate from "@effect-bunq/signer/Certificate"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
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
  const services = BunqClient.layer.pipe(
    Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, BunqEmulator.makeHttpClient(emulator))),
    Layer.provideMerge(Layer.succeed(Signer.Signer, signer)),
    Layer.provideMerge(BunqConfig.layer({ baseUrl: url, rateLimits: false, retry: false })),
    Layer.provideMerge(Layer.succeed(ContextStore.ContextStore, store))
  )
  const root = yield* Certificate.makeTest({ commonName: "Emulated QTSP Root", country: "NL" })
  const leaf = yield* Certificate.makeTest({ commonName: "Test App PISP AISP", country: "NL", issuer: root })
  const requests = Effect.map(emulator.log, (entries) => entries.map((e) => `${e.method} ${e.path} ${e.status}`))
  return { emulator, services, root, leaf, requests }
})

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
