/**
 * Moving over from bunq's official SDKs: read the JSON context file they write (`bunq.conf`, from
 * `ApiContext.save()` in the Python, Java, PHP and C# SDKs) into a `SavedContext`, and write a `SavedContext` back in
 * that format.
 *
 * The SDK file holds:
 *
 * ```json
 * {
 *   "api_key": "…",
 *   "environment_type": "SANDBOX",
 *   "installation_context": {
 *     "token": "…",
 *     "private_key_client": "-----BEGIN PRIVATE KEY-----…",
 *     "public_key_client": "-----BEGIN PUBLIC KEY-----…",
 *     "public_key_server": "-----BEGIN PUBLIC KEY-----…"
 *   },
 *   "session_context": { "token": "…", "expiry_time": "2025-05-01 12:00:00.000000", "user_id": 42 }
 * }
 * ```
 *
 * It does not keep the installation, device or session ids: an imported context has them as `None` (bunq's "current
 * session" id `0` closes the session). `expiry_time` is written by the SDKs from the local clock without a zone; it is
 * read as UTC and written back in UTC (`YYYY-MM-DD hh:mm:ss.ffffff`). A session without a usable `user_id` or
 * `expiry_time` is dropped: the installation is what matters, and a new session is opened on first use.
 *
 * The file holds the API key and the private key in clear: keep it as safe as the key itself.
 *
 * @since 0.1.0
 */
import { baseUrls } from "@effect-bunq/http/BunqConfig"
import * as SchemaDecodeError from "@effect-bunq/schema/SchemaDecodeError"
import * as KeyEncoding from "@effect-bunq/signer/KeyEncoding"
import * as Signer from "@effect-bunq/signer/Signer"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as ContextStore from "./ContextStore.js"

/**
 * @since 0.1.0
 * @category errors
 */
export const SdkContextErrorReason = Schema.Literal(
  "InvalidJson",
  "InvalidShape",
  "InvalidKey",
  "UnknownEnvironment",
  "Foreign",
  "KeyNotExportable"
)

/**
 * @since 0.1.0
 * @category errors
 */
export type SdkContextErrorReason = typeof SdkContextErrorReason.Type

/**
 * An SDK context file could not be read or written:
 * - `InvalidJson`, `InvalidShape`: the text is not JSON, or not an SDK context (the description names the path);
 * - `InvalidKey`: the private key does not import, or does not match `public_key_client`;
 * - `UnknownEnvironment`: export of a context whose base URL is neither bunq's sandbox nor production (pass
 *   `environmentType` explicitly);
 * - `Foreign`: export with an API key that is not the one the context belongs to;
 * - `KeyNotExportable`: export of a context whose private key was created non-extractable.
 *
 * @since 0.1.0
 * @category errors
 */
export class SdkContextError extends Schema.TaggedError<SdkContextError>("@effect-bunq/device-server/SdkContextError")(
  "SdkContextError",
  {
    reason: SdkContextErrorReason,
    description: Schema.String,
    cause: Schema.optional(Schema.Defect)
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.reason}: ${this.description}`
  }
}

/**
 * The SDKs' environment names.
 *
 * @since 0.1.0
 * @category models
 */
export type EnvironmentType = "SANDBOX" | "PRODUCTION"

const NullableString = Schema.optionalWith(Schema.String, { nullable: true })

/**
 * The SDK context file (`bunq.conf`). Unknown fields are accepted (the SDKs add some, e.g. `proxy_url`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SdkContextFile = Schema.Struct({
  api_key: Schema.Redacted(Schema.NonEmptyString),
  environment_type: Schema.Literal("SANDBOX", "PRODUCTION"),
  installation_context: Schema.Struct({
    token: Schema.Redacted(Schema.NonEmptyString),
    private_key_client: Schema.Redacted(Schema.NonEmptyString),
    public_key_client: NullableString,
    public_key_server: Schema.NonEmptyString
  }),
  session_context: Schema.optionalWith(
    Schema.Struct({
      token: Schema.Redacted(Schema.NonEmptyString),
      expiry_time: NullableString,
      user_id: Schema.optionalWith(Schema.Number, { nullable: true })
    }),
    { nullable: true }
  ),
  proxy_url: NullableString
})

/**
 * @since 0.1.0
 * @category schemas
 */
export type SdkContextFile = typeof SdkContextFile.Type

/**
 * An imported SDK context: the API key from the file, the context, and the proxy URL the SDK used, if any.
 *
 * @since 0.1.0
 * @category models
 */
export interface Imported {
  readonly apiKey: Redacted.Redacted<string>
  readonly context: ContextStore.SavedContext
  readonly proxyUrl: Option.Option<string>
}

const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * Reads `expiry_time`: `YYYY-MM-DD hh:mm:ss[.f…]` (as UTC; the SDKs write it without a zone), or with a `T` and a
 * `Z`/offset.
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseExpiryTime = (text: string): Option.Option<DateTime.Utc> => {
  const match = timestampPattern.exec(text.trim())
  if (match === null) return Option.none()
  const [, year, month, day, hour, minute, second, fraction, zone] = match
  const millis = fraction === undefined ? "000" : fraction.slice(0, 3).padEnd(3, "0")
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${zone ?? "Z"}`
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return Option.none()
  // Reject impossible dates that Date would roll over (2025-02-30).
  if (zone === undefined && date.toISOString().slice(0, 19) !== iso.slice(0, 19)) return Option.none()
  return DateTime.make(date)
}

/**
 * Writes `expiry_time` the way the SDKs read it: `YYYY-MM-DD hh:mm:ss.ffffff`, in UTC.
 *
 * @since 0.1.0
 * @category encoding
 */
export const formatExpiryTime = (dateTime: DateTime.Utc): string =>
  `${DateTime.formatIso(dateTime).slice(0, 23).replace("T", " ")}000`

// Paths and expected types only: ParseResult's own formatter prints the offending values, and in a bunq.conf those
// are the API key, the tokens and the private key.
const shapeError = (error: ParseResult.ParseError) =>
  new SdkContextError({
    reason: "InvalidShape",
    description: `not an SDK context file: ${SchemaDecodeError.fromParseIssue("the file", error.issue).message}`
  })

/**
 * Read an SDK context file. The environment comes from `environment_type` (bunq's sandbox or production base URL)
 * unless `baseUrl` is given (a proxy, the emulator).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (
  text: string,
  options?: { readonly baseUrl?: string | undefined }
): Effect.Effect<Imported, SdkContextError | Signer.SignerError, Signer.Signer> =>
  Effect.gen(function*() {
    const json = yield* Either.match(Either.try(() => JSON.parse(text) as unknown), {
      onLeft: () => Effect.fail(new SdkContextError({ reason: "InvalidJson", description: "the file is not JSON" })),
      onRight: Effect.succeed
    })
    const file = yield* Effect.mapError(Schema.decodeUnknown(SdkContextFile, { errors: "all" })(json), shapeError)
    const signer = yield* Signer.Signer
    const keyPair = yield* signer.importPrivateKeyPem(file.installation_context.private_key_client).pipe(
      Effect.mapError((error) =>
        new SdkContextError({
          reason: "InvalidKey",
          description: `private_key_client does not import: ${error.message}`,
          cause: error
        })
      )
    )
    const publicKeyClient = file.installation_context.public_key_client
    if (publicKeyClient !== undefined) {
      // compared by the key itself: the SDKs write SPKI, but a PKCS#1 or re-wrapped PEM of the same key is the same
      const same = yield* KeyEncoding.samePublicKey(publicKeyClient, keyPair.publicKeyPem).pipe(
        Effect.mapError((error) =>
          new SdkContextError({
            reason: "InvalidKey",
            description: `public_key_client does not decode: ${error.message}`,
            cause: error
          })
        )
      )
      if (!same) {
        return yield* new SdkContextError({
          reason: "InvalidKey",
          description: "public_key_client is not the public key of private_key_client"
        })
      }
    }
    const session = Option.fromNullable(file.session_context).pipe(
      Option.flatMap((session) =>
        Option.all({
          token: Option.some(session.token),
          expiresAt: Option.flatMap(Option.fromNullable(session.expiry_time), parseExpiryTime),
          userId: Option.filter(Option.fromNullable(session.user_id), Number.isInteger)
        })
      ),
      Option.map((session): ContextStore.SavedSession => ({ id: Option.none(), ...session }))
    )
    const context: ContextStore.SavedContext = {
      version: ContextStore.currentVersion,
      environment: options?.baseUrl ??
        (file.environment_type === "PRODUCTION" ? baseUrls.production : baseUrls.sandbox),
      apiKeyFingerprint: yield* ContextStore.fingerprint(file.api_key),
      keyPair,
      installation: {
        id: Option.none(),
        token: file.installation_context.token,
        serverPublicKey: file.installation_context.public_key_server
      },
      deviceId: Option.none(),
      session
    }
    return { apiKey: file.api_key, context, proxyUrl: Option.fromNullable(file.proxy_url) }
  })

/**
 * Write a context in the SDK format. The API key must be the one the context belongs to (checked by fingerprint).
 * `environmentType` defaults from the context's base URL; a custom base URL needs it explicitly.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (
  context: ContextStore.SavedContext,
  apiKey: Redacted.Redacted<string>,
  options?: { readonly environmentType?: EnvironmentType | undefined }
): Effect.Effect<string, SdkContextError | Signer.SignerError, Signer.Signer> =>
  Effect.gen(function*() {
    if ((yield* ContextStore.fingerprint(apiKey)) !== context.apiKeyFingerprint) {
      return yield* new SdkContextError({
        reason: "Foreign",
        description: "the API key is not the one this context belongs to"
      })
    }
    const environmentType = options?.environmentType ??
      (context.environment === baseUrls.production
        ? "PRODUCTION"
        : context.environment === baseUrls.sandbox
        ? "SANDBOX"
        : undefined)
    if (environmentType === undefined) {
      return yield* new SdkContextError({
        reason: "UnknownEnvironment",
        description: `the base URL ${context.environment} is neither bunq's sandbox nor production; ` +
          "pass environmentType"
      })
    }
    const signer = yield* Signer.Signer
    const privateKeyPem = yield* signer.exportPrivateKeyPem(context.keyPair.privateKey).pipe(
      Effect.mapError((error) =>
        new SdkContextError({
          reason: error.reason === "NotExtractable" ? "KeyNotExportable" : "InvalidKey",
          description: `cannot export the private key: ${error.message}`,
          cause: error
        })
      )
    )
    const file = {
      api_key: Redacted.value(apiKey),
      environment_type: environmentType,
      installation_context: {
        token: Redacted.value(context.installation.token),
        private_key_client: Redacted.value(privateKeyPem),
        public_key_client: context.keyPair.publicKeyPem,
        public_key_server: context.installation.serverPublicKey
      },
      session_context: Option.match(context.session, {
        onNone: () => null,
        onSome: (session) => ({
          token: Redacted.value(session.token),
          expiry_time: formatExpiryTime(session.expiresAt),
          user_id: session.userId
        })
      }),
      proxy_url: null
    }
    return JSON.stringify(file, null, 4)
  })

/**
 * Read an SDK context file and save it in the `ContextStore` under `storeKey` (default `"default"`, the
 * `ApiContext` default), replacing what is there. Returns the API key from the file, for `ApiContext.layer`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const importToStore = (
  text: string,
  options?: { readonly storeKey?: string | undefined; readonly baseUrl?: string | undefined }
): Effect.Effect<
  Redacted.Redacted<string>,
  SdkContextError | Signer.SignerError | ContextStore.ContextStoreError,
  Signer.Signer | ContextStore.ContextStore
> =>
  Effect.gen(function*() {
    const imported = yield* decode(text, options)
    const store = yield* ContextStore.ContextStore
    yield* store.save(options?.storeKey ?? "default", imported.context)
    return imported.apiKey
  })
