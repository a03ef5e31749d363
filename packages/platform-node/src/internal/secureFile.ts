/**
 * Files that hold secrets: reading them safely (no symlink, no FIFO, no directory others may write to), atomic
 * replacement (temp file + fsync + rename in the same directory + directory fsync), mode 0600, and the
 * `SecureFileError` of all of it. The encryption at rest is in `encryption.ts`, the inter-process lock file in
 * `fileLock.ts`.
 *
 * @internal
 */
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Crypto from "node:crypto"
import * as NodeFsSync from "node:fs"
import * as NodeFs from "node:fs/promises"
import * as Path from "node:path"

/** @internal */
export type SecureFileErrorReason =
  | "Io"
  | "Locked"
  | "WrongPassphrase"
  | "Corrupt"
  | "PassphraseRequired"
  | "NotEncrypted"
  | "UnsupportedVersion"
  | "Unsafe"

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

/**
 * A `SecureFileError` of the context stored under `key` as a `ContextStoreError` (a missing passphrase is
 * `WrongPassphrase`); the description ends with where it is stored.
 *
 * @internal
 */
export const toStoreError = (key: string) => (error: SecureFileError): ContextStore.ContextStoreError =>
  new ContextStore.ContextStoreError({
    reason: error.reason === "PassphraseRequired" ? "WrongPassphrase" : error.reason,
    key,
    description: `${error.description} (${error.path})`,
    cause: error
  })

/** @internal */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to another user. Only ESRCH says it is gone.
    return (error as NodeJS.ErrnoException).code !== "ESRCH"
  }
}

/** @internal */
export const isCode = (code: string) => (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === code

/** @internal */
export const ioError = (path: string, description: string) => (cause: unknown) =>
  new SecureFileError({ reason: "Io", path, description, cause })

const unsafe = (path: string, description: string) => new SecureFileError({ reason: "Unsafe", path, description })

/**
 * Refuses a symlink at `path` (it could point the secrets anywhere, or be planted by another user) and a directory
 * that others may write to (group- or world-writable without the sticky bit: they could replace the file or plant a
 * symlink). Missing files and directories pass.
 *
 * @internal
 */
export const checkSafe = (path: string): Effect.Effect<void, SecureFileError> =>
  Effect.tryPromise({
    try: () => unsafeReason(path),
    catch: ioError(path, "cannot check the file")
  }).pipe(Effect.flatMap((error) => error === undefined ? Effect.void : Effect.fail(error)))

/** Why `path` is unsafe to use (see `checkSafe`), or `undefined`. The two checks run at once. */
const unsafeReason = async (path: string): Promise<SecureFileError | undefined> => {
  const dir = Path.dirname(path)
  const [file, info] = await Promise.all([
    NodeFs.lstat(path).catch((error) => {
      if (isCode("ENOENT")(error)) return undefined
      throw error
    }),
    NodeFs.stat(dir).catch((error) => {
      if (isCode("ENOENT")(error)) return undefined
      throw error
    })
  ])
  if (file?.isSymbolicLink()) return symlink(path)
  if (info !== undefined && othersMayWrite(info)) return unsafeDirectory(path, dir)
  return undefined
}

/** Group- or world-writable without the sticky bit (never on Windows, which has no such bits). */
const othersMayWrite = (info: { readonly mode: number }): boolean =>
  process.platform !== "win32" && (info.mode & 0o022) !== 0 && (info.mode & 0o1000) === 0

const symlink = (path: string) => unsafe(path, "the file is a symbolic link: refusing to follow it")

const unsafeDirectory = (path: string, dir: string) =>
  unsafe(path, `the directory ${dir} is writable by other users: make it 0700 (chmod go-w)`)

/**
 * Reads a file's text, or `None` when it does not exist. A symlink, anything but a regular file (a FIFO, a device)
 * or an unsafe directory is `Unsafe`.
 *
 * Synchronous `node:fs` calls, on purpose: this runs on every restore, and the file is a few KB on a local disk. The
 * directory's `stat`, then `open` with `O_NOFOLLOW | O_NONBLOCK` (a symlink fails to open, a FIFO opens without
 * waiting), `fstat` of what was opened, `read` and `close` take ≈ 30 µs together, where the same work through
 * `node:fs/promises` took ≈ 1.1 ms (each call a round trip through libuv's thread pool: ≈ 100 µs of CPU for one
 * `lstat`, ≈ 400 µs for one `readFile`; `node` 20 on this project's 2-core machine, 2026-12-07), and the
 * `FileSystem` service more still. Checking the opened descriptor instead of the path also leaves no gap between
 * the check and the read.
 *
 * @internal
 */
export const readText = (path: string): Effect.Effect<Option.Option<string>, SecureFileError> =>
  Effect.suspend(() => {
    try {
      const result = readTextNow(path)
      return result instanceof SecureFileError ? Effect.fail(result) : Effect.succeed(result)
    } catch (cause) {
      return Effect.fail(ioError(path, "cannot read the file")(cause))
    }
  })

const readFlags = NodeFsSync.constants.O_RDONLY | (NodeFsSync.constants.O_NOFOLLOW ?? 0) |
  (NodeFsSync.constants.O_NONBLOCK ?? 0)

const readTextNow = (path: string): Option.Option<string> | SecureFileError => {
  const dir = Path.dirname(path)
  const info = NodeFsSync.statSync(dir, { throwIfNoEntry: false })
  if (info !== undefined && othersMayWrite(info)) return unsafeDirectory(path, dir)
  // Where `O_NOFOLLOW` does not exist (Windows), the link is looked for first.
  if (NodeFsSync.constants.O_NOFOLLOW === undefined) {
    if (NodeFsSync.lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) return symlink(path)
  }
  let fd: number
  try {
    fd = NodeFsSync.openSync(path, readFlags)
  } catch (error) {
    if (isCode("ENOENT")(error)) return Option.none()
    if (isCode("ELOOP")(error)) return symlink(path)
    throw error
  }
  try {
    if (!NodeFsSync.fstatSync(fd).isFile()) return unsafe(path, "the path is not a regular file")
    return Option.some(NodeFsSync.readFileSync(fd, "utf8"))
  } finally {
    NodeFsSync.closeSync(fd)
  }
}

const tempPattern = (name: string) =>
  new RegExp(
    `^\\.?${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:\\.lock(?:\\.takeover)?)?\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`
  )

/**
 * Removes the temp files of `path` (its own and its lock's) left by processes that are gone (a write killed before
 * its rename). Temp files of live processes are left alone.
 *
 * @internal
 */
export const cleanStaleTemps = (path: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    const dir = Path.dirname(path)
    const pattern = tempPattern(Path.basename(path))
    const names = await NodeFs.readdir(dir).catch(() => [] as Array<string>)
    for (const name of names) {
      const match = pattern.exec(name)
      if (match !== null && !processAlive(Number(match[1]))) {
        await NodeFs.unlink(Path.join(dir, name)).catch(() => undefined)
      }
    }
  })

/**
 * Moves `path` aside to `<path>.<timestamp>.bak` (mode 0600), keeping its bytes; returns the backup's path, or
 * `None` when there was no file.
 *
 * @internal
 */
export const moveAside = (path: string): Effect.Effect<Option.Option<string>, SecureFileError> =>
  Effect.tryPromise({
    try: async () => {
      const backup = `${path}.${new Date().toISOString().replace(/[:.]/g, "-")}.bak`
      try {
        await NodeFs.rename(path, backup)
      } catch (error) {
        if (isCode("ENOENT")(error)) return Option.none<string>()
        throw error
      }
      await NodeFs.chmod(backup, 0o600)
      return Option.some(backup)
    },
    catch: ioError(path, "cannot move the file aside")
  })

/**
 * Replaces a file atomically: writes a temp file (mode 0600) in the same directory, fsyncs it, renames it over the
 * target, and fsyncs the directory. A crash at any point leaves either the old or the new content; temp files left
 * by a crashed writer are removed on the next write. A symlink at the path or an unsafe directory is `Unsafe`.
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
    yield* checkSafe(path)
    yield* cleanStaleTemps(path)
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
