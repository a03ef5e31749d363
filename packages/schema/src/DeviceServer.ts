/**
 * Device servers: the object returned by `GET /device-server[/{id}]` and the body of `POST /device-server`.
 *
 * ```ts
 * import * as DeviceServer from "@effect-bunq/schema/DeviceServer"
 * import * as Redacted from "effect/Redacted"
 *
 * const body = DeviceServer.encodeCreateRequest(
 *   new DeviceServer.DeviceServerCreateRequest({ description: "my app", secret: Redacted.make(apiKey), permitted_ips: ["*"] })
 * ) // Effect<{ description, secret, permitted_ips }>: the secret is revealed only in this wire object
 * const device = DeviceServer.decodeReadResponse(response.items) // Effect<DeviceServer, SchemaDecodeError>
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { OpenLiteral, optional, Timestamp } from "./Common.js"
import * as Envelope from "./Envelope.js"
import * as SchemaDecodeError from "./SchemaDecodeError.js"

/**
 * The known statuses of a device server. A status bunq adds later still decodes (as its string).
 *
 * @since 0.1.0
 * @category models
 */
export type DeviceServerStatus = OpenLiteral<"ACTIVE" | "BLOCKED" | "NEEDS_CONFIRMATION" | "OBSOLETE">

/**
 * @since 0.1.0
 * @category schemas
 */
export const DeviceServerStatus: Schema.Schema<DeviceServerStatus, string> = OpenLiteral(
  "DeviceServerStatus",
  "ACTIVE",
  "BLOCKED",
  "NEEDS_CONFIRMATION",
  "OBSOLETE"
)

/**
 * A registered device server (`{"DeviceServer":{"id","created","updated","description","ip","status"}}`). `ip` is
 * optional (and may be `null`); unknown fields are ignored.
 *
 * @since 0.1.0
 * @category schemas
 */
export class DeviceServer extends Schema.Class<DeviceServer>("DeviceServer")({
  id: Schema.Int,
  created: Timestamp,
  updated: Timestamp,
  description: Schema.String,
  ip: optional(Schema.String),
  status: DeviceServerStatus
}) {}

/**
 * The body of `POST /device-server`. `secret` is the API key (kept `Redacted`; revealed only by encoding).
 * `permitted_ips` binds the key to IPs: omitted or empty means the calling IP only, `["<ip>", "*"]` makes a
 * wildcard key. When absent the field is omitted from the JSON.
 *
 * @since 0.1.0
 * @category request bodies
 */
export class DeviceServerCreateRequest extends Schema.Class<DeviceServerCreateRequest>("DeviceServerCreateRequest")({
  description: Schema.String,
  secret: Schema.Redacted(Schema.NonEmptyString),
  permitted_ips: optional(Schema.Array(Schema.String))
}) {}

/**
 * Encodes the request body to the JSON object bunq expects (`description`, `secret`, `permitted_ips`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeCreateRequest: (
  request: DeviceServerCreateRequest
) => Effect.Effect<typeof DeviceServerCreateRequest.Encoded, SchemaDecodeError.SchemaDecodeError> = SchemaDecodeError
  .encode(DeviceServerCreateRequest, "DeviceServerCreateRequest")

/**
 * Decodes the answer to `POST /device-server`: the new device server's id.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeCreateResponse = (
  source: Envelope.Source
): Effect.Effect<number, SchemaDecodeError.SchemaDecodeError> => Envelope.createdId(source)

/**
 * Decodes the answer to `GET /device-server/{id}`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeReadResponse = (
  source: Envelope.Source
): Effect.Effect<DeviceServer, SchemaDecodeError.SchemaDecodeError> =>
  Envelope.pickOne(source, "DeviceServer", DeviceServer)

/**
 * Decodes one page of `GET /device-server`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeListResponse = (
  source: Envelope.Source
): Effect.Effect<Array<DeviceServer>, SchemaDecodeError.SchemaDecodeError> =>
  Envelope.pickAll(source, "DeviceServer", DeviceServer)

/**
 * Whether a status is one bunq documented when this package was written.
 *
 * @since 0.1.0
 * @category guards
 */
export const isKnownStatus = (status: string): status is "ACTIVE" | "BLOCKED" | "NEEDS_CONFIRMATION" | "OBSOLETE" =>
  status === "ACTIVE" || status === "BLOCKED" || status === "NEEDS_CONFIRMATION" || status === "OBSOLETE"
