/**
 * `ContextStoreError`, in a module of its own so that `ContextStore` (the service and its layers) and
 * `ContextDocument` (the serialized forms) both use it without importing each other in a cycle. Re-exported by
 * `ContextStore`.
 */
import * as Schema from "effect/Schema"

/**
 * @internal
 */
export const ContextStoreErrorReason = Schema.Literal(
  "Corrupt",
  "UnsupportedVersion",
  "Foreign",
  "Io",
  "KeyNotExportable",
  "WrongPassphrase",
  "NotEncrypted",
  "Locked",
  "Unsafe"
)

/**
 * @internal
 */
export type ContextStoreErrorReason = typeof ContextStoreErrorReason.Type

/**
 * A saved context could not be read, written or used. `reason` says why:
 * - `Corrupt`: what is stored does not decode as a saved context (bad JSON, wrong shape, bad key PEM);
 * - `UnsupportedVersion`: it was written by a newer version of this library;
 * - `Foreign`: it belongs to another API key or another environment;
 * - `Io`: the underlying storage failed;
 * - `KeyNotExportable`: the store needs the private key as PEM, and the key was created non-extractable;
 * - `WrongPassphrase`: an encrypted store could not be decrypted with the passphrase given;
 * - `NotEncrypted`: a passphrase is set but what is stored is not encrypted (never used silently);
 * - `Locked`: another process holds the store's lock;
 * - `Unsafe`: the file is a symbolic link, or others may write to its directory; in Redis, no passphrase and plain
 *   text not allowed; in either, an empty passphrase.
 *
 * A corrupt, foreign or unsupported saved context is never overwritten silently: remove it with
 * `ApiContext.reset` (or point at another store key).
 *
 * @internal
 */
export class ContextStoreError extends Schema.TaggedError<ContextStoreError>(
  "@effect-bunq/device-server/ContextStoreError"
)("ContextStoreError", {
  reason: ContextStoreErrorReason,
  /** The store key (a name, never a secret). */
  key: Schema.String,
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `${this.reason} (context "${this.key}"): ${this.description}`
  }
}
