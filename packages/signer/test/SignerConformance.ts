/**
 * The conformance suite every `Signer` implementation must pass. Browser-safe (no `node:*` imports): it runs in Node
 * and in Chromium. Register it with `signerConformance("WebCryptoSigner", WebCryptoSigner.layer)`.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect, Inspectable, Layer, Redacted } from "effect"
import * as KeyEncoding from "../src/KeyEncoding.js"
import * as Signer from "../src/Signer.js"
import vectors from "./fixtures/signing-test-vectors.json" with { type: "json" }

export interface ConformanceOptions {
  /** Extra printer to check (e.g. `node:util`'s `inspect` in Node). */
  readonly inspect?: ((u: unknown) => string) | undefined
}

export const testVectors = vectors

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

const PUBLIC_PEM =
  /^-----BEGIN PUBLIC KEY-----\n(?:[A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/]{1,63}={0,2}\n-----END PUBLIC KEY-----\n$/
const PRIVATE_PEM =
  /^-----BEGIN PRIVATE KEY-----\n(?:[A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/]{1,63}={0,2}\n-----END PRIVATE KEY-----\n$/

/** The base64 body lines of a PEM (each 64 characters of key material). */
export const pemBodyLines = (pem: string): Array<string> =>
  pem.split(/\r?\n/).filter((line) => line.length > 0 && !line.startsWith("-----"))

const flipBit = (bytes: Uint8Array, index: number): Uint8Array => {
  const copy = bytes.slice()
  copy[index] = copy[index]! ^ 0x01
  return copy
}

const base64ToBytes = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))

/** Generates a key of another kind with WebCrypto and returns its PKCS#8 and SPKI PEM. */
const foreignKeyPems = (algorithm: RsaHashedKeyGenParams | EcKeyGenParams) =>
  Effect.promise(async () => {
    const pair = await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"]) as CryptoKeyPair
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey))
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey))
    return {
      privatePem: KeyEncoding.encodePem("PRIVATE KEY", pkcs8),
      publicPem: KeyEncoding.encodePem("PUBLIC KEY", spki)
    }
  })

const expectFailure = <A>(
  effect: Effect.Effect<A, Signer.SignerError, Signer.Signer>,
  reason: Signer.SignerErrorReason
) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(effect)
    assert.instanceOf(error, Signer.SignerError)
    assert.strictEqual(error._tag, "SignerError")
    assert.strictEqual(error.reason, reason, error.message)
    assert.isTrue(error.message.includes(reason))
    return error
  })

const importKey = (pem: string, options?: Signer.GenerateOptions) =>
  Effect.flatMap(Signer.Signer, (s) => s.importPrivateKeyPem(Redacted.make(pem), options))

export const signerConformance = (
  name: string,
  signerLayer: Layer.Layer<Signer.Signer>,
  options: ConformanceOptions = {}
): void => {
  const printers: Array<readonly [string, (u: unknown) => string]> = [
    ["String", (u) => String(u)],
    ["JSON.stringify", (u) => JSON.stringify(u)],
    ["Inspectable.format", (u) => Inspectable.format(u)],
    ["toStringUnknown", (u) => Inspectable.toStringUnknown(u)],
    ["inspect symbol", (u) => {
      const custom = (u as Record<symbol, unknown> | undefined)?.[Inspectable.NodeInspectSymbol]
      return typeof custom === "function" ? String(custom.call(u)) : ""
    }]
  ]
  if (options.inspect !== undefined) printers.push(["inspect", options.inspect])

  /** Fails if any printer shows a 16-character window of `secretPem`'s body (windows that also occur in the public
   * key PEM, such as the modulus, are not secret and are skipped). */
  const assertNoMaterial = (value: unknown, secretPem: string, publicPem = "") => {
    const lines = pemBodyLines(secretPem)
    const publicText = pemBodyLines(publicPem).join("")
    assert.isAbove(lines.length, 10)
    for (const [printer, print] of printers) {
      const text = print(value)
      for (const line of lines) {
        // Every 16-character window of the secret body would be a leak; lines are 64 characters long.
        for (let i = 0; i + 16 <= line.length; i += 16) {
          const window = line.slice(i, i + 16)
          if (publicText.includes(window)) continue
          assert.isFalse(text.includes(window), `${printer} output contains private key material`)
        }
      }
    }
  }

  describe(`Signer conformance: ${name}`, () => {
    layer(signerLayer)((it) => {
      describe("published test vectors", () => {
        it.effect("derives the published SPKI public keys from the PKCS#1 private keys, byte for byte", () =>
          Effect.gen(function*() {
            const client = yield* importKey(vectors.keys.client_private_key_pem_pkcs1)
            const server = yield* importKey(vectors.keys.server_private_key_pem_pkcs1)
            assert.strictEqual(client.publicKeyPem, vectors.keys.client_public_key_pem_spki)
            assert.strictEqual(server.publicKeyPem, vectors.keys.server_public_key_pem_spki)
            assert.strictEqual(client.privateKey.modulusLength, 2048)
            assert.isTrue(client.privateKey.extractable)
          }))

        for (const vector of vectors.vectors) {
          it.effect(`signs vector ${vector.id} byte-exactly and verifies it`, () =>
            Effect.gen(function*() {
              const signer = yield* Signer.Signer
              const isClient = vector.signer === "client_private_key"
              const pair = yield* importKey(
                isClient ? vectors.keys.client_private_key_pem_pkcs1 : vectors.keys.server_private_key_pem_pkcs1
              )
              const publicPem = isClient
                ? vectors.keys.client_public_key_pem_spki
                : vectors.keys.server_public_key_pem_spki
              const signature = yield* signer.sign(pair.privateKey, utf8(vector.message_utf8))
              assert.strictEqual(signature, vector.signature_base64)
              yield* signer.verify(publicPem, utf8(vector.message_utf8), vector.signature_base64)
            }))
        }

        it.effect("a vector signed by the server key does not verify with the client key", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const vector = vectors.vectors.find((v) => v.signer === "server_private_key")!
            yield* expectFailure(
              signer.verify(
                vectors.keys.client_public_key_pem_spki,
                utf8(vector.message_utf8),
                vector.signature_base64
              ),
              "SignatureMismatch"
            )
          }))
      })

      describe("keys", () => {
        it.effect("generates an RSA-2048 key pair with a bunq-formatted SPKI PEM that signs and verifies", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const pair = yield* signer.generateKeyPair()
            assert.strictEqual(pair.privateKey.modulusLength, 2048)
            assert.isTrue(pair.privateKey.extractable)
            assert.isTrue(Signer.isPrivateKey(pair.privateKey))
            assert.match(pair.publicKeyPem, PUBLIC_PEM)
            assert.notInclude(pair.publicKeyPem, "\r")
            const decoded = yield* KeyEncoding.decodePublicKeyPem(pair.publicKeyPem)
            assert.strictEqual(decoded.modulusLength, 2048)
            // Public exponent 65537: the SPKI ends with INTEGER 0x010001.
            assert.deepStrictEqual(Array.from(decoded.spki.slice(-5)), [0x02, 0x03, 0x01, 0x00, 0x01])
            const body = utf8("{\"amount\":{\"value\":\"1.00\",\"currency\":\"EUR\"}}")
            const signature = yield* signer.sign(pair.privateKey, body)
            assert.strictEqual(base64ToBytes(signature).length, 256)
            yield* signer.verify(pair.publicKeyPem, body, signature)
          }))

        it.effect("two generated key pairs differ", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const a = yield* signer.generateKeyPair()
            const b = yield* signer.generateKeyPair()
            assert.notStrictEqual(a.publicKeyPem, b.publicKeyPem)
          }))

        it.effect("PKCS#8 export round-trips through import (same public key, same signatures)", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const pair = yield* signer.generateKeyPair()
            const pem = Redacted.value(yield* signer.exportPrivateKeyPem(pair.privateKey))
            assert.match(pem, PRIVATE_PEM)
            const again = yield* signer.importPrivateKeyPem(Redacted.make(pem))
            assert.strictEqual(again.publicKeyPem, pair.publicKeyPem)
            const body = utf8("round trip")
            // RSASSA-PKCS1-v1_5 is deterministic: the same key gives the same signature.
            assert.strictEqual(yield* signer.sign(again.privateKey, body), yield* signer.sign(pair.privateKey, body))
            const pemAgain = Redacted.value(yield* signer.exportPrivateKeyPem(again.privateKey))
            assert.strictEqual(pemAgain, pem)
          }))

        it.effect("a PKCS#1 key exports as PKCS#8 and re-imports to the same key", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const client = yield* importKey(vectors.keys.client_private_key_pem_pkcs1)
            const pkcs8 = Redacted.value(yield* signer.exportPrivateKeyPem(client.privateKey))
            assert.match(pkcs8, PRIVATE_PEM)
            const again = yield* importKey(pkcs8)
            assert.strictEqual(again.publicKeyPem, vectors.keys.client_public_key_pem_spki)
            const vector = vectors.vectors[0]!
            assert.strictEqual(yield* signer.sign(again.privateKey, utf8(vector.message_utf8)), vector.signature_base64)
          }))

        it.effect("accepts CRLF line endings and surrounding whitespace in PEM input", () =>
          Effect.gen(function*() {
            const crlf = `\n  ${vectors.keys.client_private_key_pem_pkcs1.replace(/\n/g, "\r\n")}  \n`
            const pair = yield* importKey(crlf)
            assert.strictEqual(pair.publicKeyPem, vectors.keys.client_public_key_pem_spki)
          }))

        it.effect("non-extractable keys sign but refuse export with NotExtractable", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const generated = yield* signer.generateKeyPair({ extractable: false })
            assert.isFalse(generated.privateKey.extractable)
            yield* expectFailure(signer.exportPrivateKeyPem(generated.privateKey), "NotExtractable")
            const body = utf8("non-extractable")
            yield* signer.verify(generated.publicKeyPem, body, yield* signer.sign(generated.privateKey, body))

            const imported = yield* importKey(vectors.keys.client_private_key_pem_pkcs1, { extractable: false })
            assert.isFalse(imported.privateKey.extractable)
            assert.strictEqual(imported.publicKeyPem, vectors.keys.client_public_key_pem_spki)
            const error = yield* expectFailure(signer.exportPrivateKeyPem(imported.privateKey), "NotExtractable")
            assert.strictEqual(error.operation, "export")
          }))

        it.effect("rejects a PrivateKey made by another implementation with UnsupportedKey", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const alien = Signer.makePrivateKey({
              implementation: "another-implementation",
              modulusLength: 2048,
              extractable: true,
              handle: {}
            })
            yield* expectFailure(signer.sign(alien, utf8("x")), "UnsupportedKey")
            yield* expectFailure(signer.exportPrivateKeyPem(alien), "UnsupportedKey")
          }))
      })

      describe("signing and verifying bytes", () => {
        it.effect("a flipped bit in the body or in the signature fails with SignatureMismatch", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const vector = vectors.vectors[1]!
            const body = utf8(vector.message_utf8)
            const publicPem = vectors.keys.client_public_key_pem_spki
            yield* signer.verify(publicPem, body, vector.signature_base64)
            for (const index of [0, Math.floor(body.length / 2), body.length - 1]) {
              yield* expectFailure(
                signer.verify(publicPem, flipBit(body, index), vector.signature_base64),
                "SignatureMismatch"
              )
            }
            const signature = base64ToBytes(vector.signature_base64)
            for (const index of [0, 128, 255]) {
              const flipped = KeyEncoding.encodeBase64(flipBit(signature, index))
              yield* expectFailure(signer.verify(publicPem, body, flipped), "SignatureMismatch")
            }
            // One byte more or less is a mismatch too, not an encoding error.
            const longer = new Uint8Array(257)
            longer.set(signature)
            yield* expectFailure(signer.verify(publicPem, body, KeyEncoding.encodeBase64(longer)), "SignatureMismatch")
            yield* expectFailure(
              signer.verify(publicPem, body, KeyEncoding.encodeBase64(signature.slice(1))),
              "SignatureMismatch"
            )
          }))

        it.effect("UTF-8 bodies with non-ASCII characters sign and verify as bytes", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const pair = yield* importKey(vectors.keys.client_private_key_pem_pkcs1)
            const text = "{\"description\":\"Café € — naïve 🎉 Überweisung\"}"
            const bytes = utf8(text)
            assert.isAbove(bytes.length, text.length)
            const signature = yield* signer.sign(pair.privateKey, bytes)
            yield* signer.verify(pair.publicKeyPem, bytes, signature)
            // The same text in another byte form (NFD normalization, Latin-1-ish code units) must not verify.
            yield* expectFailure(
              signer.verify(pair.publicKeyPem, utf8(text.normalize("NFD")), signature),
              "SignatureMismatch"
            )
            const codeUnits = Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff)
            yield* expectFailure(signer.verify(pair.publicKeyPem, codeUnits, signature), "SignatureMismatch")
            // Signing a subarray signs exactly its bytes.
            const framed = new Uint8Array(bytes.length + 8)
            framed.set(bytes, 4)
            assert.strictEqual(yield* signer.sign(pair.privateKey, framed.subarray(4, 4 + bytes.length)), signature)
          }))

        it.effect("signs and verifies the empty body", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const pair = yield* importKey(vectors.keys.client_private_key_pem_pkcs1)
            const signature = yield* signer.sign(pair.privateKey, new Uint8Array(0))
            yield* signer.verify(pair.publicKeyPem, new Uint8Array(0), signature)
            yield* expectFailure(signer.verify(pair.publicKeyPem, new Uint8Array([0]), signature), "SignatureMismatch")
          }))

        it.effect("verify keys are cached by PEM text: alternating keys keep verifying correctly", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const client = vectors.vectors.find((v) => v.signer === "client_private_key")!
            const server = vectors.vectors.find((v) => v.signer === "server_private_key")!
            for (let round = 0; round < 3; round++) {
              yield* signer.verify(
                vectors.keys.client_public_key_pem_spki,
                utf8(client.message_utf8),
                client.signature_base64
              )
              yield* signer.verify(
                vectors.keys.server_public_key_pem_spki,
                utf8(server.message_utf8),
                server.signature_base64
              )
              yield* expectFailure(
                signer.verify(
                  vectors.keys.server_public_key_pem_spki,
                  utf8(client.message_utf8),
                  client.signature_base64
                ),
                "SignatureMismatch"
              )
            }
            // Many distinct keys (more than any small cache holds), then the first ones again.
            const fresh = yield* Effect.all(Array.from({ length: 3 }, () => signer.generateKeyPair()))
            for (const pair of fresh) {
              const body = utf8(pair.publicKeyPem)
              yield* signer.verify(pair.publicKeyPem, body, yield* signer.sign(pair.privateKey, body))
            }
            yield* signer.verify(
              vectors.keys.client_public_key_pem_spki,
              utf8(client.message_utf8),
              client.signature_base64
            )
          }))
      })

      describe("typed errors", () => {
        it.effect("malformed private key PEM fails with MalformedPem", () =>
          Effect.gen(function*() {
            const pkcs1 = vectors.keys.client_private_key_pem_pkcs1
            const lines = pkcs1.trimEnd().split("\n")
            const malformed = [
              "",
              "not a pem at all",
              "-----BEGIN PRIVATE KEY-----\n!!!!not base64!!!!\n-----END PRIVATE KEY-----\n",
              "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
              "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
              pkcs1.replace("-----END RSA PRIVATE KEY-----", "-----END PRIVATE KEY-----"),
              pkcs1.replace(/RSA PRIVATE KEY/g, "PRIVATE KEY"),
              [...lines.slice(0, 10), lines.at(-1)!].join("\n"),
              vectors.keys.client_public_key_pem_spki
            ]
            for (const pem of malformed) {
              const error = yield* expectFailure(importKey(pem), "MalformedPem")
              assert.strictEqual(error.operation, "importPrivateKey")
            }
          }))

        it.effect("non-RSA keys fail with UnsupportedKey", () =>
          Effect.gen(function*() {
            const ec = yield* foreignKeyPems({ name: "ECDSA", namedCurve: "P-256" })
            const error = yield* expectFailure(importKey(ec.privatePem), "UnsupportedKey")
            assert.include(error.description, "EC")
            const sec1 = ec.privatePem.replace(/PRIVATE KEY/g, "EC PRIVATE KEY")
            yield* expectFailure(importKey(sec1), "UnsupportedKey")
            const signer = yield* Signer.Signer
            const verifyError = yield* expectFailure(
              signer.verify(ec.publicPem, utf8("x"), vectors.vectors[0]!.signature_base64),
              "UnsupportedKey"
            )
            assert.strictEqual(verifyError.operation, "importPublicKey")
          }))

        it.effect("RSA keys under 2048 bits fail with UnsupportedKey", () =>
          Effect.gen(function*() {
            const small = yield* foreignKeyPems({
              name: "RSASSA-PKCS1-v1_5",
              modulusLength: 1024,
              publicExponent: new Uint8Array([1, 0, 1]),
              hash: "SHA-256"
            })
            const error = yield* expectFailure(importKey(small.privatePem), "UnsupportedKey")
            assert.include(error.description, "1024")
            const signer = yield* Signer.Signer
            yield* expectFailure(
              signer.verify(small.publicPem, utf8("x"), vectors.vectors[0]!.signature_base64),
              "UnsupportedKey"
            )
          }))

        it.effect("signatures that are not standard padded base64 fail with InvalidSignatureEncoding", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const vector = vectors.vectors[0]!
            const bad = [
              "",
              "not base64!",
              "abc",
              vector.signature_base64.replace(/=+$/, ""),
              vector.signature_base64.replace(/\+/g, "-").replace(/\//g, "_"),
              ` ${vector.signature_base64}`,
              `${vector.signature_base64.slice(0, 64)}\n${vector.signature_base64.slice(64)}`
            ]
            for (const signature of bad) {
              if (signature === vector.signature_base64) continue
              const error = yield* expectFailure(
                signer.verify(vectors.keys.client_public_key_pem_spki, utf8(vector.message_utf8), signature),
                "InvalidSignatureEncoding"
              )
              assert.strictEqual(error.operation, "verify")
            }
          }))

        it.effect("a malformed server public key fails with MalformedPem", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const vector = vectors.vectors[0]!
            for (
              const pem of [
                "",
                "garbage",
                vectors.keys.client_public_key_pem_spki.replace("MIIBIjAN", "MIIBIjAA"),
                vectors.keys.client_private_key_pem_pkcs1
              ]
            ) {
              const error = yield* expectFailure(
                signer.verify(pem, utf8(vector.message_utf8), vector.signature_base64),
                "MalformedPem"
              )
              assert.strictEqual(error.operation, "importPublicKey")
            }
          }))
      })

      describe("secrecy", () => {
        it.effect("printing a key pair never shows private key material", () =>
          Effect.gen(function*() {
            const signer = yield* Signer.Signer
            const pair = yield* signer.generateKeyPair()
            const pem = Redacted.value(yield* signer.exportPrivateKeyPem(pair.privateKey))
            assertNoMaterial(pair, pem, pair.publicKeyPem)
            assertNoMaterial(pair.privateKey, pem)
            assertNoMaterial({ nested: { pair } }, pem, pair.publicKeyPem)
            assert.include(String(pair.privateKey), "PrivateKey")
            assert.include(String(pair.privateKey), "2048")

            const imported = yield* importKey(vectors.keys.client_private_key_pem_pkcs1)
            assertNoMaterial(imported, vectors.keys.client_private_key_pem_pkcs1, imported.publicKeyPem)
            assertNoMaterial(
              imported,
              Redacted.value(yield* signer.exportPrivateKeyPem(imported.privateKey)),
              imported.publicKeyPem
            )
            // The exported PEM is Redacted until the caller unwraps it.
            assertNoMaterial(yield* signer.exportPrivateKeyPem(imported.privateKey), pem)
            assert.strictEqual(String(yield* signer.exportPrivateKeyPem(imported.privateKey)), "<redacted>")
          }))

        it.effect("errors never show key material", () =>
          Effect.gen(function*() {
            const pkcs1 = vectors.keys.client_private_key_pem_pkcs1
            const lines = pkcs1.trimEnd().split("\n")
            const truncated = [...lines.slice(0, 20), lines.at(-1)!].join("\n")
            const small = yield* foreignKeyPems({
              name: "RSASSA-PKCS1-v1_5",
              modulusLength: 1024,
              publicExponent: new Uint8Array([1, 0, 1]),
              hash: "SHA-256"
            })
            for (const [pem, reason] of [[truncated, "MalformedPem"], [small.privatePem, "UnsupportedKey"]] as const) {
              const error = yield* expectFailure(importKey(pem), reason)
              assertNoMaterial(error, pem)
              assertNoMaterial(error.message, pem)
            }
          }))
      })
    })
  })
}
