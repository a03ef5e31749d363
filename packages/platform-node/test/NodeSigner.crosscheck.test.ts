/**
 * Cross-checks between the two Signer implementations and OpenSSL: a signature made by one verifies in the others,
 * keys exported by one import into the others, and the same key signs byte-identically everywhere.
 */
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck, Redacted } from "effect"
import { spawnSync } from "node:child_process"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { testVectors } from "../../signer/test/SignerConformance.js"
import * as NodeSigner from "../src/NodeSigner.js"

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const signers = Effect.all({ node: NodeSigner.make, web: WebCryptoSigner.make })

const hasOpenssl = spawnSync("openssl", ["version"], { encoding: "utf8" }).status === 0

/** Runs `openssl` with files written to a fresh temp dir (removed afterwards). */
const withTempDir = <A>(f: (dir: string) => A): A => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "signer-openssl-"))
  try {
    return f(dir)
  } finally {
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

const openssl = (args: ReadonlyArray<string>) => {
  const result = spawnSync("openssl", args, { encoding: "buffer" })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString("utf8") }
}

const opensslVerify = (publicKeyPem: string, data: Uint8Array, signatureBase64: string): boolean =>
  withTempDir((dir) => {
    const pub = Path.join(dir, "pub.pem")
    const body = Path.join(dir, "body.bin")
    const sig = Path.join(dir, "sig.bin")
    Fs.writeFileSync(pub, publicKeyPem)
    Fs.writeFileSync(body, data)
    Fs.writeFileSync(sig, Buffer.from(signatureBase64, "base64"))
    const result = openssl(["dgst", "-sha256", "-verify", pub, "-signature", sig, body])
    const ok = result.status === 0 && result.stdout.toString("utf8").includes("Verified OK")
    return ok
  })

const body = utf8(
  "{\"description\":\"Koffie ☕ en taart — €4,50\",\"amount\":{\"value\":\"4.50\",\"currency\":\"EUR\"}}"
)

describe("NodeSigner and WebCryptoSigner cross-check", () => {
  it.effect("a signature from either implementation verifies in the other", () =>
    Effect.gen(function*() {
      const { node, web } = yield* signers
      for (const [maker, checker] of [[node, web], [web, node]] as const) {
        const pair = yield* maker.generateKeyPair()
        const signature = yield* maker.sign(pair.privateKey, body)
        yield* checker.verify(pair.publicKeyPem, body, signature)
        const flipped = body.slice()
        flipped[3] = flipped[3]! ^ 0x80
        const error = yield* Effect.flip(checker.verify(pair.publicKeyPem, flipped, signature))
        assert.strictEqual(error.reason, "SignatureMismatch")
        // And node:crypto itself agrees.
        assert.isTrue(Crypto.verify("sha256", body, pair.publicKeyPem, Buffer.from(signature, "base64")))
      }
    }))

  it.effect("PEM exported by either implementation imports into the other as the same key", () =>
    Effect.gen(function*() {
      const { node, web } = yield* signers
      for (const [maker, importer] of [[node, web], [web, node]] as const) {
        const pair = yield* maker.generateKeyPair()
        const pem = yield* maker.exportPrivateKeyPem(pair.privateKey)
        const imported = yield* importer.importPrivateKeyPem(pem)
        assert.strictEqual(imported.publicKeyPem, pair.publicKeyPem)
        assert.strictEqual(yield* importer.sign(imported.privateKey, body), yield* maker.sign(pair.privateKey, body))
        assert.strictEqual(
          Redacted.value(yield* importer.exportPrivateKeyPem(imported.privateKey)),
          Redacted.value(pem)
        )
      }
    }))

  it.effect("the two implementations reject each other's key handles", () =>
    Effect.gen(function*() {
      const { node, web } = yield* signers
      const nodePair = yield* node.generateKeyPair()
      const webPair = yield* web.generateKeyPair()
      assert.strictEqual((yield* Effect.flip(web.sign(nodePair.privateKey, body))).reason, "UnsupportedKey")
      assert.strictEqual((yield* Effect.flip(node.sign(webPair.privateKey, body))).reason, "UnsupportedKey")
    }))

  it.effect("the same key signs arbitrary bytes identically in both implementations and in node:crypto", () =>
    Effect.gen(function*() {
      const { node, web } = yield* signers
      const pem = Redacted.make(testVectors.keys.client_private_key_pem_pkcs1)
      const nodeKey = (yield* node.importPrivateKeyPem(pem)).privateKey
      const webKey = (yield* web.importPrivateKeyPem(pem)).privateKey
      const samples = FastCheck.sample(FastCheck.uint8Array({ minLength: 0, maxLength: 512 }), {
        numRuns: 25,
        seed: 42
      })
      samples.push(utf8("ünïcödé €"), new Uint8Array(0))
      for (const sample of samples) {
        const a = yield* node.sign(nodeKey, sample)
        const b = yield* web.sign(webKey, sample)
        assert.strictEqual(a, b)
        const reference = Crypto.sign("sha256", sample, testVectors.keys.client_private_key_pem_pkcs1).toString(
          "base64"
        )
        assert.strictEqual(a, reference)
      }
    }))
})

describe.skipIf(!hasOpenssl)("OpenSSL cross-check", () => {
  it.effect("openssl dgst -sha256 -verify accepts signatures from both implementations and rejects flipped bodies", () =>
    Effect.gen(function*() {
      const { node, web } = yield* signers
      for (const signer of [node, web]) {
        const pair = yield* signer.generateKeyPair()
        const signature = yield* signer.sign(pair.privateKey, body)
        assert.isTrue(opensslVerify(pair.publicKeyPem, body, signature))
        const flipped = body.slice()
        flipped[0] = flipped[0]! ^ 1
        assert.isFalse(opensslVerify(pair.publicKeyPem, flipped, signature))
      }
    }))

  it.effect("OpenSSL derives the same SPKI PEM text and the same signature from an exported key", () =>
    Effect.gen(function*() {
      const { node, web } = yield* signers
      for (const signer of [node, web]) {
        const pair = yield* signer.generateKeyPair()
        const pem = Redacted.value(yield* signer.exportPrivateKeyPem(pair.privateKey))
        const signature = yield* signer.sign(pair.privateKey, body)
        withTempDir((dir) => {
          const key = Path.join(dir, "key.pem")
          const data = Path.join(dir, "body.bin")
          Fs.writeFileSync(key, pem, { mode: 0o600 })
          Fs.writeFileSync(data, body)
          const pub = openssl(["pkey", "-in", key, "-pubout"])
          assert.strictEqual(pub.status, 0, pub.stderr)
          assert.strictEqual(pub.stdout.toString("utf8"), pair.publicKeyPem)
          const signed = openssl(["dgst", "-sha256", "-sign", key, data])
          assert.strictEqual(signed.status, 0, signed.stderr)
          assert.strictEqual(signed.stdout.toString("base64"), signature)
          // OpenSSL reads our PKCS#8 export as an RSA key of 2048 bits.
          const text = openssl(["pkey", "-in", key, "-noout", "-text"])
          assert.strictEqual(text.status, 0, text.stderr)
          assert.match(text.stdout.toString("utf8"), /Private-Key: \(2048 bit, 2 primes\)/)
        })
      }
    }))

  it.effect("signatures verify with OpenSSL against the published test public keys", () =>
    Effect.gen(function*() {
      const { node, web } = yield* signers
      for (const signer of [node, web]) {
        const pair = yield* signer.importPrivateKeyPem(Redacted.make(testVectors.keys.server_private_key_pem_pkcs1))
        const signature = yield* signer.sign(pair.privateKey, body)
        assert.isTrue(opensslVerify(testVectors.keys.server_public_key_pem_spki, body, signature))
        assert.isFalse(opensslVerify(testVectors.keys.client_public_key_pem_spki, body, signature))
      }
    }))
})
