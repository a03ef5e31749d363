/**
 * @since 0.1.0
 */
export * as ContextStore from "./ContextStore.js"
