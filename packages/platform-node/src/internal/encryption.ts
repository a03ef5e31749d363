/**
 * Encryption at rest for saved contexts: AES-256-GCM under a key derived with scrypt (a fresh random salt and IV each
 * time), in a JSON envelope. The one scheme for every saved context at rest: the file store uses it, and the Redis
 * store too, with `path` naming the Redis entry instead of a file.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import { SecureFileError } from "./secureFile.js"

const FORMAT = "effect-bunq/encrypted-file"

/** The scrypt cost used for new files (N = 2^17, r = 8, p = 1: 128 MiB; unlock time in `pnpm bench`). @internal */
export const scryptParams = { N: 2 ** 17, r: 8, p: 1 } as const

/**
 * The scrypt parameters a file may ask for: N a power of two in 2^15..2^20, r in 1..16, p in 1..4, and at most
 * 256 MiB of memory (128 · N · r bytes). Anything else is `Corrupt`, refused before any work.
 *
 * @internal
 */
export const validScryptParams = (
  params: { readonly N: unknown; readonly r: unknown; readonly p: unknown }
): boolean => {
  const { N, p, r } = params
  return typeof N === "number" && typeof r === "number" && typeof p === "number" &&
    Number.isInteger(N) && Number.isInteger(r) && Number.isInteger(p) &&
    N >= 2 ** 15 && N <= 2 ** 20 && (N & (N - 1)) === 0 &&
    r >= 1 && r <= 16 && p >= 1 && p <= 4 && 128 * N * r <= 256 * 1024 * 1024
}

interface EncryptedEnvelope {
  readonly format: typeof FORMAT
  readonly version: 1
  readonly kdf: "scrypt"
  readonly N: number
  readonly r: number
  readonly p: number
  readonly salt: string
  readonly iv: string
  readonly tag: string
  readonly ciphertext: string
}

const deriveKey = (
  passphrase: Redacted.Redacted<string>,
  salt: Uint8Array,
  params: { readonly N: number; readonly r: number; readonly p: number },
  path: string
) =>
  Effect.async<Buffer, SecureFileError>((resume) => {
    const invalid = (cause: unknown) =>
      Effect.fail(
        new SecureFileError({ reason: "Corrupt", path, description: "invalid key-derivation parameters", cause })
      )
    if (!validScryptParams(params)) return resume(invalid(undefined))
    // Node throws (RangeError) for parameters it rejects, instead of calling back.
    try {
      Crypto.scrypt(
        Redacted.value(passphrase).normalize("NFC"),
        salt,
        32,
        { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r },
        (error, key) =>
          resume(
            error
              ? Effect.fail(
                new SecureFileError({
                  reason: "Corrupt",
                  path,
                  description: "invalid key-derivation parameters",
                  cause: error
                })
              )
              : Effect.succeed(key)
          )
      )
    } catch (error) {
      resume(invalid(error))
    }
  })

/**
 * Whether a passphrase is given and empty. The stores refuse one (`ContextStoreError` `Unsafe`, before they read or
 * write anything) rather than encrypt under a key anyone can derive: an empty passphrase is a variable that was
 * meant to be set (`BUNQ_CONTEXT_PASSPHRASE=` in a deployment), or an empty passphrase file.
 *
 * @internal
 */
export const isEmptyPassphrase = (passphrase: Option.Option<Redacted.Redacted<string>>): boolean =>
  Option.isSome(passphrase) && Redacted.value(passphrase.value) === ""

/** Encrypts text with AES-256-GCM under a key derived from the passphrase with scrypt and a fresh random salt. @internal */
export const encrypt = (
  plaintext: string,
  passphrase: Redacted.Redacted<string>,
  path: string
): Effect.Effect<string, SecureFileError> =>
  Effect.gen(function*() {
    const salt = Crypto.randomBytes(16)
    const iv = Crypto.randomBytes(12)
    const key = yield* deriveKey(passphrase, salt, scryptParams, path)
    const cipher = Crypto.createCipheriv("aes-256-gcm", key, iv)
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
    const envelope: EncryptedEnvelope = {
      format: FORMAT,
      version: 1,
      kdf: "scrypt",
      ...scryptParams,
      salt: salt.toString("base64"),
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      ciphertext: ciphertext.toString("base64")
    }
    return JSON.stringify(envelope, null, 2) + "\n"
  })

const isEncryptedEnvelope = (u: unknown): u is EncryptedEnvelope =>
  typeof u === "object" && u !== null && (u as { format?: unknown }).format === FORMAT

/** Whether a file's text is an encrypted envelope (decided without a passphrase). @internal */
export const isEncrypted = (text: string): boolean => {
  try {
    return isEncryptedEnvelope(JSON.parse(text))
  } catch {
    return false
  }
}

/**
 * Decrypts an encrypted envelope. A wrong passphrase (the GCM tag does not verify) is `WrongPassphrase`; a damaged
 * envelope (or scrypt parameters out of bounds) is `Corrupt`; an envelope of a newer version is `UnsupportedVersion`.
 * Plain text given no passphrase is returned as is; plain text given a passphrase is `NotEncrypted` (a file that
 * should be encrypted and is not was replaced or never encrypted: never used silently); an encrypted file without a
 * passphrase is `PassphraseRequired`.
 *
 * @internal
 */
export const decrypt = (
  text: string,
  passphrase: Option.Option<Redacted.Redacted<string>>,
  path: string
): Effect.Effect<string, SecureFileError> =>
  Effect.gen(function*() {
    if (!isEncrypted(text)) {
      if (Option.isNone(passphrase)) return text
      return yield* new SecureFileError({
        reason: "NotEncrypted",
        path,
        description:
          "a passphrase is set but what is stored is not encrypted (replaced, or written without the passphrase)"
      })
    }
    if (Option.isNone(passphrase)) {
      return yield* new SecureFileError({
        reason: "PassphraseRequired",
        path,
        description: "what is stored is encrypted: give the passphrase (BUNQ_CONTEXT_PASSPHRASE or --passphrase)"
      })
    }
    const envelope = JSON.parse(text) as EncryptedEnvelope
    const corrupt = (description: string, cause?: unknown) =>
      new SecureFileError({ reason: "Corrupt", path, description, cause })
    if (typeof envelope.version === "number" && Number.isInteger(envelope.version) && envelope.version > 1) {
      return yield* new SecureFileError({
        reason: "UnsupportedVersion",
        path,
        description: `the encrypted file has envelope version ${envelope.version}; this library reads version 1`
      })
    }
    if (
      envelope.version !== 1 || envelope.kdf !== "scrypt" || typeof envelope.salt !== "string" ||
      typeof envelope.iv !== "string" || typeof envelope.tag !== "string" || typeof envelope.ciphertext !== "string" ||
      !validScryptParams(envelope)
    ) {
      return yield* corrupt("the encrypted envelope is damaged or of an unknown version")
    }
    const salt = Buffer.from(envelope.salt, "base64")
    const iv = Buffer.from(envelope.iv, "base64")
    const tag = Buffer.from(envelope.tag, "base64")
    if (iv.length !== 12 || tag.length !== 16) return yield* corrupt("the encrypted envelope is damaged")
    const key = yield* deriveKey(passphrase.value, salt, envelope, path)
    return yield* Effect.try({
      try: () => {
        const decipher = Crypto.createDecipheriv("aes-256-gcm", key, iv)
        decipher.setAuthTag(tag)
        return Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, "base64")), decipher.final()]).toString(
          "utf8"
        )
      },
      catch: (cause) =>
        new SecureFileError({
          reason: "WrongPassphrase",
          path,
          description: "the passphrase does not decrypt what is stored (or it was altered)",
          cause
        })
    })
  })
