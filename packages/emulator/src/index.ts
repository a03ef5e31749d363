/**
 * @since 0.1.0
 */
export * as BunqEmulator from "./BunqEmulator.js"

/**
 * @since 0.1.0
 */
export * as BunqEmulatorControl from "./BunqEmulatorControl.js"

/**
 * @since 0.1.0
 */
export * as BunqEmulatorServer from "./BunqEmulatorServer.js"

/**
 * @since 0.1.0
 */
export * as BunqEmulatorTesting from "./BunqEmulatorTesting.js"
