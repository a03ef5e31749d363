import * as Data from "effect/Data"

/**
 * A usage problem found by the CLI itself (not by `@effect/cli`'s parser): exit code 2.
 *
 * @internal
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly description: string }> {
  override get message(): string {
    return this.description
  }
}

/**
 * A failure the CLI reports in its own words (a missing file, no saved context): exit code 1.
 *
 * @internal
 */
export class CliError extends Data.TaggedError("CliError")<{ readonly description: string }> {
  override get message(): string {
    return this.description
  }
}

/** @internal */
export interface Rendered {
  readonly exitCode: number
  /** One line for humans. */
  readonly line: string
  /** The JSON object written to stderr with `--json`. */
  readonly json: Record<string, unknown>
}

const pick = (error: object, keys: ReadonlyArray<string>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const key of keys) {
    const value = (error as Record<string, unknown>)[key]
    if (value !== undefined) out[key] = value
  }
  return out
}

/**
 * Turn a failure into one clear line and a JSON object. Only fields known to hold no secret are copied: the tag,
 * reason, status, descriptions, method, path, request and response ids, and the error's own `message` (which the
 * library keeps free of secrets).
 *
 * @internal
 */
export const render = (error: unknown): Rendered => {
  if (typeof error !== "object" || error === null || !("_tag" in error)) {
    return { exitCode: 1, line: `error: ${String(error)}`, json: { error: "Unknown", message: String(error) } }
  }
  const tag = String(error._tag)
  const message = "message" in error && typeof error.message === "string" ? error.message : tag
  const json = {
    error: tag,
    ...pick(error, ["reason", "status", "method", "path", "requestId", "responseId", "key", "operation"]),
    ...("descriptions" in error && Array.isArray(error.descriptions)
      ? { descriptions: error.descriptions.map((d: { description: string }) => d.description) }
      : {}),
    message
  }
  switch (tag) {
    case "UsageError":
      return { exitCode: 2, line: `usage: ${message}`, json }
    case "ApiError":
      return { exitCode: 1, line: `bunq error ${message}`, json }
    case "ResponseVerificationError":
      return {
        exitCode: 1,
        line: `the response signature did not verify — refusing to trust it (${message})`,
        json
      }
    case "TransportError":
      return { exitCode: 1, line: `could not reach bunq: ${message}`, json }
    case "DecodeError":
      return { exitCode: 1, line: `unexpected response from bunq: ${message}`, json }
    case "ContextStoreError":
      return { exitCode: 1, line: `saved context: ${message}`, json }
    case "SdkContextError":
      return { exitCode: 1, line: `SDK context file: ${message}`, json }
    case "SignerError":
      return { exitCode: 1, line: `crypto: ${message}`, json }
    case "SystemError":
    case "BadArgument":
      return { exitCode: 1, line: `file: ${message}`, json: { error: tag, message } }
    default:
      return { exitCode: 1, line: `error: ${message}`, json }
  }
}
