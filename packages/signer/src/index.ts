/**
 * @since 0.1.0
 */
export * as Signer from "./Signer.js"
