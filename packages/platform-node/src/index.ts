/**
 * @since 0.1.0
 */
export * as NodeSigner from "./NodeSigner.js"
