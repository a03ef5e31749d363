/**
 * @since 0.1.0
 */
export * as Certificate from "./Certificate.js"

/**
 * @since 0.1.0
 */
export * as KeyEncoding from "./KeyEncoding.js"

/**
 * @since 0.1.0
 */
export * as Signer from "./Signer.js"

/**
 * @since 0.1.0
 */
export * as WebCryptoSigner from "./WebCryptoSigner.js"
