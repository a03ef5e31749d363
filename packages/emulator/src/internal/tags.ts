/**
 * The emulator's service tag and its one failure, defined here so internal modules never import values from the
 * public facade (`BunqEmulator.ts` re-exports both).
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type { Emulator as EmulatorNs } from "../BunqEmulator.js"

/** @internal */
export class ConnectionReset extends Data.TaggedError("ConnectionReset")<{
  readonly method: string
  readonly path: string
}> {}

/** @internal */
export class Emulator extends Context.Tag("@effect-bunq/emulator/Emulator")<Emulator, EmulatorNs.Service>() {}

/** @internal */
export class OAuthAuthorizationError extends Data.TaggedError("OAuthAuthorizationError")<{
  readonly description: string
}> {
  override get message(): string {
    return `the emulator's authorization page refuses the request: ${this.description}`
  }
}
