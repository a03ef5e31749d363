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
import * as Runtime from "effect/Runtime"

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

const openDatabase = (name: string): Effect.Effect<IDBDatabase, ContextStore.ContextStoreError> =>
  Effect.async<IDBDatabase, ContextStore.ContextStoreError>((resume) => {
    if (typeof indexedDB === "undefined") {
      resume(Effect.fail(ioError("*", "IndexedDB is not available here: use layerLocalStorage")(undefined)))
      return
    }
    const open = indexedDB.open(name, 1)
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(OBJECT_STORE)) open.result.createObjectStore(OBJECT_STORE)
    }
    open.onsuccess = () => resume(Effect.succeed(open.result))
    open.onerror = () => resume(Effect.fail(ioError("*", `cannot open the IndexedDB database "${name}"`)(open.error)))
    open.onblocked = () =>
      resume(Effect.fail(ioError("*", `the IndexedDB database "${name}" is blocked by another tab`)(undefined)))
  })

const withWebLock = <A, E, R>(
  name: string,
  key: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ContextStore.ContextStoreError, R> | undefined => {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (locks === undefined) return undefined
  return Effect.flatMap(
    Effect.runtime<R>(),
    (runtime) =>
      Effect.async<A, E | ContextStore.ContextStoreError>((resume) => {
        // The lock is held until the promise returned to `request` settles: when the effect has exited.
        locks.request(`effect-bunq:${name}:${key}`, () =>
          new Promise<void>((release) => {
            Runtime.runCallback(runtime)(effect, {
              onExit: (exit) => {
                release()
                resume(exit)
              }
            })
          })).catch((cause: unknown) => resume(Effect.fail(ioError(key, "the Web Locks API failed")(cause))))
      })
  )
}

/**
 * A store on IndexedDB that keeps the private key as a `CryptoKey`. Made for `WebCryptoSigner` keys (from
 * `generateKeyPair({ extractable: false })`): a key of another implementation fails `save` with `Corrupt`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeIndexedDb = (
  options: IndexedDbOptions = {}
): Effect.Effect<ContextStore.ContextStore.Service, ContextStore.ContextStoreError> =>
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
  Layer.effect(ContextStore.ContextStore, makeIndexedDb(options))

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
