/**
 * Sessions: `POST /session-server` opens one with the API key and returns the session token and the user.
 *
 * `create` takes the installation credentials explicitly; `ApiContext` calls it for you and keeps the session fresh.
 *
 * @since 0.1.0
 */
import type { BunqClient } from "@effect-bunq/http/BunqClient"
import type { BunqError } from "@effect-bunq/http/BunqError"
import type * as SessionServerSchema from "@effect-bunq/schema/SessionServer"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { Credentials } from "./Installation.js"
import * as programs from "./internal/programs.js"

/**
 * `POST /session-server`: open a session with the API key (`secret`). Uses the installation token, signed. The
 * session lasts the user's `session_timeout` seconds (`SessionServer.sessionTimeout` of the schema package).
 *
 * @since 0.1.0
 * @category programs
 */
export const create: (
  credentials: Credentials,
  secret: Redacted.Redacted<string>
) => Effect.Effect<SessionServerSchema.SessionServer, BunqError, BunqClient> = programs.createSessionServer
