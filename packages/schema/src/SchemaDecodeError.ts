/**
 * `SchemaDecodeError`: the one typed failure of every decoder in this package, and `decodeUnknown`-style helpers
 * that return it.
 *
 * The error names what was being decoded (`target`), the path inside the input and the type that was expected. It
 * never holds or prints the input values themselves, so a malformed response that carries a token or an API key
 * cannot leak it through an error message or a log line.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as issues from "./internal/issues.js"
import * as items_ from "./internal/items.js"

/**
 * Why decoding failed.
 *
 * - `InvalidJson`: the text is not JSON.
 * - `MissingObject`: the `Response` array has no object of a required type (e.g. no `"Token"`).
 * - `InvalidShape`: a value does not have the expected type (a missing field, a wrong type, a bad timestamp).
 * - `EncodeFailed`: a value could not be encoded (only from the `encode` helpers).
 *
 * @since 0.1.0
 * @category errors
 */
export const SchemaDecodeErrorReason: Schema.Literal<["InvalidJson", "MissingObject", "InvalidShape", "EncodeFailed"]> =
  Schema.Literal("InvalidJson", "MissingObject", "InvalidShape", "EncodeFailed")

/**
 * @since 0.1.0
 * @category errors
 */
export type SchemaDecodeErrorReason = typeof SchemaDecodeErrorReason.Type

/**
 * One problem found while decoding: where (`path`, keys and array indexes from the decoded input's root) and what
 * was expected. No input values.
 *
 * @since 0.1.0
 * @category errors
 */
export class SchemaIssue extends Schema.Class<SchemaIssue>("@effect-bunq/schema/SchemaIssue")({
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  message: Schema.String
}) {}

/**
 * A bunq payload (or a value to encode) does not have the expected shape.
 *
 * `message` reads like `Cannot decode DeviceServer: ["status"] expected string`.
 *
 * @since 0.1.0
 * @category errors
 */
export class SchemaDecodeError extends Schema.TaggedError<SchemaDecodeError>("@effect-bunq/schema/SchemaDecodeError")(
  "SchemaDecodeError",
  {
    reason: SchemaDecodeErrorReason,
    /** What was being decoded, e.g. `"DeviceServer"` or `"Installation.CreateResponse"`. */
    target: Schema.String,
    /** The first problems found (at most 10). */
    issues: Schema.Array(SchemaIssue),
    /** How many problems were found in total (may exceed `issues.length`). */
    issueCount: Schema.Number
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const verb = this.reason === "EncodeFailed" ? "encode" : "decode"
    const details = this.issues.map((issue) =>
      issue.path.length === 0 ? issue.message : `${issues.formatPath(issue.path)} ${issue.message}`
    )
    const more = this.issueCount > this.issues.length ? ` (and ${this.issueCount - this.issues.length} more)` : ""
    return `Cannot ${verb} ${this.target}: ${details.join("; ")}${more}`
  }
}

/**
 * Builds a `SchemaDecodeError` from a `ParseIssue`, keeping paths and expected types and dropping every value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromParseIssue = (
  target: string,
  issue: ParseResult.ParseIssue,
  options?: { readonly encoding?: boolean | undefined }
): SchemaDecodeError => {
  const flat = issues.flatten(issue)
  const reason: SchemaDecodeErrorReason = options?.encoding === true
    ? "EncodeFailed"
    : flat.missingObject
    ? "MissingObject"
    : "InvalidShape"
  // the fields are built here from a ParseIssue: skip the constructors' validation
  return new SchemaDecodeError({
    reason,
    target,
    issues: flat.lines.map((line) => new SchemaIssue(line, true)),
    issueCount: flat.total
  }, true)
}

const targetOf = (schema: Schema.Schema.Any, target: string | undefined): string =>
  target ?? issues.describeAst(schema.ast)

/**
 * Decodes an unknown value (parsed JSON) with a schema. Unknown fields are ignored. Never throws: every problem is a
 * `SchemaDecodeError` naming `target` (default: the schema's identifier).
 *
 * @example
 * ```ts
 * import * as SchemaDecodeError from "@effect-bunq/schema/SchemaDecodeError"
 * import * as DeviceServer from "@effect-bunq/schema/DeviceServer"
 *
 * const program = SchemaDecodeError.decodeUnknown(DeviceServer.DeviceServer)(json)
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUnknown = <A, I>(
  schema: Schema.Schema<A, I, never>,
  target?: string
): (input: unknown) => Effect.Effect<A, SchemaDecodeError> => {
  const decode = ParseResult.decodeUnknown(schema, items_.parseOptions)
  const name = targetOf(schema, target)
  return (input) => Effect.mapError(decode(input), (issue) => fromParseIssue(name, issue))
}

/**
 * Synchronous variant of `decodeUnknown`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUnknownEither = <A, I>(
  schema: Schema.Schema<A, I, never>,
  target?: string
): (input: unknown) => Either.Either<A, SchemaDecodeError> => {
  const decode = ParseResult.decodeUnknownEither(schema, items_.parseOptions)
  const name = targetOf(schema, target)
  return (input) => Either.mapLeft(decode(input), (issue) => fromParseIssue(name, issue))
}

/**
 * Parses JSON text, then decodes it. Text that is not JSON fails with reason `InvalidJson` (the text is not quoted in
 * the error).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeJson = <A, I>(
  schema: Schema.Schema<A, I, never>,
  target?: string
): (text: string) => Effect.Effect<A, SchemaDecodeError> => {
  const decode = decodeUnknown(schema, target)
  const name = targetOf(schema, target)
  return (text) =>
    Effect.flatMap(
      Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: () =>
          new SchemaDecodeError({
            reason: "InvalidJson",
            target: name,
            issues: [new SchemaIssue({ path: [], message: "is not valid JSON" })],
            issueCount: 1
          })
      }),
      decode
    )
}

/**
 * Encodes a value with a schema (e.g. a request body to its JSON object, with `Redacted` secrets revealed for the
 * wire). Fails with reason `EncodeFailed`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = <A, I>(
  schema: Schema.Schema<A, I, never>,
  target?: string
): (value: A) => Effect.Effect<I, SchemaDecodeError> => {
  const run = ParseResult.encode(schema, items_.parseOptions)
  const name = targetOf(schema, target)
  return (value) => Effect.mapError(run(value), (issue) => fromParseIssue(name, issue, { encoding: true }))
}

/**
 * Prefixes every issue path of an error, e.g. with `["Response", 2, "Token"]`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const prefixPath: {
  (prefix: ReadonlyArray<string | number>): (self: SchemaDecodeError) => SchemaDecodeError
  (self: SchemaDecodeError, prefix: ReadonlyArray<string | number>): SchemaDecodeError
} = /* @__PURE__ */ dual(
  2,
  (self: SchemaDecodeError, prefix: ReadonlyArray<string | number>): SchemaDecodeError =>
    new SchemaDecodeError({
      reason: self.reason,
      target: self.target,
      issues: self.issues.map((issue) => new SchemaIssue({ path: [...prefix, ...issue.path], message: issue.message })),
      issueCount: self.issueCount
    })
)
