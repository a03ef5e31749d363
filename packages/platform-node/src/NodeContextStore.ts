/**
 * A `ContextStore` on a file, for Node: the API context survives restarts without registering again.
 *
 * - Writes are atomic: a temp file in the same directory, fsync, rename, directory fsync. A crash (even `SIGKILL`)
 *   leaves the old or the new content, never a mix.
 * - The file and its temp files are created with mode 0600 (owner only): they hold the private key and tokens.
 * - A lock file (`<path>.lock`, holding the owner's pid) makes two processes on one file take turns: only one of them
 *   registers a device; the other restores what the first saved.
 * - With a passphrase, the file is encrypted at rest with AES-256-GCM under a key derived with scrypt (a fresh random
 *   salt and IV each write). A wrong passphrase is `ContextStoreError` with reason `WrongPassphrase`, and the file
 *   stays untouched.
 * - With a passphrase set, a plain (unencrypted) file is refused with `NotEncrypted`, never used silently. An empty
 *   passphrase is refused with `Unsafe` by every operation, before the file is read: give one, or none.
 * - A file that does not decode (truncated, hand-edited) fails `load` and `save` with `Corrupt` and is never
 *   overwritten. `remove` (`ApiContext.reset`) drops only its own key's entry; a file it cannot parse at all is
 *   moved aside to `<path>.<timestamp>.bak` (mode 0600), so the other keys in it are never deleted.
 * - A symbolic link at the path or at its lock, or a directory others may write to, is refused with `Unsafe`.
 *   Temp files left by a crashed writer are removed on the next write.
 *
 * One file holds the contexts of several store keys (`ApiContext`'s `storeKey`, `"default"` unless set).
 *
 * @since 0.1.0
 */
import * as ContextDocument from "@effect-bunq/device-server/ContextDocument"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as Signer from "@effect-bunq/signer/Signer"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Encryption from "./internal/encryption.js"
import * as FileLock from "./internal/fileLock.js"
import * as SecureFile from "./internal/secureFile.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface FileOptions {
  /** Where the context file lives. Its directory is created (mode 0700) when missing. */
  readonly path: string
  /**
   * Encrypt the file at rest with this passphrase. A plain file found with a passphrase set is `NotEncrypted`; an
   * empty passphrase is `Unsafe`.
   */
  readonly passphrase?: Redacted.Redacted<string> | undefined
  /** How long to wait for another process's lock. Default 30 seconds. */
  readonly lockTimeout?: Duration.DurationInput | undefined
}

const FORMAT = "effect-bunq/context-file"

interface FileDocument {
  readonly format: typeof FORMAT
  readonly contexts: Record<string, unknown>
}

const toStoreError = SecureFile.toStoreError

/**
 * The store as a value, for callers that manage their own layers.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: FileOptions
): Effect.Effect<ContextStore.ContextStore.Service, never, FileSystem.FileSystem | Signer.Signer> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => makeWith(options, Effect.succeed(fs)))

/**
 * The store on Node's own file system, which it builds when it first locks or writes: a restore only reads (with
 * `node:fs` directly) and builds no file system service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFile = (
  options: FileOptions
): Effect.Effect<ContextStore.ContextStore.Service, never, Signer.Signer> =>
  makeWith(options, Effect.provide(FileSystem.FileSystem, NodeFileSystem.layer))

const makeWith = (
  options: FileOptions,
  fileSystem: Effect.Effect<FileSystem.FileSystem>
): Effect.Effect<ContextStore.ContextStore.Service, never, Signer.Signer> =>
  Effect.gen(function*() {
    const signer = yield* Signer.Signer
    const path = options.path
    const passphrase = Option.fromNullable(options.passphrase)
    const emptyPassphrase = Encryption.isEmptyPassphrase(passphrase)
    const refuseEmptyPassphrase = (key: string) =>
      new ContextStore.ContextStoreError({
        reason: "Unsafe",
        key,
        description: `the passphrase is empty: give one, or none to keep the context file unencrypted (${path})`
      })
    // Whether the current fiber already holds this store's lock (so `save` inside `withLock` does not wait on itself).
    const inLock = FiberRef.unsafeMake(false)
    const provide = <A, E, R>(
      effect: Effect.Effect<A, E, R>
    ): Effect.Effect<A, E, Exclude<R, FileSystem.FileSystem | Signer.Signer>> =>
      Effect.flatMap(fileSystem, (fs) =>
        effect.pipe(
          Effect.provideService(FileSystem.FileSystem, fs),
          Effect.provideService(Signer.Signer, signer)
        )) as Effect.Effect<A, E, Exclude<R, FileSystem.FileSystem | Signer.Signer>>

    // Every operation reads first: refusing an empty passphrase here refuses it before anything is read or written.
    // Reading needs neither service (`node:fs/promises` directly): nothing is provided around it, on every restore.
    const readDocument = (key: string): Effect.Effect<Option.Option<FileDocument>, ContextStore.ContextStoreError> =>
      Effect.gen(function*() {
        if (emptyPassphrase) return yield* refuseEmptyPassphrase(key)
        const raw = yield* SecureFile.readText(path)
        if (Option.isNone(raw)) return Option.none()
        const text = yield* Encryption.decrypt(raw.value, passphrase, path)
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          return yield* Effect.fail(
            new ContextStore.ContextStoreError({
              reason: "Corrupt",
              key,
              description: `the context file is not valid JSON (truncated or edited?): ${path}`
            })
          )
        }
        if (
          typeof json !== "object" || json === null || (json as FileDocument).format !== FORMAT ||
          typeof (json as FileDocument).contexts !== "object" || (json as FileDocument).contexts === null
        ) {
          return yield* Effect.fail(
            new ContextStore.ContextStoreError({
              reason: "Corrupt",
              key,
              description: `the file is not an effect-bunq context file: ${path}`
            })
          )
        }
        return Option.some(json as FileDocument)
      }).pipe(Effect.mapError((e) => e._tag === "SecureFileError" ? toStoreError(key)(e) : e))

    const writeDocument = (key: string, document: FileDocument) =>
      provide(Effect.gen(function*() {
        const text = JSON.stringify(document, null, 2) + "\n"
        const content = Option.isSome(passphrase) ? yield* Encryption.encrypt(text, passphrase.value, path) : text
        yield* SecureFile.writeAtomic(path, content)
      })).pipe(Effect.mapError(toStoreError(key)))

    const withLock = <A, E, R>(key: string, effect: Effect.Effect<A, E, R>) =>
      Effect.flatMap(FiberRef.get(inLock), (held) =>
        held ? effect : Effect.scoped(
          Effect.zipRight(
            provide(FileLock.acquireLock(path, { timeout: options.lockTimeout })).pipe(
              Effect.mapError(toStoreError(key))
            ),
            Effect.locally(effect, inLock, true)
          )
        ))

    // Read-modify-write under the lock: an entry of another key is never lost to a concurrent writer, and a file
    // (or an entry under this key) that does not decode fails the write instead of being replaced: a corrupt or
    // hand-edited context is only ever cleared by `remove` (`ApiContext.reset`).
    const update = (key: string, f: (contexts: Record<string, unknown>) => Record<string, unknown>) =>
      withLock(
        key,
        Effect.gen(function*() {
          const current = yield* readDocument(key)
          const contexts: Record<string, unknown> = Option.match(current, {
            onNone: () => ({}),
            onSome: (d) => d.contexts
          })
          if (contexts[key] !== undefined) {
            yield* Effect.provideService(ContextDocument.decodeDocument(key, contexts[key]), Signer.Signer, signer)
          }
          yield* writeDocument(key, { format: FORMAT, contexts: f(contexts) })
        })
      )

    return yield* ContextStore.make({
      load: (key) =>
        Effect.flatMap(readDocument(key), (document) => {
          const entry = Option.flatMap(document, (d) => Option.fromNullable(d.contexts[key]))
          return Option.isNone(entry)
            ? Effect.succeedNone
            : Effect.asSome(
              Effect.provideService(ContextDocument.decodeDocument(key, entry.value), Signer.Signer, signer)
            )
        }),
      save: (key, context) =>
        Effect.flatMap(
          Effect.provideService(ContextDocument.encodeDocument(key, context), Signer.Signer, signer),
          (encoded) => update(key, (contexts) => ({ ...contexts, [key]: encoded }))
        ),
      remove: (key) =>
        withLock(
          key,
          Effect.gen(function*() {
            const exists = yield* SecureFile.readText(path).pipe(Effect.mapError(toStoreError(key)))
            if (Option.isNone(exists)) return
            // Forgetting must work even for a file that no longer decodes: that is how a corrupt context is cleared.
            const current = yield* Effect.either(readDocument(key))
            if (Either.isLeft(current)) {
              // Only a file that cannot be parsed at all is moved aside (kept, with every key in it); anything that
              // could still be read with the right settings (a passphrase, a safe path) fails instead.
              if (current.left.reason !== "Corrupt") return yield* current.left
              yield* SecureFile.moveAside(path).pipe(Effect.mapError(toStoreError(key)))
              return
            }
            if (Option.isNone(current.right)) return
            const { [key]: _removed, ...rest } = current.right.value.contexts
            yield* writeDocument(key, { format: FORMAT, contexts: rest })
          })
        ),
      withLock
    })
  })

/**
 * Move the whole context file aside to `<path>.<timestamp>.bak` (mode 0600, bytes kept), under the file's lock,
 * whatever it holds: the way out of a file that is corrupt, foreign, written by a newer version or encrypted with a
 * passphrase that is lost. Succeeds with the backup's path, or `None` when there was no file. A symbolic link at the
 * path is refused (`Unsafe`), like every other operation of this store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const moveAside = (
  options: { readonly contextFile: string; readonly lockTimeout?: Duration.DurationInput | undefined }
): Effect.Effect<Option.Option<string>, ContextStore.ContextStoreError> =>
  Effect.scoped(
    Effect.zipRight(
      FileLock.acquireLock(options.contextFile, { timeout: options.lockTimeout }),
      SecureFile.moveAside(options.contextFile)
    )
  ).pipe(
    Effect.mapError(toStoreError("*")),
    Effect.provide(NodeFileSystem.layer)
  )

/**
 * The file store as a layer. Needs a `Signer` (to export and import the private key as PKCS#8 PEM) and provides the
 * Node file system itself.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFile = (options: FileOptions): Layer.Layer<ContextStore.ContextStore, never, Signer.Signer> =>
  Layer.effect(ContextStore.ContextStore, makeFile(options))
