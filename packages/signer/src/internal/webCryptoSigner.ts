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
): Effect.Effect<A, Signer.SignerError> => {
  const subtle = globalThis.crypto?.subtle
  return subtle === undefined
    ? KeyEncoding.fail(
      "CryptoFailure",
      operation,
      "WebCrypto (crypto.subtle) is not available; browsers expose it only in secure contexts"
    )
    : Effect.tryPromise({ try: () => f(subtle), catch: rejected(operation, description) })
}

const cryptoKeyOf = (key: Signer.PrivateKey, operation: Operation): Effect.Effect<CryptoKey, Signer.SignerError> => {
  const handle = key.handle as Partial<CryptoKey> | undefined
  return !Signer.isPrivateKey(key) || key.implementation !== IMPLEMENTATION || typeof handle !== "object" ||
      handle === null || handle.type !== "private"
    ? KeyEncoding.fail(
      "UnsupportedKey",
      operation,
      `the key was made by the "${String(key?.implementation)}" signer, not by the WebCrypto signer`
    )
    : Effect.succeed(handle as CryptoKey)
}

const privateKey = (handle: CryptoKey, modulusLength: number, extractable: boolean): Signer.PrivateKey =>
  Signer.makePrivateKey({ implementation: IMPLEMENTATION, modulusLength, extractable, handle })

const keyPair = (
  handle: CryptoKey,
  modulusLength: number,
  extractable: boolean,
  spki: ArrayBuffer | Uint8Array
): Signer.KeyPair => ({
  privateKey: privateKey(handle, modulusLength, extractable),
  publicKeyPem: KeyEncoding.encodePem("PUBLIC KEY", new Uint8Array(spki))
})

/** @internal */
export const fromCryptoKey = (key: CryptoKey): Effect.Effect<Signer.PrivateKey, Signer.SignerError> =>
  Effect.suspend(() => {
    const algorithm = key?.algorithm as Partial<RsaHashedKeyAlgorithm> | undefined
    const unsupported = (description: string) => KeyEncoding.fail("UnsupportedKey", "importPrivateKey", description)
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
    return modulusLength < KeyEncoding.MIN_MODULUS_BITS
      ? unsupported(`RSA modulus is ${modulusLength} bits; at least ${KeyEncoding.MIN_MODULUS_BITS} are required`)
      : Effect.succeed(privateKey(key, modulusLength, key.extractable))
  })

/** @internal */
export const make: Effect.Effect<Signer.Signer.Service> = Effect.sync(() => {
  // the imported key and the size of its signatures in bytes
  const publicKey = Lru.cached(
    VERIFY_KEY_CACHE_CAPACITY,
    (pem) =>
      Effect.flatMap(KeyEncoding.decodePublicKeyPem(pem), (decoded) =>
        tryCrypto(
          "importPublicKey",
          "the platform rejected the public key",
          (s) => s.importKey("spki", bufferSource(decoded.spki), ALGORITHM, false, ["verify"])
        ).pipe(Effect.map((key) => ({ key, size: Math.ceil(decoded.modulusLength / 8) }))))
  )

  return Signer.Signer.of({
    generateKeyPair: (options) => {
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
            Effect.map((spki) => keyPair(pair.privateKey, 2048, extractable, spki))
          )
        )
      )
    },

    importPrivateKeyPem: (pem, options) => {
      const extractable = options?.extractable ?? true
      return KeyEncoding.decodePrivateKeyPem(Redacted.value(pem)).pipe(
        Effect.flatMap((decoded) =>
          tryCrypto(
            "importPrivateKey",
            "the platform rejected the private key",
            (s) => s.importKey("pkcs8", bufferSource(decoded.pkcs8), ALGORITHM, extractable, ["sign"])
          ).pipe(Effect.map((key) => keyPair(key, decoded.modulusLength, extractable, decoded.spki)))
        )
      )
    },

    exportPrivateKeyPem: (key) =>
      cryptoKeyOf(key, "export").pipe(
        Effect.flatMap((handle) =>
          key.extractable && handle.extractable
            ? tryCrypto("export", "exporting the private key failed", (s) => s.exportKey("pkcs8", handle)).pipe(
              Effect.map((der) => Redacted.make(KeyEncoding.encodePem("PRIVATE KEY", new Uint8Array(der))))
            )
            : KeyEncoding.fail("NotExtractable", "export", "the private key was created non-extractable")
        )
      ),

    sign: (key, data) =>
      cryptoKeyOf(key, "sign").pipe(
        Effect.flatMap((handle) =>
          tryCrypto("sign", "signing failed", (s) => s.sign(ALGORITHM, handle, bufferSource(data)))
        ),
        Effect.map((signature) => KeyEncoding.encodeBase64(new Uint8Array(signature)))
      ),

    verify: (publicKeyPem, data, signature) =>
      KeyEncoding.decodeSignature(signature).pipe(
        Effect.flatMap((bytes) =>
          Effect.flatMap(
            publicKey(publicKeyPem),
            ({ key, size }) =>
              bytes.length !== size
                ? KeyEncoding.fail(
                  "SignatureMismatch",
                  "verify",
                  `the signature is ${bytes.length} bytes; the key signs ${size}`
                )
                : tryCrypto(
                  "verify",
                  "verification failed",
                  (s) => s.verify(ALGORITHM, key, bufferSource(bytes), bufferSource(data))
                ).pipe(
                  Effect.flatMap((ok) =>
                    ok
                      ? Effect.void
                      : KeyEncoding.fail("SignatureMismatch", "verify", "the signature does not match the data")
                  )
                )
          )
        )
      )
  })
})

// pure: an app that builds the service with `make` does not bundle this layer
/** @internal */
export const layer: Layer.Layer<Signer.Signer> = /* @__PURE__ */ Layer.effect(Signer.Signer, make)
