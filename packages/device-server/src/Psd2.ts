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
 * the provider's API key; `POST /device-server` with that key; and save the context. The session is opened by the
 * `ApiContext` on the first call, as for any API key (bunq's PSD2 sessions last 90 days; the first one an hour).
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
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
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
 * (`ContextStoreError` `Foreign`: reset it or choose another key).
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
            description: "the store key holds a context already; reset it or register under another store key"
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
        const deviceId = yield* programs.createDeviceServer(credentials, {
          description: options.description ?? "effect-bunq PSD2",
          secret: credential.token_value,
          permittedIps: options.permittedIps
        })
        const context = programs.registeredContext({
          environment: config.baseUrl,
          apiKeyFingerprint: yield* ContextStore.fingerprint(credential.token_value),
          keyPair,
          installation,
          deviceId
        })
        yield* store.save(storeKey, context)
        return { apiKey: credential.token_value, credentialId: credential.id, certificate, storeKey }
      })
    )
  }).pipe(Effect.withSpan("Psd2.register"))

/**
 * Register, then the `ApiContext` of the registration: for a process that registers and works in one go (tests, a
 * first run). `onRegistered` receives the registration, to keep its API key.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: RegisterOptions & {
    readonly onRegistered?: ((registration: Registration) => Effect.Effect<void>) | undefined
    readonly refreshMargin?: ApiContext.Options["refreshMargin"]
  }
): Layer.Layer<
  ApiContext.ApiContext,
  Psd2Error | ApiContext.ApiContextError | ConfigError.ConfigError,
  BunqClient | Signer.Signer | BunqConfig | ContextStore.ContextStore
> =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const registration = yield* register(options)
      if (options.onRegistered !== undefined) yield* options.onRegistered(registration)
      return ApiContext.layer({
        apiKey: registration.apiKey,
        storeKey: registration.storeKey,
        description: options.description ?? "effect-bunq PSD2",
        permittedIps: options.permittedIps,
        refreshMargin: options.refreshMargin,
        extractableKeys: options.extractableKeys
      })
    })
  )
