/**
 * PSD2 providers: `POST /payment-service-provider-credential`. The installation token authorizes it and the request
 * is signed, like `POST /device-server`; the body's certificate must decode, be valid now, and have signed
 * `client_public_key_signature` over the installation's public key, a newline and the installation token (what
 * bunq's SDKs sign). The answer is a `CredentialPasswordIp` whose `token_value` is the provider's new API key: a
 * `UserPaymentServiceProvider` that registers a device and opens sessions like any user.
 *
 * @internal
 */
import * as CredentialSchema from "@effect-bunq/schema/PaymentServiceProviderCredential"
import * as Certificate from "@effect-bunq/signer/Certificate"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Messages from "./messages.js"
import { timestamp } from "./objects.js"
import type { Family } from "./routes.js"
import { route } from "./routes.js"
import { decodeBody, encoder, fail } from "./state.js"

const invalid = (description: string, translated: string): Messages.Message => ({ description, translated })

const certificateInvalid = invalid(
  "The provided certificate is invalid.",
  "Het opgegeven certificaat is ongeldig."
)
const certificateExpired = invalid(
  "The provided certificate is expired or not yet valid.",
  "Het opgegeven certificaat is verlopen of nog niet geldig."
)
const signatureInvalid = invalid(
  "The public key signature could not be verified with the provided certificate.",
  "De handtekening van de publieke sleutel kon niet worden geverifieerd met het opgegeven certificaat."
)

/** @internal */
export const psd2Routes: Family = ({ env, security, users }) => {
  const { signer, withStore } = env
  const { endpoint, installationAuth } = security

  const createCredential = endpoint(
    "POST",
    "/payment-service-provider-credential",
    installationAuth(true),
    (auth, state) =>
      Effect.gen(function*() {
        const body = yield* decodeBody(CredentialSchema.PaymentServiceProviderCredentialCreateRequest, state)
        const certificate = yield* Effect.orElse(
          Certificate.decodePem(body.client_payment_service_provider_certificate),
          () => fail(400, certificateInvalid)
        )
        yield* Effect.orElse(
          Certificate.decodeChainPem(body.client_payment_service_provider_certificate_chain),
          () => fail(400, certificateInvalid)
        )
        yield* Effect.orElse(
          Certificate.checkValidAt(certificate, new Date(state.now)),
          () => fail(400, certificateExpired)
        )
        const signed = encoder.encode(`${auth.installation.clientPublicKeyPem}\n${auth.installation.token}`)
        yield* Effect.orElse(
          signer.verify(certificate.publicKeyPem, signed, Redacted.value(body.client_public_key_signature)),
          () => fail(400, signatureInvalid)
        )
        const credential = yield* withStore((store) => {
          const user = users.addUser(store, state.now, { type: "payment-service-provider" })
          user.certificateSubject = certificate.subject
          return { id: store.grants.nextCredentialId++, user }
        })
        return {
          items: [{
            CredentialPasswordIp: {
              id: credential.id,
              created: timestamp(state.now),
              updated: timestamp(state.now),
              status: "PENDING_FIRST_USE",
              expiry_time: timestamp(state.now + 60 * 60 * 1000),
              token_value: credential.user.apiKey,
              permitted_device: null
            }
          }]
        }
      })
  )

  return [route("POST", "/payment-service-provider-credential", createCredential)]
}
