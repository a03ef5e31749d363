/**
 * @since 0.1.0
 */
export * as BunqClient from "./BunqClient.js"

/**
 * @since 0.1.0
 */
export * as BunqError from "./BunqError.js"

/**
 * @since 0.1.0
 */
export * as BunqConfig from "./BunqConfig.js"

/**
 * @since 0.1.0
 */
export * as Pagination from "./Pagination.js"

/**
 * @since 0.1.0
 */
export * as BunqRateLimiter from "./BunqRateLimiter.js"
