/**
 * The `Signer` service on WebCrypto (`globalThis.crypto.subtle`): runs in browsers (secure contexts) and in Node.
 *
 * Private keys are `CryptoKey` handles (non-extractable when asked); PKCS#1 PEM is wrapped into PKCS#8 before
 * import, since WebCrypto only takes PKCS#8. Imported server public keys are cached by PEM text (bounded, LRU).
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as internal from "./internal/webCryptoSigner.js"
import type * as Signer from "./Signer.js"

/**
 * Builds the service. Each service has its own cache of imported verification keys.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Signer.Signer.Service> = internal.make

/**
 * Wraps a WebCrypto private key (RSASSA-PKCS1-v1_5, SHA-256, usage `sign`, ≥ 2048 bits) as a `PrivateKey` of this
 * implementation: for stores that persist the `CryptoKey` itself (IndexedDB keeps non-extractable keys). Fails with
 * `UnsupportedKey` for any other key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromCryptoKey: (key: CryptoKey) => Effect.Effect<Signer.PrivateKey, Signer.SignerError> =
  internal.fromCryptoKey

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Signer.Signer> = internal.layer
