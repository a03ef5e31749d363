/**
 * X.509 certificates as a PSD2 provider needs them: read a certificate (and its chain) from PEM, and check, before
 * anything is sent to bunq, that it is valid now and that it belongs to the private key that will sign with it.
 *
 * ```ts
 * import * as Certificate from "@effect-bunq/signer/Certificate"
 * import * as Effect from "effect/Effect"
 *
 * const check = (certificatePem: string, publicKeyPem: string) =>
 *   Effect.gen(function*() {
 *     const certificate = yield* Certificate.decodePem(certificatePem)
 *     yield* Certificate.checkValidAt(certificate, new Date())
 *     yield* Certificate.checkPublicKey(certificate, publicKeyPem)
 *     return certificate.subject // "CN=My App PISP AISP, C=NL"
 *   })
 * ```
 *
 * Why a hand-written reader: the checks need three fields of the certificate (validity, subject, public key), and the
 * package already has a strict DER reader for RSA keys (`KeyEncoding`). A general X.509 library (`@peculiar/x509`,
 * `pkijs`, `node-forge`) would add 100–300 KB and a dependency tree to every browser bundle for fields we read in
 * ~150 lines; `node:crypto`'s `X509Certificate` is Node-only, and WebCrypto does not parse certificates. The tests
 * cross-check every field against `node:crypto` on certificates generated at test time. Chains and certificate
 * signatures are not validated here: bunq does that when the certificate is registered.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as internal from "./internal/certificate.js"
import * as KeyEncoding from "./internal/keyEncoding.js"
import { bufferSource } from "./internal/webCryptoSigner.js"
import { SignerError } from "./Signer.js"

/**
 * A decoded certificate. Only RSA certificates (2048 bits or more) decode: bunq's PSD2 signatures are RSA-SHA256.
 *
 * @since 0.1.0
 * @category models
 */
export interface Certificate {
  /** The certificate as PEM (`-----BEGIN CERTIFICATE-----`, LF, 64 columns, trailing newline). */
  readonly pem: string
  readonly der: Uint8Array
  /** The subject's public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly publicKeyPem: string
  readonly modulusLength: number
  readonly notBefore: Date
  readonly notAfter: Date
  /** The subject's distinguished name, e.g. `CN=My App PISP AISP, C=NL`. */
  readonly subject: string
  readonly issuer: string
}

/**
 * @since 0.1.0
 * @category errors
 */
export const CertificateErrorReason = Schema.Literal(
  "Malformed",
  "UnsupportedKey",
  "Expired",
  "NotYetValid",
  "KeyMismatch"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type CertificateErrorReason = typeof CertificateErrorReason.Type

/**
 * A certificate that cannot be used. `reason` says why:
 * - `Malformed`: not a PEM `CERTIFICATE` block (or a block cut off), or its DER is not an X.509 certificate;
 * - `UnsupportedKey`: its key is not RSA, or shorter than 2048 bits;
 * - `Expired` / `NotYetValid`: outside its validity period;
 * - `KeyMismatch`: it does not belong to the private key given with it.
 *
 * @since 0.1.0
 * @category errors
 */
export class CertificateError extends Schema.TaggedError<CertificateError>("@effect-bunq/signer/CertificateError")(
  "CertificateError",
  {
    reason: CertificateErrorReason,
    description: Schema.String,
    /** The certificate's subject, when it decoded. */
    subject: Schema.optional(Schema.String)
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.reason}: ${this.description}${this.subject === undefined ? "" : ` (${this.subject})`}`
  }
}

const toCertificate = (decoded: internal.DecodedCertificate): Certificate => ({
  pem: KeyEncoding.encodePem("CERTIFICATE", decoded.der),
  der: decoded.der,
  publicKeyPem: KeyEncoding.encodePem("PUBLIC KEY", decoded.spki),
  modulusLength: decoded.modulusLength,
  notBefore: decoded.notBefore,
  notAfter: decoded.notAfter,
  subject: decoded.subject,
  issuer: decoded.issuer
})

const lift = <A>(f: () => A): Effect.Effect<A, CertificateError> =>
  Effect.try({
    try: f,
    catch: (error) =>
      error instanceof internal.CertificateDecodeError
        ? new CertificateError({ reason: error.reason, description: error.description })
        : new CertificateError({ reason: "Malformed", description: "the certificate could not be decoded" })
  })

/**
 * Decodes the certificates of a PEM text, in order: a single certificate or a chain (intermediates and root, as
 * bunq wants `client_payment_service_provider_certificate_chain`). Text between the blocks (openssl's `subject=`
 * lines) is ignored; a block that is cut off (a `BEGIN` line without its `END` line, or the reverse) is `Malformed`,
 * never skipped.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeChainPem = (text: string): Effect.Effect<ReadonlyArray<Certificate>, CertificateError> =>
  lift(() => internal.decodePemBlocks(text).map(toCertificate))

/**
 * Decodes a PEM text holding exactly one certificate.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodePem = (text: string): Effect.Effect<Certificate, CertificateError> =>
  Effect.flatMap(decodeChainPem(text), (certificates) =>
    certificates.length === 1
      ? Effect.succeed(certificates[0]!)
      : Effect.fail(
        new CertificateError({
          reason: "Malformed",
          description: `expected one certificate, found ${certificates.length} (pass the chain separately)`
        })
      ))

/**
 * Fails with `Expired` or `NotYetValid` when `now` is outside the certificate's validity period.
 *
 * @since 0.1.0
 * @category checks
 */
export const checkValidAt = (certificate: Certificate, now: Date): Effect.Effect<void, CertificateError> => {
  if (now.getTime() > certificate.notAfter.getTime()) {
    return Effect.fail(
      new CertificateError({
        reason: "Expired",
        description: `the certificate expired on ${certificate.notAfter.toISOString()}`,
        subject: certificate.subject
      })
    )
  }
  if (now.getTime() < certificate.notBefore.getTime()) {
    return Effect.fail(
      new CertificateError({
        reason: "NotYetValid",
        description: `the certificate is valid from ${certificate.notBefore.toISOString()}`,
        subject: certificate.subject
      })
    )
  }
  return Effect.void
}

/**
 * Fails with `KeyMismatch` unless the certificate's public key is `publicKeyPem` (SPKI or PKCS#1 PEM): the public
 * half of the private key that will sign for it (`Signer.importPrivateKeyPem` returns it).
 *
 * @since 0.1.0
 * @category checks
 */
export const checkPublicKey = (
  certificate: Certificate,
  publicKeyPem: string
): Effect.Effect<void, CertificateError> =>
  Effect.flatMap(
    lift(() => KeyEncoding.samePublicKeySync(publicKeyPem, certificate.publicKeyPem)),
    (same) =>
      same ? Effect.void : Effect.fail(
        new CertificateError({
          reason: "KeyMismatch",
          description: "the certificate does not belong to the private key given with it",
          subject: certificate.subject
        })
      )
  )

/**
 * A certificate made by `makeTest`, with its private key (PKCS#8 PEM, `Redacted`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TestCertificate {
  readonly certificatePem: string
  readonly privateKeyPem: Redacted.Redacted<string>
  readonly commonName: string
  readonly country?: string | undefined
}

/**
 * Options of `makeTest`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeTestOptions {
  /** The subject's common name; bunq's sandbox reads the PSD2 roles from it (`"My App PISP AISP"`). */
  readonly commonName: string
  /** The subject's country (two letters). */
  readonly country?: string | undefined
  /** Default: one hour ago. */
  readonly notBefore?: Date | undefined
  /** Default: one day from now. */
  readonly notAfter?: Date | undefined
  /** The certificate that signs this one (e.g. a test root); default: self-signed. */
  readonly issuer?: TestCertificate | undefined
}

const rsa = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const

/**
 * Make an RSA-2048 certificate with WebCrypto (browsers and Node), self-signed or signed by `issuer`: for tests
 * and for bunq's sandbox, which accepts pseudo certificates (what bunq's docs make with `openssl req -x509`). Never
 * a certificate for production: bunq's production API wants a QSEAL certificate from a qualified trust service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeTest = (options: MakeTestOptions): Effect.Effect<TestCertificate, SignerError> =>
  Effect.tryPromise({
    try: async () => {
      const subtle = globalThis.crypto.subtle
      const keys = await subtle.generateKey(
        { ...rsa, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
        true,
        ["sign", "verify"]
      )
      const spki = new Uint8Array(await subtle.exportKey("spki", keys.publicKey))
      const pkcs8 = new Uint8Array(await subtle.exportKey("pkcs8", keys.privateKey))
      const signingKey = options.issuer === undefined ? keys.privateKey : await subtle.importKey(
        "pkcs8",
        bufferSource(KeyEncoding.decodePrivateKeyPemSync(Redacted.value(options.issuer.privateKeyPem)).pkcs8),
        rsa,
        false,
        ["sign"]
      )
      const serial = globalThis.crypto.getRandomValues(new Uint8Array(8))
      serial[0] = serial[0]! & 0x7f
      const subject = { commonName: options.commonName, country: options.country }
      const now = Date.now()
      const tbs = internal.encodeTbs({
        serial,
        issuer: options.issuer ?? subject,
        subject,
        notBefore: options.notBefore ?? new Date(now - 60 * 60 * 1000),
        notAfter: options.notAfter ?? new Date(now + 24 * 60 * 60 * 1000),
        spki
      })
      const signature = new Uint8Array(await subtle.sign(rsa, signingKey, bufferSource(tbs)))
      return {
        certificatePem: KeyEncoding.encodePem("CERTIFICATE", internal.encodeCertificate(tbs, signature)),
        privateKeyPem: Redacted.make(KeyEncoding.encodePem("PRIVATE KEY", pkcs8)),
        ...subject
      }
    },
    catch: (cause) =>
      new SignerError({
        reason: "CryptoFailure",
        operation: "generate",
        description: "could not make the test certificate",
        cause
      })
  })
