/**
 * PSD2: register as a payment service provider with an eIDAS (QSEAL) certificate, and use the API key bunq gives
 * back like any other: an `ApiContext` opens sessions as a `UserPaymentServiceProvider` and keeps them fresh.
 *
 * ```ts
 * import * as ApiContext from "@effect-bunq/device-server/ApiContext"
 * import * as Psd2 from "@effect-bunq/device-server/Psd2"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * declare const certificatePem: string // your QSEAL certificate
 * declare const chainPem: string // its intermediate and root certificates
 * declare const privateKeyPem: Redacted.Redacted<string> // the certificate's private key
 *
 * const program = Effect.gen(function*() {
 *   // once: installation, the credential, the device; the context is saved under `storeKey`
 *   const registration = yield* Psd2.register({ certificatePem, chainPem, privateKeyPem, storeKey: "psd2" })
 *   // keep registration.apiKey (a secret); later runs use ApiContext.layer({ apiKey, storeKey: "psd2" })
 *   return registration.apiKey
 * })
 * ```
 *
 * `register` does, in order: decode the certificate and its chain, check that the certificate is valid now and that
 * it belongs to the private key (a `CertificateError` — `Expired`, `NotYetValid`, `KeyMismatch`, … — before anything
 * is sent); `POST /installation` with a new key pair; sign the installation's public key PEM, a newline and the
 * installation token with the certificate's private key (`client_public_key_signature`, as bunq's SDKs do);
 * `POST /payment-service-provider-credential` with the certificate, the chain and that signature, whose answer holds
 * the provider's API key; save the context (the credential's installation, no device yet); `POST /device-server` with
 * that key; and save the context with its device. The session is opened by the `ApiContext` on the first call, as for
 * any API key (bunq's PSD2 sessions last 90 days; the first one an hour).
 *
 * The API key exists only in bunq's answer to the credential request: it is never stored (the context keeps its
 * fingerprint), so no failure may drop it. Once bunq has created the credential, every failure of `register` (an
 * interruption aside) is a `RegistrationError` that carries the key (`apiKey`, `Redacted`: it never prints) and the
 * credential's id:
 * - `Device`: `POST /device-server` failed. The context is saved without a device; `ApiContext.layer({ apiKey:
 *   error.apiKey, storeKey })` registers the device on the credential's installation when it restores it, and goes
 *   on as if the registration had not stopped.
 * - `Save`: the store failed. `saved` says whether it holds the context (without a device: the final save failed,
 *   `ApiContext` completes it as above) or nothing (the first save failed, and nothing more was sent: with the key,
 *   `ApiContext` registers an installation and a device of its own once the store works; see "Not covered").
 * - `OnRegistered`: `layer`'s `onRegistered` failed; the context is complete and saved.
 *
 * `layer` registers and works in one go, and hands the registration to `onRegistered`, which it requires; given the
 * key of an earlier registration (`apiKey`), it restores that registration's context instead of registering. Nothing
 * in a saved context but the key's fingerprint says which provider it belongs to, so without the key a saved
 * context is never taken over: a second `register` under the same store key fails with `ContextStoreError`
 * `Foreign`, before anything is sent.
 *
 * Certificates and the key load from PEM strings (`Redacted` for the key) or from files (`credentialsFromFiles`).
 *
 * Not covered: when bunq later forgets the installation or device, `ApiContext` registers again with the API key
 * alone (installation and device), without a new credential; bunq may refuse that for a provider. Register again
 * with `register` under a fresh store key then.
 *
 * @since 0.1.0
 */
import type { BunqClient } from "@effect-bunq/http/BunqClient"
import { BunqConfig } from "@effect-bunq/http/BunqConfig"
import type { BunqError } from "@effect-bunq/http/BunqError"
import * as Certificate from "@effect-bunq/signer/Certificate"
import * as Signer from "@effect-bunq/signer/Signer"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as ApiContext from "./ApiContext.js"
import * as ContextStore from "./ContextStore.js"
import * as programs from "./internal/programs.js"

/**
 * The provider's certificate, its chain and the certificate's private key, as PEM.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  /** The QSEAL certificate (`-----BEGIN CERTIFICATE-----`). */
  readonly certificatePem: string
  /** The intermediate and root certificates, one PEM block after the other. */
  readonly chainPem: string
  /** The certificate's RSA private key (PKCS#8 or PKCS#1 PEM). */
  readonly privateKeyPem: Redacted.Redacted<string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RegisterOptions extends Credentials {
  /** The device description bunq shows. Default `"effect-bunq PSD2"`. */
  readonly description?: string | undefined
  /** `permitted_ips` of the device (see `ApiContext.Options`). */
  readonly permittedIps?: ReadonlyArray<string> | undefined
  /** The `ContextStore` key to save the context under. Default `"default"`. It must be free. */
  readonly storeKey?: string | undefined
  /** Whether the installation's private key is extractable (see `ApiContext.Options`). Default `true`. */
  readonly extractableKeys?: boolean | undefined
}

/**
 * What a registration gives: the provider's API key (keep it: later runs restore the saved context with it), the
 * credential's id, the certificate as read, and the store key.
 *
 * @since 0.1.0
 * @category models
 */
export interface Registration {
  readonly apiKey: Redacted.Redacted<string>
  readonly credentialId: number
  readonly certificate: Certificate.Certificate
  readonly storeKey: string
}

/**
 * Which step after the credential failed (see `RegistrationError`).
 *
 * @since 0.1.0
 * @category errors
 */
export const RegistrationErrorReason = Schema.Literal("Device", "Save", "OnRegistered")

/**
 * @since 0.1.0
 * @category errors
 */
export type RegistrationErrorReason = typeof RegistrationErrorReason.Type

/**
 * bunq created the provider's credential, and a later step failed. `reason` says which (see the module
 * documentation): `Device` (`POST /device-server`), `Save` (the `ContextStore`), `OnRegistered` (`layer`'s callback).
 * The error carries what must not be lost: `apiKey`, the provider's API key (`Redacted`: it never reaches a message,
 * a log or JSON), and `credentialId`. `saved` says whether the store holds the context under `storeKey`; then
 * `ApiContext.layer({ apiKey, storeKey })` takes it from there. `cause` is the step's own error.
 *
 * @since 0.1.0
 * @category errors
 */
export class RegistrationError extends Schema.TaggedError<RegistrationError>(
  "@effect-bunq/device-server/Psd2RegistrationError"
)("Psd2RegistrationError", {
  reason: RegistrationErrorReason,
  /** The provider's API key, from the credential bunq created. Keep it (a secrets manager, a 0600 file). */
  apiKey: Schema.Redacted(Schema.String),
  /** The id of the payment-service-provider credential bunq created. */
  credentialId: Schema.Number,
  storeKey: Schema.String,
  /** Whether the store holds the context (the credential's installation; with its device unless `Device`). */
  saved: Schema.Boolean,
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.reason} (PSD2 credential ${this.credentialId}, context "${this.storeKey}"): ${this.description}`
  }
}

/**
 * Everything `register` can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type Psd2Error =
  | Certificate.CertificateError
  | Signer.SignerError
  | BunqError
  | ContextStore.ContextStoreError
  | RegistrationError

/**
 * Read the credentials from PEM files.
 *
 * @since 0.1.0
 * @category constructors
 */
export const credentialsFromFiles = (paths: {
  readonly certificate: string
  readonly chain: string
  readonly privateKey: string
}): Effect.Effect<Credentials, PlatformError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    return {
      certificatePem: yield* fs.readFileString(paths.certificate),
      chainPem: yield* fs.readFileString(paths.chain),
      privateKeyPem: Redacted.make(yield* fs.readFileString(paths.privateKey))
    }
  })

/**
 * Check credentials without sending anything: the certificate and every chain certificate decode and are valid now
 * (by Effect's `Clock`), and the certificate belongs to the private key. Returns the certificate and the imported
 * key (not extractable).
 *
 * @since 0.1.0
 * @category programs
 */
export const check = (
  credentials: Credentials
): Effect.Effect<
  { readonly certificate: Certificate.Certificate; readonly key: Signer.KeyPair },
  Certificate.CertificateError | Signer.SignerError,
  Signer.Signer
> =>
  Effect.gen(function*() {
    const signer = yield* Signer.Signer
    const certificate = yield* Certificate.decodePem(credentials.certificatePem)
    const chain = yield* Certificate.decodeChainPem(credentials.chainPem)
    const now = new Date(yield* Clock.currentTimeMillis)
    for (const each of [certificate, ...chain]) yield* Certificate.checkValidAt(each, now)
    const key = yield* signer.importPrivateKeyPem(credentials.privateKeyPem, { extractable: false })
    yield* Certificate.checkPublicKey(certificate, key.publicKeyPem)
    return { certificate, key }
  }).pipe(Effect.withSpan("Psd2.check"))

/**
 * Register as a PSD2 provider and save the context under `storeKey` (see the module documentation). Fails before
 * anything is sent when the credentials do not `check`, or when `storeKey` holds a context already
 * (`ContextStoreError` `Foreign`: restore it with the API key of the registration that saved it, reset it, or choose
 * another key). After bunq has created the credential, fails only with `RegistrationError`, which carries the API key.
 *
 * @since 0.1.0
 * @category programs
 */
export const register = (
  options: RegisterOptions
): Effect.Effect<Registration, Psd2Error, BunqClient | Signer.Signer | BunqConfig | ContextStore.ContextStore> =>
  Effect.gen(function*() {
    const { certificate, key } = yield* check(options)
    const signer = yield* Signer.Signer
    const store = yield* ContextStore.ContextStore
    const config = yield* BunqConfig
    const storeKey = options.storeKey ?? ApiContext.defaultStoreKey
    return yield* store.withLock(
      storeKey,
      Effect.gen(function*() {
        if (Option.isSome(yield* store.load(storeKey))) {
          return yield* new ContextStore.ContextStoreError({
            reason: "Foreign",
            key: storeKey,
            description: "the store key holds a context already (an earlier registration?): restore it with " +
              "ApiContext.layer and the API key that registration gave (Psd2.layer: its apiKey option), reset it, " +
              "or register under another store key"
          })
        }
        const keyPair = yield* signer.generateKeyPair({ extractable: options.extractableKeys ?? true })
        // Sent and signed without the final newline, byte for byte what bunq's SDKs send and sign.
        const publicKeyPem = keyPair.publicKeyPem.trimEnd()
        const installation = yield* programs.createInstallation(publicKeyPem)
        const signature = yield* signer.sign(
          key.privateKey,
          new TextEncoder().encode(`${publicKeyPem}\n${Redacted.value(installation.token.token)}`)
        )
        const credentials = programs.installationCredentials(keyPair, installation)
        const credential = yield* programs.createPaymentServiceProviderCredential(credentials, {
          certificatePem: certificate.pem,
          chainPem: (yield* Certificate.decodeChainPem(options.chainPem)).map((each) => each.pem).join(""),
          signature: Redacted.make(signature)
        })
        const apiKey = credential.token_value
        // From here on the API key exists only in this fiber: every failure carries it (see RegistrationError).
        const keep = afterCredential({ apiKey, credentialId: credential.id, storeKey })
        const pending = programs.registeredContext({
          environment: config.baseUrl,
          apiKeyFingerprint: yield* keep("Save", false, nothingSaved, ContextStore.fingerprint(apiKey)),
          keyPair,
          installation,
          deviceId: Option.none()
        })
        yield* keep("Save", false, nothingSaved, store.save(storeKey, pending))
        const deviceId = yield* keep(
          "Device",
          true,
          savedWithoutDevice,
          programs.createDeviceServer(credentials, {
            description: options.description ?? "effect-bunq PSD2",
            secret: apiKey,
            permittedIps: options.permittedIps
          })
        )
        yield* keep("Save", true, deviceNotSaved, store.save(storeKey, { ...pending, deviceId: Option.some(deviceId) }))
        return { apiKey, credentialId: credential.id, certificate, storeKey }
      })
    )
  }).pipe(Effect.withSpan("Psd2.register"))

/** What each step after the credential says when it fails: what happened, then what is saved and what to do. */
const nothingSaved = [
  "bunq created the credential, but the context could not be saved",
  "nothing more was sent. Keep this error's apiKey (the provider's API key): ApiContext.layer with it registers a " +
  "device once the store works"
] as const
const savedWithoutDevice = [
  "bunq created the credential, but POST /device-server failed",
  "the context is saved without a device. Keep this error's apiKey (the provider's API key): ApiContext.layer with " +
  "it registers the device on the credential's installation"
] as const
const deviceNotSaved = [
  "bunq created the credential and the device, but the context could not be saved with its device",
  "the store holds it without one, which ApiContext.layer registers again. Keep this error's apiKey (the " +
  "provider's API key)"
] as const
const callbackFailed = [
  "registered and saved, but onRegistered failed",
  "keep this error's apiKey (the provider's API key): ApiContext.layer with it restores the context"
] as const

/**
 * Run a step after the credential: any failure but an interruption (a typed error, a store's defect) becomes a
 * `RegistrationError` carrying the API key, whose message ends with the step's own.
 */
const afterCredential = (registered: {
  readonly apiKey: Redacted.Redacted<string>
  readonly credentialId: number
  readonly storeKey: string
}) =>
<A, E, R>(
  reason: RegistrationErrorReason,
  saved: boolean,
  [failed, advice]: readonly [string, string],
  step: Effect.Effect<A, E, R>
): Effect.Effect<A, RegistrationError, R> =>
  Effect.catchAllCause(step, (cause) => {
    if (Cause.isInterruptedOnly(cause)) return Effect.interrupt
    const error = Cause.squash(cause)
    const detail = error instanceof Error && error.message !== "" ? ` (${error.message})` : ""
    return Effect.fail(
      new RegistrationError({
        ...registered,
        reason,
        saved,
        description: `${failed}${detail}; ${advice}`,
        cause: error
      })
    )
  })

/**
 * @since 0.1.0
 * @category models
 */
export interface LayerOptions extends RegisterOptions {
  /**
   * Receives the registration, to keep its API key (a secrets manager, a 0600 file): required, because nothing else
   * can restore the context later. When it fails (or dies), the layer fails with `RegistrationError`
   * `OnRegistered`, which carries the key.
   */
  readonly onRegistered: (registration: Registration) => Effect.Effect<unknown, unknown>
  /**
   * The API key of an earlier registration (what `onRegistered` kept): given, the layer registers no credential and
   * is `ApiContext.layer` with this key under `storeKey` (the saved context restored; a device registered if that
   * registration stopped before it).
   */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly refreshMargin?: ApiContext.Options["refreshMargin"]
}

/**
 * The `ApiContext` of a provider: without `apiKey`, register (see `register`), hand the registration to
 * `onRegistered`, then the context; with `apiKey`, the context of that earlier registration. So one program serves
 * the first run (`apiKey` unset: register, keep the key) and every later one (`apiKey` set to the key kept).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: LayerOptions
): Layer.Layer<
  ApiContext.ApiContext,
  Psd2Error | ApiContext.ApiContextError | ConfigError.ConfigError,
  BunqClient | Signer.Signer | BunqConfig | ContextStore.ContextStore
> =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const context = (apiKey: Redacted.Redacted<string>, storeKey: string) =>
        ApiContext.layer({
          apiKey,
          storeKey,
          description: options.description ?? "effect-bunq PSD2",
          permittedIps: options.permittedIps,
          refreshMargin: options.refreshMargin,
          extractableKeys: options.extractableKeys
        })
      if (options.apiKey !== undefined) {
        return context(options.apiKey, options.storeKey ?? ApiContext.defaultStoreKey)
      }
      const registration = yield* register(options)
      yield* afterCredential(registration)("OnRegistered", true, callbackFailed, options.onRegistered(registration))
      return context(registration.apiKey, registration.storeKey)
    })
  )
