/**
 * PSD2 provider credentials: the body of `POST /payment-service-provider-credential` (the provider's QSEAL
 * certificate, its chain, and the signature proving the installation's key belongs to the certificate's holder) and
 * bunq's answer, a `CredentialPasswordIp` whose `token_value` is the provider's API key.
 *
 * ```ts
 * import * as Credential from "@effect-bunq/schema/PaymentServiceProviderCredential"
 *
 * const credential = Credential.decodeCreateResponse(response.items) // Effect<CredentialPasswordIp, SchemaDecodeError>
 * // credential.token_value: Redacted API key for POST /device-server and /session-server
 * ```
 *
 * The answer's shape is what bunq's official SDKs read (`CredentialPasswordIp`; the OpenAPI spec says `Id`, as for
 * the sandbox user's key).
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { optional } from "./Common.js"
import * as Envelope from "./Envelope.js"
import * as SchemaDecodeError from "./SchemaDecodeError.js"

/**
 * The body of `POST /payment-service-provider-credential`: the certificate (PEM), the intermediate and root
 * certificates (PEM, one after the other) and `client_public_key_signature`, the base64 RSA-SHA256 signature of the
 * installation's public key PEM, a newline and the installation token, made with the certificate's private key
 * (`Redacted`, revealed only by encoding).
 *
 * @since 0.1.0
 * @category request bodies
 */
export class PaymentServiceProviderCredentialCreateRequest
  extends Schema.Class<PaymentServiceProviderCredentialCreateRequest>("PaymentServiceProviderCredentialCreateRequest")({
    client_payment_service_provider_certificate: Schema.NonEmptyString,
    client_payment_service_provider_certificate_chain: Schema.NonEmptyString,
    client_public_key_signature: Schema.Redacted(Schema.NonEmptyString)
  })
{}

/**
 * Encodes the request body to the JSON object bunq expects.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeCreateRequest: (
  request: PaymentServiceProviderCredentialCreateRequest
) => Effect.Effect<
  typeof PaymentServiceProviderCredentialCreateRequest.Encoded,
  SchemaDecodeError.SchemaDecodeError
> = SchemaDecodeError.encode(
  PaymentServiceProviderCredentialCreateRequest,
  "PaymentServiceProviderCredentialCreateRequest"
)

/**
 * A credential (`{"CredentialPasswordIp":{...}}`): its id, status (`PENDING_FIRST_USE`, `ACTIVE`, …) and, until it is
 * first used, `token_value`, the API key (`Redacted`).
 *
 * @since 0.1.0
 * @category schemas
 */
export class CredentialPasswordIp extends Schema.Class<CredentialPasswordIp>("CredentialPasswordIp")({
  id: Schema.Int,
  status: optional(Schema.String),
  expiry_time: optional(Schema.String),
  token_value: Schema.Redacted(Schema.NonEmptyString)
}) {}

/**
 * Decodes the answer to `POST /payment-service-provider-credential`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeCreateResponse = (
  source: Envelope.Source
): Effect.Effect<CredentialPasswordIp, SchemaDecodeError.SchemaDecodeError> =>
  Envelope.pickOne(source, "CredentialPasswordIp", CredentialPasswordIp)
