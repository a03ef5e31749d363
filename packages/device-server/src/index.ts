/**
 * @since 0.1.0
 */
export * as ApiContext from "./ApiContext.js"

/**
 * @since 0.1.0
 */
export * as ContextDocument from "./ContextDocument.js"

/**
 * @since 0.1.0
 */
export * as ContextStore from "./ContextStore.js"

/**
 * @since 0.1.0
 */
export * as DeviceServer from "./DeviceServer.js"

/**
 * @since 0.1.0
 */
export * as Installation from "./Installation.js"

/**
 * @since 0.1.0
 */
export * as OAuth from "./OAuth.js"

/**
 * @since 0.1.0
 */
export * as Psd2 from "./Psd2.js"

/**
 * @since 0.1.0
 */
export * as SandboxUser from "./SandboxUser.js"

/**
 * @since 0.1.0
 */
export * as SdkContext from "./SdkContext.js"

/**
 * @since 0.1.0
 */
export * as Session from "./Session.js"

/**
 * @since 0.1.0
 */
export * as SessionServer from "./SessionServer.js"

/**
 * @since 0.1.0
 */
export * as User from "./User.js"
