/**
 * Sandbox users: `POST /sandbox-user-person` creates a test user in bunq's sandbox (or the emulator) and returns a
 * new API key for it. Sandbox only.
 *
 * @since 0.1.0
 */
import type { BunqClient } from "@effect-bunq/http/BunqClient"
import type { BunqError } from "@effect-bunq/http/BunqError"
import * as ApiKeySchema from "@effect-bunq/schema/ApiKey"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as programs from "./internal/programs.js"

/**
 * `POST /sandbox-user-person`: a new sandbox person and its API key (`Redacted`). No token, no signature, no body;
 * the response cannot be verified (there is no installation yet).
 *
 * @since 0.1.0
 * @category programs
 */
export const create: () => Effect.Effect<Redacted.Redacted<string>, BunqError, BunqClient> = /* @__PURE__ */ Effect.fn(
  "SandboxUser.create"
)(function*() {
  const apiKey = yield* programs.send(
    { operation: "SandboxUser.create", method: "POST", path: "/sandbox-user-person", auth: { _tag: "None" } },
    ApiKeySchema.decodeCreateResponse
  )
  return apiKey.api_key
})
