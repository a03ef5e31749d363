/**
 * The `BunqError` family: every way a bunq call can fail, as values in the type.
 *
 * - `ApiError`: bunq answered with an error status (`reason` per status, bunq's descriptions, request/response ids);
 * - `TransportError`: the request did not complete (network, timeout, connection reset);
 * - `ResponseVerificationError`: the response's server signature is missing or does not verify, or the echoed
 *   request id is wrong: the response is not trusted and was not parsed;
 * - `DecodeError`: a verified response whose body is not the shape bunq documents.
 *
 * No field or message holds a secret (tokens, API key, signatures).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category errors
 */
export const ApiErrorReason = Schema.Literal(
  "NotModified",
  "BadRequest",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "MethodNotAllowed",
  "TooManyRequests",
  "SignatureRequired",
  "UserError",
  "Maintenance",
  "ServerError",
  "Unknown"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type ApiErrorReason = typeof ApiErrorReason.Type

/**
 * The `reason` for an HTTP status, as listed in bunq's documentation.
 *
 * @since 0.1.0
 * @category errors
 */
export const reasonFromStatus = (status: number): ApiErrorReason =>
  reasons[status] ?? (status >= 500 && status < 600 ? "ServerError" : "Unknown")

/** bunq's documented statuses (a number key: `Object.prototype` has none). */
const reasons: { readonly [status: number]: ApiErrorReason | undefined } = {
  399: "NotModified",
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  429: "TooManyRequests",
  466: "SignatureRequired",
  490: "UserError",
  491: "Maintenance"
}

/**
 * One entry of bunq's `{"Error":[...]}` body.
 *
 * @since 0.1.0
 * @category models
 */
export class ErrorDescription extends Schema.Class<ErrorDescription>("@effect-bunq/http/ErrorDescription")({
  description: Schema.String,
  translated: Schema.optional(Schema.String)
}) {}

const RequestInfo = {
  operation: Schema.String,
  method: Schema.String,
  /** The path without query parameters. */
  path: Schema.String,
  requestId: Schema.String,
  responseId: Schema.optional(Schema.String)
}

/**
 * bunq answered with an error status.
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Schema.TaggedError<ApiError>("@effect-bunq/http/ApiError")("ApiError", {
  ...RequestInfo,
  reason: ApiErrorReason,
  status: Schema.Number,
  descriptions: Schema.Array(ErrorDescription)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    // bunq's text may come from an unsigned error body: control characters (terminal escapes) are stripped
    const text = this.descriptions.map((d) => d.description).join("; ").replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    return `${this.status} ${this.reason}${text.length > 0 ? `: ${text}` : ""} (${this.method} ${this.path}, ` +
      `response id ${this.responseId ?? "none"})`
  }
}

/**
 * The request did not complete: a network failure (`description` names the cause: connection refused, DNS, TLS, reset),
 * a timeout, a browser that blocked it, or a response body over the configured cap (`TooLarge`, not retried). `url`
 * is where it was sent (base URL and path, no query).
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>("@effect-bunq/http/TransportError")(
  "TransportError",
  {
    ...RequestInfo,
    reason: Schema.Literal("Network", "Timeout", "Blocked", "TooLarge"),
    description: Schema.String,
    url: Schema.optional(Schema.String),
    cause: Schema.optional(Schema.Defect)
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.reason}: ${this.description} (${this.method} ${this.url ?? this.path})`
  }
}

/**
 * The response cannot be trusted: its `X-Bunq-Server-Signature` is missing, malformed or does not verify over the
 * raw body, or the echoed `X-Bunq-Client-Request-Id` is not the one sent. The body was not parsed.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseVerificationError extends Schema.TaggedError<ResponseVerificationError>(
  "@effect-bunq/http/ResponseVerificationError"
)("ResponseVerificationError", {
  ...RequestInfo,
  reason: Schema.Literal("MissingSignature", "InvalidSignature", "RequestIdMismatch"),
  status: Schema.Number,
  description: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.reason}: ${this.description} (${this.method} ${this.path}, status ${this.status}, ` +
      `response id ${this.responseId ?? "none"})`
  }
}

/**
 * A verified response whose body is not what bunq documents (not JSON, not the envelope, or an object of the wrong
 * shape). `description` names the path and the expected type, never a secret value.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>("@effect-bunq/http/DecodeError")("DecodeError", {
  ...RequestInfo,
  status: Schema.Number,
  description: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.description} (${this.method} ${this.path}, status ${this.status})`
  }
}

/**
 * @since 0.1.0
 * @category errors
 */
export type BunqError = ApiError | TransportError | ResponseVerificationError | DecodeError
