/**
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as ApiKey from "./ApiKey.js"

/**
 * @since 0.1.0
 */
export * as Common from "./Common.js"

/**
 * @since 0.1.0
 */
export * as DeviceServer from "./DeviceServer.js"

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
export * as Installation from "./Installation.js"

/**
 * @since 0.1.0
 */
export * as PaymentServiceProviderCredential from "./PaymentServiceProviderCredential.js"

/**
 * @since 0.1.0
 */
export * as SchemaDecodeError from "./SchemaDecodeError.js"

/**
 * @since 0.1.0
 */
export * as SessionServer from "./SessionServer.js"

/**
 * @since 0.1.0
 */
export * as User from "./User.js"
