/**
 * The `Signer` service: the client's RSA key pair and bunq's signing scheme.
 *
 * bunq signs with RSASSA-PKCS1-v1_5 over SHA-256, base64 (standard alphabet, padded), over the exact body bytes and
 * nothing else. This module holds the abstract service; `WebCryptoSigner` implements it on `crypto.subtle` (browsers
 * and Node) and `@effect-bunq/platform-node/NodeSigner` on `node:crypto`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import { NodeInspectSymbol } from "effect/Inspectable"
import { hasProperty } from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category type ids
 */
export const PrivateKeyTypeId: unique symbol = Symbol.for("@effect-bunq/signer/PrivateKey")

/**
 * @since 0.1.0
 * @category type ids
 */
export type PrivateKeyTypeId = typeof PrivateKeyTypeId

/**
 * An RSA private key held by a `Signer` implementation. `handle` is the implementation's own key object (a WebCrypto
 * `CryptoKey`, a `node:crypto` `KeyObject`); it is opaque to everyone else. Printing, logging or JSON-encoding a
 * `PrivateKey` never shows key material.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrivateKey {
  readonly [PrivateKeyTypeId]: PrivateKeyTypeId
  /** Which implementation made the handle, e.g. `"webcrypto"` or `"node"`. */
  readonly implementation: string
  /** Modulus length in bits (2048 for keys this library generates). */
  readonly modulusLength: number
  /** Whether `exportPrivateKeyPem` can serialize this key. */
  readonly extractable: boolean
  /** The implementation's key object. */
  readonly handle: unknown
}

class PrivateKeyImpl implements PrivateKey {
  readonly [PrivateKeyTypeId]: PrivateKeyTypeId = PrivateKeyTypeId
  // `declare`: assigned in the constructor, so no field initializers are emitted
  declare readonly implementation: string
  declare readonly modulusLength: number
  declare readonly extractable: boolean
  declare readonly handle: unknown
  constructor(options: MakePrivateKeyOptions) {
    this.implementation = options.implementation
    this.modulusLength = options.modulusLength
    this.extractable = options.extractable
    // Not enumerable (nor writable, nor configurable: `defineProperty`'s defaults): structural printers and copies
    // never walk into the platform's key object.
    Object.defineProperty(this, "handle", { value: options.handle })
  }
  toString(): string {
    return `PrivateKey(${this.implementation}, RSA-${this.modulusLength}, ${
      this.extractable ? "extractable" : "non-extractable"
    })`
  }
  toJSON(): unknown {
    return {
      _id: "PrivateKey",
      implementation: this.implementation,
      modulusLength: this.modulusLength,
      extractable: this.extractable
    }
  }
  [NodeInspectSymbol](): string {
    return this.toString()
  }
}

/**
 * Options of {@link makePrivateKey}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MakePrivateKeyOptions {
  readonly implementation: string
  readonly modulusLength: number
  readonly extractable: boolean
  readonly handle: unknown
}

/**
 * Wraps an implementation's key object as a `PrivateKey`. For `Signer` implementations: the result prints and logs as
 * `PrivateKey(<implementation>, RSA-<bits>, <extractable|non-extractable>)`, JSON-encodes as
 * `{ _id: "PrivateKey", implementation, modulusLength, extractable }`, and never shows the handle, which is a
 * non-enumerable property. (So a `PrivateKey` does not survive structured cloning: persist `handle` itself, e.g. a
 * `CryptoKey` in IndexedDB, and rebuild with `WebCryptoSigner.fromCryptoKey`.)
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePrivateKey = (options: MakePrivateKeyOptions): PrivateKey => new PrivateKeyImpl(options)

/**
 * @since 0.1.0
 * @category refinements
 */
export const isPrivateKey = (u: unknown): u is PrivateKey => hasProperty(u, PrivateKeyTypeId)

/**
 * The client's key pair: the private key handle and the public key as SPKI PEM, exactly as bunq expects it in
 * `client_public_key` (`-----BEGIN PUBLIC KEY-----`, LF line endings, 64-column lines, trailing newline).
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyPair {
  readonly privateKey: PrivateKey
  readonly publicKeyPem: string
}

/**
 * @since 0.1.0
 * @category errors
 */
export const SignerErrorReason = Schema.Literal(
  "MalformedPem",
  "UnsupportedKey",
  "InvalidSignatureEncoding",
  "SignatureMismatch",
  "NotExtractable",
  "CryptoFailure"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type SignerErrorReason = typeof SignerErrorReason.Type

/**
 * A failure of the signer. `reason` says which:
 * - `MalformedPem`: the text is not a PEM block of the expected kind, or its base64/DER does not parse;
 * - `UnsupportedKey`: not an RSA key, or a modulus shorter than 2048 bits;
 * - `InvalidSignatureEncoding`: the signature is not valid base64;
 * - `SignatureMismatch`: the signature does not verify over the bytes;
 * - `NotExtractable`: the private key was created non-extractable and cannot be exported;
 * - `CryptoFailure`: the platform's crypto rejected the operation for another reason.
 *
 * The message never contains key material or signature values.
 *
 * @since 0.1.0
 * @category errors
 */
export class SignerError extends Schema.TaggedError<SignerError>("@effect-bunq/signer/SignerError")("SignerError", {
  reason: SignerErrorReason,
  operation: Schema.Literal("generate", "importPrivateKey", "importPublicKey", "export", "sign", "verify", "digest"),
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.operation}: ${this.reason}: ${this.description}`
  }
}

/**
 * Options for key generation.
 *
 * @since 0.1.0
 * @category models
 */
export interface GenerateOptions {
  /**
   * Whether the private key may later be exported as PEM (needed by stores that persist PEM text, such as the Node
   * file store). Defaults to `true`. Browser stores that keep `CryptoKey` objects use `false`.
   */
  readonly extractable?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Signer extends Context.Tag("@effect-bunq/signer/Signer")<Signer, Signer.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace Signer {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** Generate a new RSA-2048 key pair (public exponent 65537). */
    readonly generateKeyPair: (options?: GenerateOptions) => Effect.Effect<KeyPair, SignerError>
    /**
     * Import a private key from PEM (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`) and derive its
     * public key.
     */
    readonly importPrivateKeyPem: (
      pem: Redacted.Redacted<string>,
      options?: GenerateOptions
    ) => Effect.Effect<KeyPair, SignerError>
    /** Export the private key as PKCS#8 PEM (`BEGIN PRIVATE KEY`, LF, 64 columns, trailing newline). */
    readonly exportPrivateKeyPem: (key: PrivateKey) => Effect.Effect<Redacted.Redacted<string>, SignerError>
    /** Sign bytes: base64 (standard, padded) of RSASSA-PKCS1-v1_5 SHA-256. */
    readonly sign: (key: PrivateKey, data: Uint8Array) => Effect.Effect<string, SignerError>
    /**
     * Verify a base64 signature over bytes with a public key given as SPKI PEM (`BEGIN PUBLIC KEY`). Imported keys
     * are cached by PEM text, so repeated verifies with the same server key do not re-parse it. Fails with
     * `SignatureMismatch` when the signature does not verify.
     */
    readonly verify: (
      publicKeyPem: string,
      data: Uint8Array,
      signature: string
    ) => Effect.Effect<void, SignerError>
  }
}
