/**
 * @since 0.1.0
 */
export * as BunqNode from "./BunqNode.js"

/**
 * @since 0.1.0
 */
export * as NodeContextStore from "./NodeContextStore.js"

/**
 * @since 0.1.0
 */
export * as NodeErrors from "./NodeErrors.js"

/**
 * @since 0.1.0
 */
export * as NodeSigner from "./NodeSigner.js"

/**
 * @since 0.1.0
 */
export * as UndiciHttpClient from "./UndiciHttpClient.js"

/**
 * @since 0.1.0
 */
export * as Redis from "./Redis.js"

/**
 * @since 0.1.0
 */
export * as RedisContextStore from "./RedisContextStore.js"

/**
 * @since 0.1.0
 */
export * as RedisRateLimiter from "./RedisRateLimiter.js"
