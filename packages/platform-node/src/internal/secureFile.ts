/**
 * Files that hold secrets: atomic replacement (temp file + fsync + rename in the same directory + directory fsync),
 * mode 0600, an inter-process lock file, and optional AES-256-GCM encryption at rest with a scrypt-derived key.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Crypto from "node:crypto"
import * as Path from "node:path"

/** @internal */
export type SecureFileErrorReason = "Io" | "Locked" | "WrongPassphrase" | "Corrupt" | "PassphraseRequired"

/** @internal */
export class SecureFileError extends Data.TaggedError("SecureFileError")<{
  readonly reason: SecureFileErrorReason
  readonly path: string
  readonly description: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.reason}: ${this.description} (${this.path})`
  }
}

const FORMAT = "effect-bunq/encrypted-file"

/** The scrypt cost used for new files (N = 2^15, r = 8, p = 1: ~32 MiB, ~100 ms). @internal */
export const scryptParams = { N: 32768, r: 8, p: 1 } as const

interface EncryptedEnvelope {
  readonly format: typeof FORMAT
  readonly version: 1
  readonly kdf: "scrypt"
  readonly N: number
  readonly r: number
  readonly p: number
  readonly salt: string
  readonly iv: string
  readonly tag: string
  readonly ciphertext: string
}

const deriveKey = (
  passphrase: Redacted.Redacted<string>,
  salt: Uint8Array,
  params: { readonly N: number; readonly r: number; readonly p: number },
  path: string
) =>
  Effect.async<Buffer, SecureFileError>((resume) => {
    Crypto.scrypt(
      Redacted.value(passphrase).normalize("NFC"),
      salt,
      32,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r },
      (error, key) =>
        resume(
          error
            ? Effect.fail(
              new SecureFileError({
                reason: "Corrupt",
                path,
                description: "invalid key-derivation parameters",
                cause: error
              })
            )
            : Effect.succeed(key)
        )
    )
  })

/** Encrypts text with AES-256-GCM under a key derived from the passphrase with scrypt and a fresh random salt. @internal */
export const encrypt = (
  plaintext: string,
  passphrase: Redacted.Redacted<string>,
  path: string
): Effect.Effect<string, SecureFileError> =>
  Effect.gen(function*() {
    const salt = Crypto.randomBytes(16)
    const iv = Crypto.randomBytes(12)
    const key = yield* deriveKey(passphrase, salt, scryptParams, path)
    const cipher = Crypto.createCipheriv("aes-256-gcm", key, iv)
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
    const envelope: EncryptedEnvelope = {
      format: FORMAT,
      version: 1,
      kdf: "scrypt",
      ...scryptParams,
      salt: salt.toString("base64"),
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      ciphertext: ciphertext.toString("base64")
    }
    return JSON.stringify(envelope, null, 2) + "\n"
  })

const isEncryptedEnvelope = (u: unknown): u is EncryptedEnvelope =>
  typeof u === "object" && u !== null && (u as { format?: unknown }).format === FORMAT

/** Whether a file's text is an encrypted envelope (decided without a passphrase). @internal */
export const isEncrypted = (text: string): boolean => {
  try {
    return isEncryptedEnvelope(JSON.parse(text))
  } catch {
    return false
  }
}

/**
 * Decrypts an encrypted envelope. A wrong passphrase (the GCM tag does not verify) is `WrongPassphrase`; a damaged
 * envelope is `Corrupt`. Plain text given no passphrase is returned as is; an encrypted file without a passphrase
 * is `PassphraseRequired`.
 *
 * @internal
 */
export const decrypt = (
  text: string,
  passphrase: Option.Option<Redacted.Redacted<string>>,
  path: string
): Effect.Effect<string, SecureFileError> =>
  Effect.gen(function*() {
    if (!isEncrypted(text)) return text
    if (Option.isNone(passphrase)) {
      return yield* new SecureFileError({
        reason: "PassphraseRequired",
        path,
        description: "the file is encrypted: give the passphrase (BUNQ_CONTEXT_PASSPHRASE or --passphrase)"
      })
    }
    const envelope = JSON.parse(text) as EncryptedEnvelope
    const corrupt = (description: string, cause?: unknown) =>
      new SecureFileError({ reason: "Corrupt", path, description, cause })
    if (
      envelope.version !== 1 || envelope.kdf !== "scrypt" || typeof envelope.salt !== "string" ||
      typeof envelope.iv !== "string" || typeof envelope.tag !== "string" || typeof envelope.ciphertext !== "string" ||
      !Number.isInteger(envelope.N) || !Number.isInteger(envelope.r) || !Number.isInteger(envelope.p) ||
      envelope.N > 2 ** 20 || envelope.r > 32 || envelope.p > 16
    ) {
      return yield* corrupt("the encrypted envelope is damaged or of an unknown version")
    }
    const salt = Buffer.from(envelope.salt, "base64")
    const iv = Buffer.from(envelope.iv, "base64")
    const tag = Buffer.from(envelope.tag, "base64")
    if (iv.length !== 12 || tag.length !== 16) return yield* corrupt("the encrypted envelope is damaged")
    const key = yield* deriveKey(passphrase.value, salt, envelope, path)
    return yield* Effect.try({
      try: () => {
        const decipher = Crypto.createDecipheriv("aes-256-gcm", key, iv)
        decipher.setAuthTag(tag)
        return Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, "base64")), decipher.final()]).toString(
          "utf8"
        )
      },
      catch: (cause) =>
        new SecureFileError({
          reason: "WrongPassphrase",
          path,
          description: "the passphrase does not decrypt this file (or the file was altered)",
          cause
        })
    })
  })

const ioError = (path: string, description: string) => (cause: unknown) =>
  new SecureFileError({ reason: "Io", path, description, cause })

/** Reads a file's text, or `None` when it does not exist. @internal */
export const readText = (path: string): Effect.Effect<Option.Option<string>, SecureFileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    return yield* fs.readFileString(path, "utf8").pipe(
      Effect.map(Option.some),
      Effect.catchIf(
        (error) => error._tag === "SystemError" && error.reason === "NotFound",
        () => Effect.succeed(Option.none())
      ),
      Effect.mapError(ioError(path, "cannot read the file"))
    )
  })

/**
 * Replaces a file atomically: writes a temp file (mode 0600) in the same directory, fsyncs it, renames it over the
 * target, and fsyncs the directory. A crash at any point leaves either the old or the new content.
 *
 * @internal
 */
export const writeAtomic = (path: string, text: string): Effect.Effect<void, SecureFileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = Path.dirname(path)
    const tmp = Path.join(dir, `.${Path.basename(path)}.${process.pid}.${Crypto.randomBytes(6).toString("hex")}.tmp`)
    yield* fs.makeDirectory(dir, { recursive: true, mode: 0o700 }).pipe(
      Effect.mapError(ioError(path, "cannot create the directory"))
    )
    const write = Effect.scoped(
      Effect.gen(function*() {
        const file = yield* fs.open(tmp, { flag: "wx", mode: 0o600 })
        yield* file.writeAll(new TextEncoder().encode(text))
        yield* file.sync
      })
    )
    yield* write.pipe(
      Effect.zipRight(fs.chmod(tmp, 0o600)),
      Effect.zipRight(fs.rename(tmp, path)),
      Effect.mapError(ioError(path, "cannot write the file")),
      Effect.tapError(() => fs.remove(tmp).pipe(Effect.ignore))
    )
    // Make the rename durable. Directories cannot be opened for fsync on every platform: best effort.
    yield* Effect.scoped(Effect.flatMap(fs.open(dir, { flag: "r" }), (d) => d.sync)).pipe(Effect.ignore)
  })

/** Options of the inter-process lock. @internal */
export interface LockOptions {
  /** How long to wait for another process's lock before failing with `Locked`. */
  readonly timeout?: Duration.DurationInput | undefined
  /** A lock older than this whose process cannot be checked is taken over. */
  readonly staleAfter?: Duration.DurationInput | undefined
}

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * Holds `${path}.lock` (created exclusively, holding this process's pid) for the scope. A lock left by a dead process
 * (its pid no longer runs, or older than `staleAfter`) is removed and retaken.
 *
 * @internal
 */
export const acquireLock = (
  path: string,
  options: LockOptions = {}
): Effect.Effect<void, SecureFileError, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const lockPath = `${path}.lock`
    const staleMs = Duration.toMillis(Duration.decode(options.staleAfter ?? "5 minutes"))
    yield* fs.makeDirectory(Path.dirname(path), { recursive: true, mode: 0o700 }).pipe(
      Effect.mapError(ioError(path, "cannot create the directory"))
    )
    const tryOnce = Effect.gen(function*() {
      const created = yield* fs.writeFileString(lockPath, `${process.pid} ${Date.now()}\n`, { flag: "wx", mode: 0o600 })
        .pipe(
          Effect.as(true),
          Effect.catchIf(
            (error) => error._tag === "SystemError" && error.reason === "AlreadyExists",
            () => Effect.succeed(false)
          ),
          Effect.mapError(ioError(path, "cannot create the lock file"))
        )
      if (created) return true
      // Someone holds it: take it over if its owner is gone.
      const content = yield* fs.readFileString(lockPath).pipe(Effect.orElseSucceed(() => ""))
      const [pidText, atText] = content.trim().split(" ")
      const pid = Number(pidText)
      const at = Number(atText)
      const dead = Number.isInteger(pid) && pid > 0 ? !processAlive(pid) : false
      const stale = Number.isFinite(at) ? Date.now() - at > staleMs : content === ""
      if (dead || stale) yield* fs.remove(lockPath).pipe(Effect.ignore)
      return yield* new SecureFileError({
        reason: "Locked",
        path,
        description: "the file is locked by another process"
      })
    })
    yield* Effect.acquireRelease(
      tryOnce.pipe(
        Effect.retry({
          while: (error) => error.reason === "Locked",
          schedule: Schedule.spaced("25 millis").pipe(
            Schedule.upTo(options.timeout ?? "30 seconds")
          )
        })
      ),
      () => fs.remove(lockPath).pipe(Effect.ignore)
    )
  })
