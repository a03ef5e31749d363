/**
 * The three registration calls (installation, device, session) with explicit credentials. `ApiContext` and the
 * public modules both use them; they live here so that the public modules can depend on `ApiContext` without a
 * cycle.
 */
import type { BunqRequest, BunqResponse } from "@effect-bunq/http/BunqClient"
import { BunqClient } from "@effect-bunq/http/BunqClient"
import { DecodeError } from "@effect-bunq/http/BunqError"
import type { BunqError } from "@effect-bunq/http/BunqError"
import * as DeviceServerSchema from "@effect-bunq/schema/DeviceServer"
import * as Envelope from "@effect-bunq/schema/Envelope"
import * as InstallationSchema from "@effect-bunq/schema/Installation"
import { InstallationCreateRequest } from "@effect-bunq/schema/Installation"
import * as CredentialSchema from "@effect-bunq/schema/PaymentServiceProviderCredential"
import type { SchemaDecodeError } from "@effect-bunq/schema/SchemaDecodeError"
import * as SessionServerSchema from "@effect-bunq/schema/SessionServer"
import type * as Signer from "@effect-bunq/signer/Signer"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as ContextStore from "../ContextStore.js"

/**
 * What the calls after installation need: the installation token, the client's private key (to sign) and bunq's
 * server public key (to verify).
 *
 * @internal
 */
export interface InstallationCredentials {
  readonly token: Redacted.Redacted<string>
  readonly privateKey: Signer.PrivateKey
  readonly serverPublicKey: string
}

/**
 * The credentials of a new installation made with `keyPair`.
 *
 * @internal
 */
export const installationCredentials = (
  keyPair: Signer.KeyPair,
  installation: InstallationSchema.Installation
): InstallationCredentials => ({
  token: installation.token.token,
  privateKey: keyPair.privateKey,
  serverPublicKey: installation.serverPublicKey
})

/**
 * The context to save after registering (installation and device), without a session yet. Without a device
 * (`deviceId` `None`): a PSD2 registration saved between its credential and its device, which `ApiContext`
 * completes when it restores it (see `awaitsDevice`).
 *
 * @internal
 */
export const registeredContext = (fields: {
  readonly environment: string
  readonly apiKeyFingerprint: string
  readonly keyPair: Signer.KeyPair
  readonly installation: InstallationSchema.Installation
  readonly deviceId: Option.Option<number>
}): ContextStore.SavedContext => ({
  version: ContextStore.currentVersion,
  environment: fields.environment,
  apiKeyFingerprint: fields.apiKeyFingerprint,
  keyPair: fields.keyPair,
  installation: {
    id: Option.some(fields.installation.id),
    token: fields.installation.token.token,
    serverPublicKey: fields.installation.serverPublicKey
  },
  deviceId: fields.deviceId,
  session: Option.none()
})

/**
 * Whether a saved context has an installation this library made (its id is known) but no device: saved by
 * `Psd2.register` after the credential, when `POST /device-server` or the final save failed. (A context imported from
 * an SDK file knows neither id, and has its device.)
 *
 * @internal
 */
export const awaitsDevice = (context: ContextStore.SavedContext): boolean =>
  Option.isSome(context.installation.id) && Option.isNone(context.deviceId)

/** @internal */
export interface DeviceServerCreateOptions {
  readonly description: string
  readonly secret: Redacted.Redacted<string>
  readonly permittedIps?: ReadonlyArray<string> | undefined
}

/**
 * Decode a verified response's items; a shape bunq does not document becomes the http package's `DecodeError`,
 * carrying the request and response ids.
 *
 * @internal
 */
export const decodeItems = <A>(
  request: Pick<BunqRequest, "operation" | "method" | "path">,
  response: BunqResponse,
  decode: (items: Envelope.Items) => Effect.Effect<A, SchemaDecodeError>
): Effect.Effect<A, DecodeError> =>
  Effect.mapError(decode(response.items), (error) =>
    new DecodeError({
      operation: request.operation,
      method: request.method,
      path: request.path.split("?")[0]!,
      requestId: response.requestId,
      ...(response.responseId === undefined ? {} : { responseId: response.responseId }),
      status: response.status,
      description: error.message
    }))

/** Encoding a request body we built ourselves cannot fail on valid input: a failure is a bug. */
const encodeBody = <A>(effect: Effect.Effect<A, SchemaDecodeError>): Effect.Effect<A> => Effect.orDie(effect)

/** Send a request and decode its items. @internal */
export const send = <A>(
  request: BunqRequest,
  decode: (items: Envelope.Items) => Effect.Effect<A, SchemaDecodeError>
): Effect.Effect<A, BunqError, BunqClient> =>
  Effect.flatMap(
    BunqClient,
    (client) => Effect.flatMap(client.execute(request), (response) => decodeItems(request, response, decode))
  )

/**
 * `POST /installation`: register the client's public key (SPKI PEM). No token, no signature; the response (which
 * carries the server key) cannot be verified.
 *
 * @internal
 */
export const createInstallation: (
  publicKeyPem: string
) => Effect.Effect<InstallationSchema.Installation, BunqError, BunqClient> = /* @__PURE__ */ Effect.fn(
  "Installation.create"
)(
  function*(publicKeyPem: string) {
    const body = yield* encodeBody(
      InstallationSchema.encodeCreateRequest(new InstallationCreateRequest({ client_public_key: publicKeyPem }))
    )
    return yield* send(
      { operation: "Installation.create", method: "POST", path: "/installation", body, auth: { _tag: "None" } },
      InstallationSchema.decodeCreateResponse
    )
  }
)

/**
 * `POST /device-server`: bind the API key to this installation (and IP, unless `permittedIps` has `"*"`).
 *
 * @internal
 */
export const createDeviceServer: (
  credentials: InstallationCredentials,
  options: DeviceServerCreateOptions
) => Effect.Effect<number, BunqError, BunqClient> = /* @__PURE__ */ Effect.fn("DeviceServer.create")(
  function*(credentials: InstallationCredentials, options: DeviceServerCreateOptions) {
    const body = yield* encodeBody(DeviceServerSchema.encodeCreateRequest(
      new DeviceServerSchema.DeviceServerCreateRequest({
        description: options.description,
        secret: options.secret,
        ...(options.permittedIps === undefined ? {} : { permitted_ips: [...options.permittedIps] })
      })
    ))
    return yield* send(
      {
        operation: "DeviceServer.create",
        method: "POST",
        path: "/device-server",
        body,
        auth: { _tag: "Installation", token: credentials.token },
        signWith: credentials.privateKey,
        verifyWith: credentials.serverPublicKey
      },
      DeviceServerSchema.decodeCreateResponse
    )
  }
)

/**
 * `POST /session-server`: open a session with the API key. Installation token, signed.
 *
 * @internal
 */
export const createSessionServer: (
  credentials: InstallationCredentials,
  secret: Redacted.Redacted<string>
) => Effect.Effect<SessionServerSchema.SessionServer, BunqError, BunqClient> = /* @__PURE__ */ Effect.fn(
  "SessionServer.create"
)(
  function*(credentials: InstallationCredentials, secret: Redacted.Redacted<string>) {
    const body = yield* encodeBody(
      SessionServerSchema.encodeCreateRequest(new SessionServerSchema.SessionServerCreateRequest({ secret }))
    )
    return yield* send(
      {
        operation: "SessionServer.create",
        method: "POST",
        path: "/session-server",
        body,
        auth: { _tag: "Installation", token: credentials.token },
        signWith: credentials.privateKey,
        verifyWith: credentials.serverPublicKey
      },
      SessionServerSchema.decodeCreateResponse
    )
  }
)

/**
 * `POST /payment-service-provider-credential`: register a PSD2 provider's certificate for this installation.
 * Installation token, signed. The answer's `token_value` is the provider's API key.
 *
 * @internal
 */
export const createPaymentServiceProviderCredential: (
  credentials: InstallationCredentials,
  options: {
    readonly certificatePem: string
    readonly chainPem: string
    readonly signature: Redacted.Redacted<string>
  }
) => Effect.Effect<CredentialSchema.CredentialPasswordIp, BunqError, BunqClient> = /* @__PURE__ */ Effect.fn(
  "PaymentServiceProviderCredential.create"
)(
  function*(credentials: InstallationCredentials, options: {
    readonly certificatePem: string
    readonly chainPem: string
    readonly signature: Redacted.Redacted<string>
  }) {
    const body = yield* encodeBody(CredentialSchema.encodeCreateRequest(
      new CredentialSchema.PaymentServiceProviderCredentialCreateRequest({
        client_payment_service_provider_certificate: options.certificatePem,
        client_payment_service_provider_certificate_chain: options.chainPem,
        client_public_key_signature: options.signature
      })
    ))
    return yield* send(
      {
        operation: "PaymentServiceProviderCredential.create",
        method: "POST",
        path: "/payment-service-provider-credential",
        body,
        auth: { _tag: "Installation", token: credentials.token },
        signWith: credentials.privateKey,
        verifyWith: credentials.serverPublicKey
      },
      CredentialSchema.decodeCreateResponse
    )
  }
)
