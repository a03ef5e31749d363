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

/**
 * A request that moves money was sent, but no answer came back that can be trusted (the connection dropped, a
 * timeout, a response that did not verify or decode): bunq may have carried it out. Exit code 1; the message says how
 * to check before trying again (trying again blindly may pay twice).
 *
 * @internal
 */
export class OutcomeUnknown extends Data.TaggedError("OutcomeUnknown")<{
  readonly description: string
  /** The operation (`Payment.create`), method, path and request id of the request whose answer was lost. */
  readonly operation: string
  readonly method: string
  readonly path: string
  readonly requestId: string
  readonly responseId?: string | undefined
  /** Why there is no answer: the transport or verification error's reason (`Network`, `Timeout`, `InvalidSignature`, …), or `DecodeError`. */
  readonly reason: string
}> {
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
 * The way out of a saved-context error: the command (or option) that gets the user going again.
 *
 * @internal
 */
export const contextHint = (reason: string): string | undefined => {
  switch (reason) {
    case "Corrupt":
      return "run `bunq context forget --force` to move the file aside (kept as a .bak copy), or use another file with --context FILE"
    case "Foreign":
      return "it was saved for another API key or environment: run `bunq context forget` to drop it, or keep both with --store-key NAME (or --context FILE)"
    case "UnsupportedVersion":
      return "a newer effect-bunq wrote it: upgrade, use another file with --context FILE, or run `bunq context forget --force` to move it aside"
    case "WrongPassphrase":
      return "give the passphrase it was saved with (--passphrase-file FILE or BUNQ_CONTEXT_PASSPHRASE); if it is lost, `bunq context forget --force` moves the file aside and the next command registers anew"
    case "NotEncrypted":
      return "the file is not encrypted but a passphrase is set: run without the passphrase, or `bunq context forget --force` to move it aside and save an encrypted one"
    case "Locked":
      return "another bunq process is using the file: wait for it to finish, or use another file with --context FILE"
    case "Unsafe":
      return "the file is a symbolic link or others can write to its directory: use a real file in a directory only you can write to (chmod go-w DIR), or --context FILE"
    default:
      return undefined
  }
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
    case "OutcomeUnknown":
      return { exitCode: 1, line: message, json }
    case "DecodeError":
      return { exitCode: 1, line: `unexpected response from bunq: ${message}`, json }
    case "ContextStoreError": {
      const hint = "reason" in error ? contextHint(String(error.reason)) : undefined
      return hint === undefined
        ? { exitCode: 1, line: `saved context: ${message}`, json }
        : { exitCode: 1, line: `saved context: ${message}\nhint: ${hint}`, json: { ...json, hint } }
    }
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
