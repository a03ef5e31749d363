/**
 * The sandbox user's API key: `POST /sandbox-user-person` (and `/sandbox-user-company`) answer
 * `{"Response":[{"ApiKey":{"api_key":"sandbox_…"}}]}` (bunq's spec says `Id` here, which is wrong).
 *
 * ```ts
 * import * as ApiKey from "@effect-bunq/schema/ApiKey"
 *
 * const key = ApiKey.decodeCreateResponse(response.items) // Effect<ApiKey, SchemaDecodeError>; key.api_key is Redacted
 * ```
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Envelope from "./Envelope.js"
import type * as SchemaDecodeError from "./SchemaDecodeError.js"

/**
 * An API key. `api_key` is `Redacted`: printing or logging an `ApiKey` never shows it.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ApiKey extends Schema.Class<ApiKey>("ApiKey")({
  api_key: Schema.Redacted(Schema.NonEmptyString)
}) {}

/**
 * Decodes the answer to `POST /sandbox-user-person` / `POST /sandbox-user-company`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeCreateResponse = (
  source: Envelope.Source
): Effect.Effect<ApiKey, SchemaDecodeError.SchemaDecodeError> => Envelope.pickOne(source, "ApiKey", ApiKey)
