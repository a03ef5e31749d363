/**
 * bunq's error body, `{"Error":[{"error_description":"…","error_description_translated":"…"}]}`, decoded into a list
 * of descriptions. Extra fields are ignored; `error_description_translated` is optional (and may be `null`).
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { optional } from "./Common.js"
import * as SchemaDecodeError from "./SchemaDecodeError.js"

/**
 * One entry of the `Error` array.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ErrorDescription extends Schema.Class<ErrorDescription>("ErrorDescription")({
  /** bunq's English description, e.g. `"Insufficient authorisation."`. */
  description: Schema.String.pipe(Schema.propertySignature, Schema.fromKey("error_description")),
  /** The description in the request's language (`X-Bunq-Language`), when bunq sends one. */
  translated: optional(Schema.String).pipe(Schema.fromKey("error_description_translated"))
}) {}

/**
 * The whole error body.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ErrorBody extends Schema.Class<ErrorBody>("ErrorBody")({
  Error: Schema.Array(ErrorDescription)
}) {}

/**
 * Decodes a parsed error body into its descriptions.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode: (input: unknown) => Effect.Effect<ErrorBody, SchemaDecodeError.SchemaDecodeError> =
  SchemaDecodeError.decodeUnknown(ErrorBody, "ErrorBody")

/**
 * Parses and decodes an error body text.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeJson: (text: string) => Effect.Effect<ErrorBody, SchemaDecodeError.SchemaDecodeError> =
  /* @__PURE__ */ SchemaDecodeError.decodeJson(ErrorBody, "ErrorBody")

/**
 * bunq's (English) `error_description`s of a decoded body, in order, e.g. `["Insufficient authorisation."]`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const descriptions = (body: ErrorBody): ReadonlyArray<string> => body.Error.map((entry) => entry.description)
