/**
 * Key and signature encodings shared by `Signer` implementations, so every implementation parses PEM, classifies
 * keys and decodes signatures the same way (and fails with the same `SignerError` reasons).
 *
 * Pure TypeScript, no platform crypto: runs in browsers and Node.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as internal from "./internal/keyEncoding.js"
import * as lru from "./internal/lru.js"
import type { SignerError } from "./Signer.js"

/**
 * A private key decoded from PEM: PKCS#8 DER (PKCS#1 input is wrapped in a PKCS#8 envelope), the SPKI DER of its
 * public key, and the modulus length in bits.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodedPrivateKey {
  readonly pkcs8: Uint8Array
  readonly spki: Uint8Array
  readonly modulusLength: number
}

/**
 * A public key decoded from PEM: SPKI DER (PKCS#1 `RSA PUBLIC KEY` input is wrapped) and the modulus length in bits.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodedPublicKey {
  readonly spki: Uint8Array
  readonly modulusLength: number
}

/**
 * Decodes a private key PEM (`BEGIN PRIVATE KEY` or `BEGIN RSA PRIVATE KEY`). Fails with `MalformedPem` when the
 * text, base64 or DER does not parse, and `UnsupportedKey` for non-RSA keys (EC, Ed25519, RSA-PSS, …), encrypted
 * keys, multi-prime keys and moduli under 2048 bits.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodePrivateKeyPem: (pem: string) => Effect.Effect<DecodedPrivateKey, SignerError> =
  internal.decodePrivateKeyPem

/**
 * Decodes a public key PEM (`BEGIN PUBLIC KEY`, or `BEGIN RSA PUBLIC KEY`). Same failures as
 * {@link decodePrivateKeyPem}, with operation `importPublicKey`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodePublicKeyPem: (pem: string) => Effect.Effect<DecodedPublicKey, SignerError> =
  internal.decodePublicKeyPem

/**
 * Decodes a base64 signature: standard alphabet, padded, no whitespace, non-empty. Fails with
 * `InvalidSignatureEncoding` otherwise.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeSignature: (signature: string) => Effect.Effect<Uint8Array, SignerError> = internal.decodeSignature

/**
 * Whether two public key PEMs hold the same RSA key: each may be SPKI (`BEGIN PUBLIC KEY`) or PKCS#1
 * (`BEGIN RSA PUBLIC KEY`), with any line layout; they are compared by the key itself (modulus and exponent). Fails
 * like {@link decodePublicKeyPem} when either does not decode.
 *
 * @since 0.1.0
 * @category decoding
 */
export const samePublicKey: (a: string, b: string) => Effect.Effect<boolean, SignerError> = internal.samePublicKey

/**
 * Encodes DER as PEM: `-----BEGIN <label>-----`, LF line endings, 64-column lines, trailing newline.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodePem: (label: string, der: Uint8Array) => string = internal.encodePem

/**
 * Standard base64 (padded) of bytes.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeBase64: (bytes: Uint8Array) => string = internal.encodeBase64

/**
 * Import each public key once: `importKey` wrapped so that what it returns is kept by PEM text, the least recently
 * used dropped beyond `capacity`; a failure is not kept (the next call tries again). Signers verify every response
 * with bunq's server public key, so they import it through this.
 *
 * @since 0.1.0
 * @category constructors
 */
export const cachePublicKeys: <A, E>(
  capacity: number,
  importKey: (pem: string) => Effect.Effect<A, E>
) => (pem: string) => Effect.Effect<A, E> = lru.cached
