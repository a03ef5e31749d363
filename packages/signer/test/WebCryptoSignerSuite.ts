/**
 * Tests specific to WebCryptoSigner (beyond the conformance suite), browser-safe: run in Node and in Chromium.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as KeyEncoding from "../src/KeyEncoding.js"
import * as Signer from "../src/Signer.js"
import * as WebCryptoSigner from "../src/WebCryptoSigner.js"

const rsaParams = (modulusLength: number, hash = "SHA-256"): RsaHashedKeyGenParams => ({
  name: "RSASSA-PKCS1-v1_5",
  modulusLength,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash
})

const generate = (algorithm: RsaHashedKeyGenParams | EcKeyGenParams, extractable = false) =>
  Effect.promise(() => crypto.subtle.generateKey(algorithm, extractable, ["sign", "verify"]) as Promise<CryptoKeyPair>)

export const webCryptoSignerSuite = (name: string): void => {
  describe(`WebCryptoSigner.fromCryptoKey (${name})`, () => {
    it.effect("wraps a stored non-extractable CryptoKey so the signer can sign with it", () =>
      Effect.gen(function*() {
        const signer = yield* WebCryptoSigner.make
        const pair = yield* generate(rsaParams(2048))
        const key = yield* WebCryptoSigner.fromCryptoKey(pair.privateKey)
        assert.strictEqual(key.implementation, "webcrypto")
        assert.strictEqual(key.modulusLength, 2048)
        assert.isFalse(key.extractable)
        assert.strictEqual(key.handle, pair.privateKey)
        const publicKeyPem = KeyEncoding.encodePem(
          "PUBLIC KEY",
          new Uint8Array(yield* Effect.promise(() => crypto.subtle.exportKey("spki", pair.publicKey)))
        )
        const body = new TextEncoder().encode("stored key")
        yield* signer.verify(publicKeyPem, body, yield* signer.sign(key, body))
        const error = yield* Effect.flip(signer.exportPrivateKeyPem(key))
        assert.strictEqual(error.reason, "NotExtractable")
      }))

    it.effect("re-wrapping the handle of a generated key gives a key that signs identically", () =>
      Effect.gen(function*() {
        const signer = yield* WebCryptoSigner.make
        const pair = yield* signer.generateKeyPair({ extractable: false })
        const again = yield* WebCryptoSigner.fromCryptoKey(pair.privateKey.handle as CryptoKey)
        const body = new Uint8Array([0, 1, 2, 255])
        assert.strictEqual(yield* signer.sign(again, body), yield* signer.sign(pair.privateKey, body))
      }))

    it.effect("rejects keys that are not RSASSA-PKCS1-v1_5 SHA-256 private signing keys of ≥ 2048 bits", () =>
      Effect.gen(function*() {
        const ec = yield* generate({ name: "ECDSA", namedCurve: "P-256" })
        const sha1 = yield* generate(rsaParams(2048, "SHA-1"))
        const small = yield* generate(rsaParams(1024))
        const rsa = yield* generate(rsaParams(2048))
        for (const key of [ec.privateKey, sha1.privateKey, small.privateKey, rsa.publicKey]) {
          const error = yield* Effect.flip(WebCryptoSigner.fromCryptoKey(key))
          assert.instanceOf(error, Signer.SignerError)
          assert.strictEqual(error.reason, "UnsupportedKey")
        }
      }))
  })
}
