/**
 * `ContextStore`s for the browser.
 *
 * - `layerIndexedDb`: the recommended store. The private key is kept as a WebCrypto `CryptoKey` object (IndexedDB
 *   stores it by structured clone), so it can be non-extractable: the key material never exists as text, not even to
 *   this library. The rest of the context is stored as the versioned JSON fields of `ContextDocument.ContextFieldsV1`.
 *   `withLock` uses the Web Locks API, so two tabs of one app do not both register a device.
 * - `layerLocalStorage`: for environments without IndexedDB. localStorage holds only text, so the private key is
 *   stored as PKCS#8 PEM: it needs extractable keys, and anything running on the origin can read it. Prefer
 *   IndexedDB.
 *
 * @since 0.1.0
 */
import * as ContextDocument from "@effect-bunq/device-server/ContextDocument"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import type * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import * as BrowserKeyValueStore from "@effect/platform-browser/BrowserKeyValueStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"

/**
 * @since 0.1.0
 * @category models
 */
export interface IndexedDbOptions {
  /** The database name. Default `"effect-bunq"`. */
  readonly database?: string | undefined
}

const OBJECT_STORE = "contexts"

interface StoredEntry {
  readonly fields: unknown
  readonly privateKey: unknown
}

const ioError = (key: string, description: string) => (cause: unknown) =>
  new ContextStore.ContextStoreError({ reason: "Io", key, description, cause })

const request = <A>(key: string, description: string, make: () => IDBRequest<A>) =>
  Effect.async<A, ContextStore.ContextStoreError>((resume) => {
    let req: IDBRequest<A>
    try {
      req = make()
    } catch (cause) {
      resume(Effect.fail(ioError(key, description)(cause)))
      return
    }
    req.onsuccess = () => resume(Effect.succeed(req.result))
    req.onerror = () => resume(Effect.fail(ioError(key, description)(req.error)))
  })

/**
 * Open the database. The connection is closed when the scope closes; one that opens after the attempt gave up
 * ("blocked" by another tab) is closed as soon as it opens, so no connection is left behind.
 */
const openDatabase = (name: string): Effect.Effect<IDBDatabase, ContextStore.ContextStoreError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<IDBDatabase, ContextStore.ContextStoreError>((resume) => {
      if (typeof indexedDB === "undefined") {
        resume(Effect.fail(ioError("*", "IndexedDB is not available here: use layerLocalStorage")(undefined)))
        return
      }
      let gaveUp = false
      const open = indexedDB.open(name, 1)
      open.onupgradeneeded = () => {
        if (!open.result.objectStoreNames.contains(OBJECT_STORE)) open.result.createObjectStore(OBJECT_STORE)
      }
      open.onsuccess = () => {
        if (gaveUp) open.result.close()
        else resume(Effect.succeed(open.result))
      }
      open.onerror = () => resume(Effect.fail(ioError("*", `cannot open the IndexedDB database "${name}"`)(open.error)))
      open.onblocked = () => {
        gaveUp = true
        resume(Effect.fail(ioError("*", `the IndexedDB database "${name}" is blocked by another tab`)(undefined)))
      }
    }),
    (db) => Effect.sync(() => db.close())
  )

/**
 * Take the Web Lock `name` (exclusive); it is held until the returned `release` is called.
 *
 * Interruption: while waiting, the request is aborted (its `signal`), so the lock is never granted to a fiber that
 * is gone; a grant that races with the interruption is released at once, by the canceler or, when the grant comes
 * after it, by the callback itself.
 */
const acquireWebLock = (locks: LockManager, name: string, key: string) =>
  Effect.async<() => void, ContextStore.ContextStoreError>((resume, signal) => {
    let release: (() => void) | undefined
    locks.request(name, { signal }, () =>
      new Promise<void>((resolve) => {
        if (signal.aborted) return resolve()
        release = resolve
        resume(Effect.succeed(resolve))
      })).catch((cause: unknown) => {
        if (!signal.aborted) resume(Effect.fail(ioError(key, "the Web Locks API failed")(cause)))
      })
    return Effect.sync(() => release?.())
  })

/**
 * Run `effect` holding the Web Lock for `key` (`undefined` when the Web Locks API is missing). The effect runs in
 * the caller's fiber, so interrupting the caller interrupts it, and the lock is released however it exits.
 */
const withWebLock = <A, E, R>(
  name: string,
  key: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ContextStore.ContextStoreError, R> | undefined => {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (locks === undefined) return undefined
  return Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      restore(acquireWebLock(locks, `effect-bunq:${name}:${key}`, key)),
      (release) => Effect.ensuring(restore(effect), Effect.sync(release))
    )
  )
}

/**
 * A store on IndexedDB that keeps the private key as a `CryptoKey`. Made for `WebCryptoSigner` keys (from
 * `generateKeyPair({ extractable: false })`): a key of another implementation fails `save` with `Corrupt`.
 *
 * The database connection belongs to the `Scope`: it is closed when the scope closes (after that the store's
 * operations fail with `Io`). `withLock` holds a Web Lock (one per database and key) and releases it however the
 * locked effect exits, interruption included.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeIndexedDb = (
  options: IndexedDbOptions = {}
): Effect.Effect<ContextStore.ContextStore.Service, ContextStore.ContextStoreError, Scope.Scope> =>
  Effect.gen(function*() {
    const name = options.database ?? "effect-bunq"
    const db = yield* openDatabase(name)
    const objectStore = (mode: IDBTransactionMode) => db.transaction(OBJECT_STORE, mode).objectStore(OBJECT_STORE)
    const fallback = yield* Effect.makeSemaphore(1)
    return yield* ContextStore.make({
      load: (key) =>
        Effect.gen(function*() {
          const entry = yield* request<StoredEntry | undefined>(
            key,
            "cannot read the saved context",
            () => objectStore("readonly").get(key) as IDBRequest<StoredEntry | undefined>
          )
          if (entry === undefined) return Option.none()
          const cryptoKey = entry.privateKey
          if (typeof CryptoKey === "undefined" || !(cryptoKey instanceof CryptoKey)) {
            return yield* new ContextStore.ContextStoreError({
              reason: "Corrupt",
              key,
              description: "the saved context has no CryptoKey private key"
            })
          }
          const privateKey = yield* WebCryptoSigner.fromCryptoKey(cryptoKey).pipe(
            Effect.mapError((cause) =>
              new ContextStore.ContextStoreError({
                reason: "Corrupt",
                key,
                description: `the saved private key cannot be used: ${cause.message}`,
                cause
              })
            )
          )
          return Option.some(yield* ContextDocument.decodeFields(key, entry.fields, privateKey))
        }),
      save: (key, context) =>
        Effect.gen(function*() {
          const handle = context.keyPair.privateKey.handle
          if (typeof CryptoKey === "undefined" || !(handle instanceof CryptoKey)) {
            return yield* new ContextStore.ContextStoreError({
              reason: "Corrupt",
              key,
              description: "the IndexedDB store keeps WebCrypto keys only (use WebCryptoSigner)"
            })
          }
          const entry: StoredEntry = { fields: ContextDocument.encodeFields(context), privateKey: handle }
          yield* request(key, "cannot write the saved context", () => objectStore("readwrite").put(entry, key))
        }),
      remove: (key) =>
        Effect.asVoid(
          request(key, "cannot remove the saved context", () => objectStore("readwrite").delete(key))
        ),
      withLock: (key, effect) => withWebLock(name, key, effect) ?? fallback.withPermits(1)(effect)
    })
  })

/**
 * The IndexedDB store as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerIndexedDb = (
  options: IndexedDbOptions = {}
): Layer.Layer<ContextStore.ContextStore, ContextStore.ContextStoreError> =>
  Layer.scoped(ContextStore.ContextStore, makeIndexedDb(options))

/**
 * A store on `localStorage` (see the module notes: the private key is stored as PEM text, so keys must be
 * extractable). Entries are under `prefix + key` (default prefix `"effect-bunq/context/"`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLocalStorage = (
  options?: { readonly prefix?: string | undefined }
): Layer.Layer<ContextStore.ContextStore, never, Signer.Signer> =>
  ContextStore.layerKeyValueStore(options).pipe(Layer.provide(BrowserKeyValueStore.layerLocalStorage))
