import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as Crypto from "node:crypto"
import * as Certificate from "../src/Certificate.js"
import * as internal from "../src/internal/certificate.js"
import * as KeyEncoding from "../src/KeyEncoding.js"

// Certificates are made at test time (never committed keys); node:crypto's own X.509 parser checks them and the
// fields this package reads.
const reasonOf = <A>(effect: Effect.Effect<A, Certificate.CertificateError>) =>
  Effect.map(Effect.flip(effect), (error) => error.reason)

describe("Certificate", () => {
  it.effect("reads what node:crypto reads from a self-signed certificate, and its key matches", () =>
    Effect.gen(function*() {
      const notBefore = new Date("2026-01-02T03:04:05Z")
      const notAfter = new Date("2051-06-07T08:09:10Z") // after 2049: GeneralizedTime
      const made = yield* Certificate.makeTest({
        commonName: "Zoë’s App PISP AISP",
        country: "NL",
        notBefore,
        notAfter
      })
      const node = new Crypto.X509Certificate(made.certificatePem)
      assert.isTrue(node.verify(node.publicKey), "self-signed signature verifies")
      assert.isTrue(node.checkPrivateKey(Crypto.createPrivateKey(Redacted.value(made.privateKeyPem))))

      const decoded = yield* Certificate.decodePem(made.certificatePem)
      assert.strictEqual(decoded.notBefore.getTime(), new Date(node.validFrom).getTime())
      assert.strictEqual(decoded.notAfter.getTime(), new Date(node.validTo).getTime())
      assert.strictEqual(decoded.notAfter.toISOString(), "2051-06-07T08:09:10.000Z")
      assert.strictEqual(decoded.subject, "C=NL, CN=Zoë’s App PISP AISP")
      assert.strictEqual(node.subject, "C=NL\nCN=Zoë’s App PISP AISP")
      assert.strictEqual(decoded.modulusLength, 2048)
      assert.strictEqual(
        decoded.publicKeyPem,
        node.publicKey.export({ type: "spki", format: "pem" }).toString()
      )
      assert.strictEqual(decoded.pem, made.certificatePem)

      const own = yield* KeyEncoding.decodePrivateKeyPem(Redacted.value(made.privateKeyPem))
      yield* Certificate.checkPublicKey(decoded, KeyEncoding.encodePem("PUBLIC KEY", own.spki))
      yield* Certificate.checkValidAt(decoded, new Date("2030-01-01T00:00:00Z"))
    }))

  it.effect("a chain: a leaf signed by a root decodes in order and verifies against the root (node:crypto)", () =>
    Effect.gen(function*() {
      const root = yield* Certificate.makeTest({ commonName: "Test Root CA", country: "NL" })
      const leaf = yield* Certificate.makeTest({ commonName: "Test PISP", issuer: root })
      const leafNode = new Crypto.X509Certificate(leaf.certificatePem)
      const rootNode = new Crypto.X509Certificate(root.certificatePem)
      assert.isTrue(leafNode.verify(rootNode.publicKey))
      assert.isFalse(leafNode.verify(leafNode.publicKey))
      assert.isTrue(leafNode.checkIssued(rootNode))

      const chain = yield* Certificate.decodeChainPem(
        `subject=CN=Test PISP\n${leaf.certificatePem}\n${root.certificatePem}`
      )
      assert.deepStrictEqual(chain.map((c) => c.subject), ["CN=Test PISP", "C=NL, CN=Test Root CA"])
      assert.deepStrictEqual(chain.map((c) => c.issuer), ["C=NL, CN=Test Root CA", "C=NL, CN=Test Root CA"])
      assert.strictEqual(
        yield* reasonOf(Certificate.decodePem(leaf.certificatePem + root.certificatePem)),
        "Malformed"
      )

      // a chain whose last certificate was cut off is Malformed, not one certificate shorter
      const cutRoot = root.certificatePem.slice(0, root.certificatePem.indexOf("-----END"))
      const cutOff = yield* Effect.flip(Certificate.decodeChainPem(`${leaf.certificatePem}subject=x\n${cutRoot}`))
      assert.strictEqual(cutOff.reason, "Malformed")
      assert.include(cutOff.message, "cut off")
      // cut before its END line and followed by another block: one regex match spanning both, still Malformed
      assert.strictEqual(
        yield* reasonOf(Certificate.decodeChainPem(`${cutRoot}${leaf.certificatePem}`)),
        "Malformed"
      )
      // a block whose BEGIN line is missing (cut at the start)
      const headless = root.certificatePem.slice(root.certificatePem.indexOf("\n") + 1)
      assert.strictEqual(yield* reasonOf(Certificate.decodeChainPem(`${headless}${leaf.certificatePem}`)), "Malformed")
      // the single certificate alone, cut: Malformed with the same explanation
      const alone = yield* Effect.flip(Certificate.decodePem(cutRoot))
      assert.include(alone.message, "cut off")
    }))

  it.effect("expired, not yet valid, and a key that is not the certificate's are typed errors", () =>
    Effect.gen(function*() {
      const made = yield* Certificate.makeTest({
        commonName: "Old PISP",
        notBefore: new Date("2020-01-01T00:00:00Z"),
        notAfter: new Date("2021-01-01T00:00:00Z")
      })
      const decoded = yield* Certificate.decodePem(made.certificatePem)
      const expired = yield* Effect.flip(Certificate.checkValidAt(decoded, new Date("2021-01-01T00:00:01Z")))
      assert.strictEqual(expired.reason, "Expired")
      assert.include(expired.message, "2021-01-01T00:00:00.000Z")
      assert.include(expired.message, "CN=Old PISP")
      assert.strictEqual(
        yield* reasonOf(Certificate.checkValidAt(decoded, new Date("2019-12-31T23:59:59Z"))),
        "NotYetValid"
      )
      yield* Certificate.checkValidAt(decoded, new Date("2021-01-01T00:00:00Z"))

      const other = Crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
      const mismatch = yield* Effect.flip(
        Certificate.checkPublicKey(decoded, other.publicKey.export({ type: "spki", format: "pem" }).toString())
      )
      assert.strictEqual(mismatch.reason, "KeyMismatch")
      assert.notInclude(mismatch.message, "BEGIN")
      // the same key as PKCS#1 still matches
      const own = Crypto.createPublicKey(Crypto.createPrivateKey(Redacted.value(made.privateKeyPem)))
      yield* Certificate.checkPublicKey(decoded, own.export({ type: "pkcs1", format: "pem" }).toString())
    }))

  it.effect("text that is not a certificate is Malformed, an EC key inside is UnsupportedKey", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* reasonOf(Certificate.decodePem("hello")), "Malformed")
      const rsa = Crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
      const publicPem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString()
      assert.strictEqual(yield* reasonOf(Certificate.decodePem(publicPem)), "Malformed")
      assert.strictEqual(
        yield* reasonOf(Certificate.decodePem(publicPem.replaceAll("PUBLIC KEY", "CERTIFICATE"))),
        "Malformed"
      )
      const made = yield* Certificate.makeTest({ commonName: "Cut" })
      const der = (yield* Certificate.decodePem(made.certificatePem)).der
      const cut = KeyEncoding.encodePem("CERTIFICATE", der.subarray(0, der.length - 10))
      assert.strictEqual(yield* reasonOf(Certificate.decodePem(cut)), "Malformed")
      // an EC key in a well-formed certificate
      const ec = Crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
      const tbs = internal.encodeTbs({
        serial: new Uint8Array([1]),
        issuer: { commonName: "EC" },
        subject: { commonName: "EC" },
        notBefore: new Date(0),
        notAfter: new Date(),
        spki: new Uint8Array(ec.publicKey.export({ type: "spki", format: "der" }))
      })
      const ecPem = KeyEncoding.encodePem("CERTIFICATE", internal.encodeCertificate(tbs, new Uint8Array(64)))
      assert.strictEqual(new Crypto.X509Certificate(ecPem).publicKey.asymmetricKeyType, "ec")
      const unsupported = yield* Effect.flip(Certificate.decodePem(ecPem))
      assert.strictEqual(unsupported.reason, "UnsupportedKey")
      assert.include(unsupported.message, "EC")
    }))
})
