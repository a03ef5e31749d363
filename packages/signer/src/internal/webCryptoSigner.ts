import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Signer from "../Signer.js"
import * as KeyEncoding from "./keyEncoding.js"
import * as Lru from "./lru.js"

/** @internal */
export const IMPLEMENTATION = "webcrypto"

/** @internal */
export const VERIFY_KEY_CACHE_CAPACITY = 32

const ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const

type Operation = Signer.SignerError["operation"]

/** @internal */
export const bufferSource = (bytes: Uint8Array): Uint8Array<ArrayBuffer> =>
  bytes.buffer instanceof ArrayBuffer ? bytes as Uint8Array<ArrayBuffer> : new Uint8Array(bytes)

const subtle = (operation: Operation): Effect.Effect<SubtleCrypto, Signer.SignerError> => {
  const value = globalThis.crypto?.subtle
  return value === undefined
    ? Effect.fail(
      new Signer.SignerError({
        reason: "CryptoFailure",
        operation,
        description: "WebCrypto (crypto.subtle) is not available; browsers expose it only in secure contexts"
      })
    )
    : Effect.succeed(value)
}

const errorName = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "name" in cause && typeof cause.name === "string"
    ? cause.name
    : undefined

const rejected = (operation: Operation, description: string) => (cause: unknown): Signer.SignerError => {
  const name = errorName(cause)
  const reason: Signer.SignerErrorReason = operation === "importPrivateKey" || operation === "importPublicKey"
    ? name === "DataError" ? "MalformedPem" : name === "NotSupportedError" ? "UnsupportedKey" : "CryptoFailure"
    : "CryptoFailure"
  return new Signer.SignerError({
    reason,
    operation,
    description: name === undefined ? description : `${description} (${name})`,
    cause
  })
}

const tryCrypto = <A>(
  operation: Operation,
  description: string,
  f: (subtle: SubtleCrypto) => Promise<A>
): Effect.Effect<A, Signer.SignerError> =>
  Effect.flatMap(
    subtle(operation),
    (s) => Effect.tryPromise({ try: () => f(s), catch: rejected(operation, description) })
  )

const cryptoKeyOf = (key: Signer.PrivateKey, operation: Operation): Effect.Effect<CryptoKey, Signer.SignerError> => {
  const handle = key.handle as Partial<CryptoKey> | undefined
  if (
    !Signer.isPrivateKey(key) || key.implementation !== IMPLEMENTATION || typeof handle !== "object" ||
    handle === null || handle.type !== "private"
  ) {
    return Effect.fail(
      new Signer.SignerError({
        reason: "UnsupportedKey",
        operation,
        description: `the key was made by the "${String(key?.implementation)}" signer, not by the WebCrypto signer`
      })
    )
  }
  return Effect.succeed(handle as CryptoKey)
}

/** @internal */
export const fromCryptoKey = (key: CryptoKey): Effect.Effect<Signer.PrivateKey, Signer.SignerError> =>
  Effect.suspend(() => {
    const algorithm = key?.algorithm as Partial<RsaHashedKeyAlgorithm> | undefined
    const unsupported = (description: string) =>
      Effect.fail(new Signer.SignerError({ reason: "UnsupportedKey", operation: "importPrivateKey", description }))
    if (typeof key !== "object" || key === null || key.type !== "private" || algorithm === undefined) {
      return unsupported("not a WebCrypto private key")
    }
    if (algorithm.name !== ALGORITHM.name || algorithm.hash?.name !== ALGORITHM.hash) {
      return unsupported(
        `the key is for ${String(algorithm.name)} with ${
          String(algorithm.hash?.name)
        }, not RSASSA-PKCS1-v1_5 with SHA-256`
      )
    }
    if (!key.usages.includes("sign")) return unsupported("the key does not allow signing")
    const modulusLength = algorithm.modulusLength ?? 0
    if (modulusLength < KeyEncoding.MIN_MODULUS_BITS) {
      return unsupported(`RSA modulus is ${modulusLength} bits; at least ${KeyEncoding.MIN_MODULUS_BITS} are required`)
    }
    return Effect.succeed(
      Signer.makePrivateKey({
        implementation: IMPLEMENTATION,
        modulusLength,
        extractable: key.extractable,
        handle: key
      })
    )
  })

/** @internal */
export const make: Effect.Effect<Signer.Signer.Service> = Effect.sync(() => {
  const publicKey = Lru.cached(
    VERIFY_KEY_CACHE_CAPACITY,
    (pem) =>
      Effect.flatMap(KeyEncoding.decodePublicKeyPem(pem), (decoded) =>
        tryCrypto(
          "importPublicKey",
          "the platform rejected the public key",
          (s) => s.importKey("spki", bufferSource(decoded.spki), ALGORITHM, false, ["verify"])
        ).pipe(Effect.map((key) => ({ key, modulusLength: decoded.modulusLength }))))
  )

  const generateKeyPair: Signer.Signer.Service["generateKeyPair"] = (options) => {
    const extractable = options?.extractable ?? true
    return tryCrypto(
      "generate",
      "key generation failed",
      (s) =>
        s.generateKey(
          { ...ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
          extractable,
          ["sign", "verify"]
        )
    ).pipe(
      Effect.flatMap((pair) =>
        tryCrypto("generate", "exporting the public key failed", (s) => s.exportKey("spki", pair.publicKey)).pipe(
          Effect.map((spki): Signer.KeyPair => ({
            privateKey: Signer.makePrivateKey({
              implementation: IMPLEMENTATION,
              modulusLength: 2048,
              extractable,
              handle: pair.privateKey
            }),
            publicKeyPem: KeyEncoding.encodePem("PUBLIC KEY", new Uint8Array(spki))
          }))
        )
      )
    )
  }

  const importPrivateKeyPem: Signer.Signer.Service["importPrivateKeyPem"] = (pem, options) => {
    const extractable = options?.extractable ?? true
    return KeyEncoding.decodePrivateKeyPem(Redacted.value(pem)).pipe(
      Effect.flatMap((decoded) =>
        tryCrypto(
          "importPrivateKey",
          "the platform rejected the private key",
          (s) => s.importKey("pkcs8", bufferSource(decoded.pkcs8), ALGORITHM, extractable, ["sign"])
        ).pipe(
          Effect.map((key): Signer.KeyPair => ({
            privateKey: Signer.makePrivateKey({
              implementation: IMPLEMENTATION,
              modulusLength: decoded.modulusLength,
              extractable,
              handle: key
            }),
            publicKeyPem: KeyEncoding.encodePem("PUBLIC KEY", decoded.spki)
          }))
        )
      )
    )
  }

  const exportPrivateKeyPem: Signer.Signer.Service["exportPrivateKeyPem"] = (key) =>
    cryptoKeyOf(key, "export").pipe(
      Effect.flatMap((handle) =>
        key.extractable && handle.extractable
          ? tryCrypto("export", "exporting the private key failed", (s) => s.exportKey("pkcs8", handle)).pipe(
            Effect.map((der) => Redacted.make(KeyEncoding.encodePem("PRIVATE KEY", new Uint8Array(der))))
          )
          : Effect.fail(
            new Signer.SignerError({
              reason: "NotExtractable",
              operation: "export",
              description: "the private key was created non-extractable"
            })
          )
      )
    )

  const sign: Signer.Signer.Service["sign"] = (key, data) =>
    cryptoKeyOf(key, "sign").pipe(
      Effect.flatMap((handle) =>
        tryCrypto("sign", "signing failed", (s) => s.sign(ALGORITHM, handle, bufferSource(data)))
      ),
      Effect.map((signature) => KeyEncoding.encodeBase64(new Uint8Array(signature)))
    )

  const verify: Signer.Signer.Service["verify"] = (publicKeyPem, data, signature) =>
    KeyEncoding.decodeSignature(signature).pipe(
      Effect.flatMap((bytes) =>
        Effect.flatMap(
          publicKey(publicKeyPem),
          ({ key, modulusLength }) =>
            bytes.length !== Math.ceil(modulusLength / 8)
              ? Effect.fail(
                mismatch(`the signature is ${bytes.length} bytes; the key signs ${Math.ceil(modulusLength / 8)}`)
              )
              : tryCrypto(
                "verify",
                "verification failed",
                (s) => s.verify(ALGORITHM, key, bufferSource(bytes), bufferSource(data))
              ).pipe(
                Effect.flatMap((ok) =>
                  ok ? Effect.void : Effect.fail(mismatch("the signature does not match the data"))
                )
              )
        )
      )
    )

  return Signer.Signer.of({ generateKeyPair, importPrivateKeyPem, exportPrivateKeyPem, sign, verify })
})

const mismatch = (description: string): Signer.SignerError =>
  new Signer.SignerError({ reason: "SignatureMismatch", operation: "verify", description })

/** @internal */
export const layer: Layer.Layer<Signer.Signer> = Layer.effect(Signer.Signer, make)
