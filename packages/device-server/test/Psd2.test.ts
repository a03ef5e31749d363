/**
 * PSD2 credentials are checked before anything is sent: an expired or not yet valid certificate (or chain
 * certificate), a certificate that is not the private key's, or a key that does not decode fails with a typed error
 * and no request reaches bunq (the emulator in process, whose log stays empty). (The registration itself is tested on
 * the emulator in `Psd2.emulator.test.ts`.)
 */
import * as Certificate from "@effect-bunq/signer/Certificate"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"
import * as ContextStore from "../src/ContextStore.js"
import * as Psd2 from "../src/Psd2.js"
import { makeBunq } from "./utils/bunq.js"

const day = 24 * 60 * 60 * 1000

/** Every layer `register` needs, over the emulator; `sent` is what reached it. */
const setup = Effect.gen(function*() {
  const bunq = yield* makeBunq()
  const layer = bunq.clientLayer.pipe(Layer.provideMerge(ContextStore.layerMemory))
  return { sent: bunq.lines, layer }
})

describe("Psd2 credentials", () => {
  it.effect("expired, not yet valid, an expired chain, a foreign key: typed errors before any request", () =>
    Effect.gen(function*() {
      // Effect's clock decides "now": the test clock starts at 0, so set it to the real time.
      yield* TestClock.setTime(Date.now())
      const now = Date.now()
      const root = yield* Certificate.makeTest({ commonName: "Test Root", country: "NL" })
      const valid = yield* Certificate.makeTest({ commonName: "Test App PISP AISP", issuer: root })
      const expired = yield* Certificate.makeTest({
        commonName: "Old App PISP",
        issuer: root,
        notBefore: new Date(now - 10 * day),
        notAfter: new Date(now - day)
      })
      const future = yield* Certificate.makeTest({
        commonName: "Future App PISP",
        issuer: root,
        notBefore: new Date(now + day),
        notAfter: new Date(now + 10 * day)
      })
      const expiredRoot = yield* Certificate.makeTest({
        commonName: "Old Root",
        notBefore: new Date(now - 10 * day),
        notAfter: new Date(now - day)
      })
      const { layer, sent } = yield* setup
      const attempt = (credentials: Psd2.Credentials) => Effect.flip(Effect.provide(Psd2.register(credentials), layer))
      const as = (certificate: Certificate.TestCertificate, key = certificate.privateKeyPem, chain = root) => ({
        certificatePem: certificate.certificatePem,
        chainPem: chain.certificatePem,
        privateKeyPem: key
      })

      const expiredError = yield* attempt(as(expired))
      assert.strictEqual(expiredError._tag, "CertificateError")
      assert.strictEqual(expiredError._tag === "CertificateError" && expiredError.reason, "Expired")
      const futureError = yield* attempt(as(future))
      assert.strictEqual(futureError._tag === "CertificateError" && futureError.reason, "NotYetValid")
      const chainError = yield* attempt(as(valid, valid.privateKeyPem, expiredRoot))
      assert.strictEqual(chainError._tag === "CertificateError" && chainError.reason, "Expired")
      assert.include(chainError.message, "Old Root")
      const mismatch = yield* attempt(as(valid, future.privateKeyPem))
      assert.strictEqual(mismatch._tag === "CertificateError" && mismatch.reason, "KeyMismatch")
      assert.notInclude(mismatch.message, "PRIVATE KEY")
      const badKey = yield* attempt(
        as(valid, Redacted.make("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"))
      )
      assert.strictEqual(badKey._tag, "SignerError")
      const notACertificate = yield* attempt({ ...as(valid), certificatePem: "hello" })
      assert.strictEqual(notACertificate._tag === "CertificateError" && notACertificate.reason, "Malformed")

      assert.deepStrictEqual(yield* sent, [], "nothing is sent for credentials that do not check")
      // the same credentials, valid: the check passes and registration starts with the installation
      yield* Effect.provide(Psd2.check(as(valid)), layer)
      yield* Effect.exit(Effect.provide(Psd2.register(as(valid)), layer))
      assert.deepStrictEqual((yield* sent)[0], "POST /installation 200")
    }))
})
