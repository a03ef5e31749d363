/**
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as Common from "./Common.js"

/**
 * @since 0.1.0
 */
export * as Envelope from "./Envelope.js"

/**
 * @since 0.1.0
 */
export * as ErrorBody from "./ErrorBody.js"

/**
 * @since 0.1.0
 */
export * as SchemaDecodeError from "./SchemaDecodeError.js"
