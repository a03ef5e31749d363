/**
 * @since 0.1.0
 */
export * as BrowserContextStore from "./BrowserContextStore.js"

/**
 * @since 0.1.0
 */
export * as BunqBrowser from "./BunqBrowser.js"
