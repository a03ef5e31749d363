/**
 * Building blocks shared by every bunq object: `Timestamp`, `Id`, `Uuid`, `Token`, `ServerPublicKey`, PEM text and
 * open enums.
 *
 * All object schemas ignore unknown fields when decoding (bunq adds fields over time) and encode only the fields they
 * model, under bunq's JSON names.
 *
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as optional_ from "./internal/optional.js"
import * as timestamp from "./internal/timestamp.js"

/**
 * A bunq timestamp, `YYYY-MM-DD hh:mm:ss.ssssss` in UTC, as a `DateTime.Utc`.
 *
 * `DateTime` keeps milliseconds; encoding a decoded value gives back exactly the text it came from (microseconds
 * included). A `DateTime` built in code encodes with its milliseconds followed by `000`. Decoding also accepts
 * fewer fraction digits, no fraction, and `T` as separator; it rejects impossible dates such as `2015-02-30`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Timestamp: Schema.Schema<DateTime.Utc, string> = Schema.transformOrFail(
  Schema.String,
  Schema.DateTimeUtcFromSelf,
  {
    strict: true,
    decode: (text, _, ast) =>
      Option.match(timestamp.parse(text), {
        onNone: () => ParseResult.fail(new ParseResult.Type(ast, text)),
        onSome: ParseResult.succeed
      }),
    encode: (dateTime, _, ast) =>
      Option.match(timestamp.format(dateTime), {
        onNone: () => ParseResult.fail(new ParseResult.Type(ast, dateTime)),
        onSome: ParseResult.succeed
      })
  }
).annotations({ identifier: "Timestamp", description: "a bunq timestamp YYYY-MM-DD hh:mm:ss.ssssss (UTC)" })

/**
 * Formats a `DateTime.Utc` the way bunq writes timestamps (`2015-06-13 23:19:16.215000`); a decoded timestamp gives
 * back its original text.
 *
 * @since 0.1.0
 * @category encoding
 */
export const formatTimestamp = (dateTime: DateTime.Utc): Option.Option<string> => timestamp.format(dateTime)

/**
 * An enum that bunq may extend: the known values are listed in the type (for completion and exhaustive checks on
 * them), and any other string still decodes.
 *
 * @since 0.1.0
 * @category models
 */
export type OpenLiteral<Known extends string> = Known | (string & {})

/**
 * A schema for an `OpenLiteral`: any string decodes, the known values are documented.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OpenLiteral = <const Known extends ReadonlyArray<string>>(
  identifier: string,
  ...known: Known
): Schema.Schema<OpenLiteral<Known[number]>, string> =>
  Schema.String.annotations({
    identifier,
    description: `one of ${known.join(", ")} (or a value bunq adds later)`
  }) as unknown as Schema.Schema<OpenLiteral<Known[number]>, string>

/**
 * An optional field that also accepts `null` (decoded as absent) and is omitted when encoding an absent value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const optional = <A, I>(
  schema: Schema.Schema<A, I, never>
): Schema.optionalWith<Schema.Schema<A, I, never>, { nullable: true; exact: true }> => optional_.nullableExact(schema)

/**
 * An object id (`{"Id":{"id":1561}}` is the answer to most creates).
 *
 * @since 0.1.0
 * @category schemas
 */
export class Id extends Schema.Class<Id>("Id")({
  id: Schema.Int
}) {}

/**
 * An object UUID (`{"Uuid":{"uuid":"…"}}`, the answer to some creates).
 *
 * @since 0.1.0
 * @category schemas
 */
export class Uuid extends /* @__PURE__ */ Schema.Class<Uuid>("Uuid")({
  uuid: Schema.String
}) {}

/**
 * A token: the installation token (from `POST /installation`) or the session token (from `POST /session-server`).
 * `token` is `Redacted`: printing, logging or `JSON.stringify` of a `Token` shows `<redacted>`.
 * `created`/`updated` are sometimes absent (older responses, OAuth sessions).
 *
 * @since 0.1.0
 * @category schemas
 */
export class Token extends Schema.Class<Token>("Token")({
  id: Schema.Int,
  created: optional(Timestamp),
  updated: optional(Timestamp),
  token: Schema.Redacted(Schema.NonEmptyString)
}) {}

const PEM_PATTERN = /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n?$/

/**
 * Normalizes PEM text: CRLF becomes LF, and a double-escaped PEM (literal backslash-n sequences instead of newlines,
 * as in bunq's old documentation examples) gets real newlines. Other text is returned unchanged.
 *
 * @since 0.1.0
 * @category encoding
 */
export const normalizePem = (text: string): string => {
  const lf = text.replace(/\r\n/g, "\n")
  return lf.includes("\\n") && !lf.includes("\n") ? lf.replace(/\\n/g, "\n") : lf
}

/**
 * An RSA public key as SPKI PEM text (`-----BEGIN PUBLIC KEY-----`).
 *
 * Decision on bunq's double-escaped example (`\\n` instead of newlines): it is **normalized** to real newlines
 * (see `normalizePem`), so decoding gives a PEM a crypto library can import. Anything that is not a `PUBLIC KEY` PEM
 * block after normalization (a PKCS#1 `RSA PUBLIC KEY`, a private key, garbage) is a decode error. Encoding writes
 * the normalized text.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PublicKeyPem: Schema.Schema<string, string> = Schema.transformOrFail(Schema.String, Schema.String, {
  strict: true,
  decode: (text, _, ast) => {
    const pem = normalizePem(text)
    return PEM_PATTERN.test(pem) ? ParseResult.succeed(pem) : ParseResult.fail(new ParseResult.Type(ast, text))
  },
  encode: (pem, _, ast) =>
    PEM_PATTERN.test(pem) ? ParseResult.succeed(pem) : ParseResult.fail(new ParseResult.Type(ast, pem))
}).annotations({ identifier: "PublicKeyPem", description: "an SPKI PEM public key (-----BEGIN PUBLIC KEY-----)" })

/**
 * bunq's public key for this installation (`{"ServerPublicKey":{"server_public_key":"<PEM>"}}`): it verifies the
 * `X-Bunq-Server-Signature` of every response after installation.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ServerPublicKey extends Schema.Class<ServerPublicKey>("ServerPublicKey")({
  server_public_key: PublicKeyPem
}) {}

/**
 * An amount of money, `{"value":"12.50","currency":"EUR"}` (the value is a decimal string).
 *
 * @since 0.1.0
 * @category schemas
 */
export class Amount extends Schema.Class<Amount>("Amount")({
  value: Schema.String,
  currency: Schema.String
}) {}
