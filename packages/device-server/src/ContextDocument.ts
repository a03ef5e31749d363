/**
 * `ContextDocument`: the versioned serialized forms of a `ContextStore.SavedContext`, with the encoders and decoders
 * every store reuses.
 *
 * - `ContextDocumentV1`: the whole context as one JSON document, the private key as PKCS#8 PEM (`privateKeyPem`).
 *   `encodeDocument` / `decodeDocument` (need the `Signer`), `encodeJson` / `decodeJson` for text. Used by
 *   `ContextStore.layerKeyValueStore` and the Node file store.
 * - `ContextFieldsV1`: everything but the private key, for stores that keep the key as an object (IndexedDB and
 *   `CryptoKey`): `encodeFields` / `decodeFields`.
 *
 * Decoders read the `version` field first and fail with `ContextStoreError` `UnsupportedVersion` for a version newer
 * than `currentVersion`, and with `Corrupt` (paths and expected types only, never the stored values) for anything
 * else that does not decode.
 *
 * @since 0.1.0
 */
import * as SchemaDecodeError from "@effect-bunq/schema/SchemaDecodeError"
import * as Signer from "@effect-bunq/signer/Signer"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { SavedContext } from "./ContextStore.js"
import { ContextStoreError } from "./internal/contextStoreError.js"

/**
 * The current version of the saved-context format. Stores write this version; decoders read every version up to it
 * (and migrate older ones).
 *
 * @since 0.1.0
 * @category models
 */
export const currentVersion = 1 as const

const Id = Schema.OptionFromNullOr(Schema.Int)

const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/

/**
 * ISO 8601 text with a zone (what this module writes: `DateTime.formatIso`, UTC with `Z`) ↔ `DateTime.Utc`. It is
 * `Schema.DateTimeUtc` for that text, built on `DateTime.unsafeFromDate` instead of `DateTime.unsafeMake`:
 * `unsafeMake` reads every `DateTime.Input` (date parts, zone-less text) and that code weighs 0.34 KB gzipped in
 * every browser app (esbuild, minified, gzip -9; the API-context app's target is 100 KB).
 */
const IsoDateTimeUtc = Schema.transformOrFail(Schema.String, Schema.DateTimeUtcFromSelf, {
  strict: true,
  decode: (text, _, ast) => {
    const date = new Date(text)
    return hasZone.test(text) && !Number.isNaN(date.getTime())
      ? ParseResult.succeed(DateTime.unsafeFromDate(date))
      : ParseResult.fail(new ParseResult.Type(ast, text, "an ISO 8601 date and time with a zone"))
  },
  encode: (dateTime) => ParseResult.succeed(DateTime.formatIso(dateTime))
}).annotations({ identifier: "IsoDateTimeUtc" })

/**
 * The serialized session (version 1).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SessionV1 = Schema.Struct({
  id: Id,
  token: Schema.Redacted(Schema.NonEmptyString),
  /** ISO 8601, UTC. */
  expiresAt: IsoDateTimeUtc,
  userId: Schema.Int
})

/**
 * Every field of a saved context except the private key (version 1): what a store that keeps the private key in
 * another form (a browser `CryptoKey`) serializes next to it. Encodes to plain JSON.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContextFieldsV1 = Schema.Struct({
  version: Schema.Literal(1),
  environment: Schema.String,
  apiKeyFingerprint: Schema.String,
  publicKeyPem: Schema.String,
  installation: Schema.Struct({
    id: Id,
    token: Schema.Redacted(Schema.NonEmptyString),
    serverPublicKey: Schema.String
  }),
  deviceId: Id,
  session: Schema.OptionFromNullOr(SessionV1)
})

/**
 * @since 0.1.0
 * @category schemas
 */
export type ContextFieldsV1 = typeof ContextFieldsV1.Type

// In a function, so that an app that never reads a whole document (the IndexedDB store) does not bundle it: a bundler
// keeps a module-level spread of `ContextFieldsV1.fields` (a property read it cannot prove free of effects).
const documentFieldsV1 = () => ({
  ...ContextFieldsV1.fields,
  privateKeyPem: Schema.Redacted(Schema.NonEmptyString)
})

/**
 * The whole saved context as one JSON document (version 1): `ContextFieldsV1` plus the private key as PKCS#8 PEM
 * (`privateKeyPem`). Used by stores that persist text (the `KeyValueStore` layer, the Node file store).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContextDocumentV1 = /* @__PURE__ */ Schema.Struct(/* @__PURE__ */ documentFieldsV1())

/**
 * @since 0.1.0
 * @category schemas
 */
export type ContextDocumentV1 = typeof ContextDocumentV1.Type

const corrupt = (key: string, description: string, cause?: unknown) =>
  new ContextStoreError({ reason: "Corrupt", key, description, cause })

/** Read the `version` field first, then decode with that version's schema (and migrate it, once there are more). */
const decodeVersioned = <A, I>(
  key: string,
  input: unknown,
  byVersion: (version: number) => Schema.Schema<A, I> | undefined
): Effect.Effect<A, ContextStoreError> => {
  if (!Predicate.isRecord(input)) {
    return Effect.fail(corrupt(key, "the saved context is not a JSON object"))
  }
  const version = input.version
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    return Effect.fail(corrupt(key, "the saved context has no valid \"version\" field"))
  }
  const schema = byVersion(version)
  if (schema === undefined) {
    return Effect.fail(
      new ContextStoreError({
        reason: "UnsupportedVersion",
        key,
        description: `the saved context has version ${version}; this library reads versions 1 to ${currentVersion}`
      })
    )
  }
  return ParseResult.decodeUnknown(schema)(input).pipe(
    Effect.mapError((issue) =>
      // Paths and expected types only: ParseResult's own formatter would print the stored values (tokens, keys).
      corrupt(key, SchemaDecodeError.fromParseIssue("the saved context", issue).message)
    )
  )
}

/**
 * The fields of a saved context, ready to be JSON-encoded (the private key left out).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeFields = (context: SavedContext): typeof ContextFieldsV1.Encoded =>
  // the schema encodes its own fields only: `keyPair` is left out
  Schema.encodeSync(ContextFieldsV1)({ ...context, publicKeyPem: context.keyPair.publicKeyPem })

/**
 * Decode the fields written by `encodeFields` (any supported version) and join them with the private key kept
 * elsewhere. `key` names the store entry in errors.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeFields = (
  key: string,
  input: unknown,
  privateKey: Signer.PrivateKey
): Effect.Effect<SavedContext, ContextStoreError> =>
  decodeVersioned(key, input, (version) => version === 1 ? ContextFieldsV1 : undefined).pipe(
    Effect.map((fields) => fromFields(fields, privateKey))
  )

const fromFields = (fields: ContextFieldsV1, privateKey: Signer.PrivateKey): SavedContext => ({
  version: fields.version,
  environment: fields.environment,
  apiKeyFingerprint: fields.apiKeyFingerprint,
  keyPair: { privateKey, publicKeyPem: fields.publicKeyPem },
  installation: fields.installation,
  deviceId: fields.deviceId,
  session: fields.session
})

/**
 * The whole saved context as a JSON-ready document, the private key exported as PKCS#8 PEM with the `Signer`.
 * Fails with `KeyNotExportable` when the key was created non-extractable.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeDocument = (
  key: string,
  context: SavedContext
): Effect.Effect<typeof ContextDocumentV1.Encoded, ContextStoreError, Signer.Signer> =>
  Effect.gen(function*() {
    const signer = yield* Signer.Signer
    const privateKeyPem = yield* signer.exportPrivateKeyPem(context.keyPair.privateKey).pipe(
      Effect.mapError((error) =>
        new ContextStoreError({
          reason: error.reason === "NotExtractable" ? "KeyNotExportable" : "Corrupt",
          key,
          description: `cannot export the private key: ${error.message}`,
          cause: error
        })
      )
    )
    return {
      ...encodeFields(context),
      privateKeyPem: Redacted.value(privateKeyPem)
    }
  })

/**
 * Decode a document written by `encodeDocument` (any supported version), importing the private key with the
 * `Signer`. A key PEM that does not import, or a public key that is not the private key's, is `Corrupt`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeDocument = (
  key: string,
  input: unknown
): Effect.Effect<SavedContext, ContextStoreError, Signer.Signer> =>
  Effect.gen(function*() {
    const document = yield* decodeVersioned(key, input, (version) => version === 1 ? ContextDocumentV1 : undefined)
    const signer = yield* Signer.Signer
    const keyPair = yield* signer.importPrivateKeyPem(document.privateKeyPem).pipe(
      Effect.mapError((error) => corrupt(key, `the saved private key does not import: ${error.message}`, error))
    )
    if (normalizePem(keyPair.publicKeyPem) !== normalizePem(document.publicKeyPem)) {
      return yield* corrupt(key, "the saved public key is not the saved private key's")
    }
    return fromFields(document, keyPair.privateKey)
  })

const normalizePem = (pem: string): string => pem.replace(/\s+/g, "")

/**
 * `encodeDocument` as JSON text.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeJson = (
  key: string,
  context: SavedContext
): Effect.Effect<string, ContextStoreError, Signer.Signer> =>
  Effect.map(encodeDocument(key, context), (document) => JSON.stringify(document, null, 2))

/**
 * `decodeDocument` from JSON text; text that is not JSON is `Corrupt`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeJson = (
  key: string,
  text: string
): Effect.Effect<SavedContext, ContextStoreError, Signer.Signer> =>
  Either.match(Either.try(() => JSON.parse(text) as unknown), {
    onLeft: () => Effect.fail(corrupt(key, "the saved context is not valid JSON")),
    onRight: (json) => decodeDocument(key, json)
  })
