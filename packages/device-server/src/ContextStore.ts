/**
 * `ContextStore`: where an `ApiContext` is saved between runs, so a restart reuses its installation, device and
 * session instead of registering again.
 *
 * This module holds the abstract service, the domain value it stores (`SavedContext`), its error and two layers:
 * `layerMemory` and `layerKeyValueStore` (over `@effect/platform` `KeyValueStore`). The versioned serialized forms,
 * with the encoders and decoders every store reuses, are in `ContextDocument`. The Node file store and the browser
 * stores are built on the same interface in the runtime packages.
 *
 * A saved context that does not decode is reported as `ContextStoreError` with reason `Corrupt` (or
 * `UnsupportedVersion`), and is never overwritten silently: remove it explicitly (`ApiContext.reset`).
 *
 * @since 0.1.0
 */
import * as Signer from "@effect-bunq/signer/Signer"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as ContextDocument from "./ContextDocument.js"
import * as internalError from "./internal/contextStoreError.js"

// -----------------------------------------------------------------------------
// domain
// -----------------------------------------------------------------------------

/**
 * The current version of the saved-context format (see `ContextDocument.currentVersion`).
 *
 * @since 0.1.0
 * @category models
 */
export const currentVersion: typeof ContextDocument.currentVersion = ContextDocument.currentVersion

/**
 * An open session.
 *
 * @since 0.1.0
 * @category models
 */
export interface SavedSession {
  /** The session id from `POST /session-server` (`None` when imported from an SDK file, which does not keep it). */
  readonly id: Option.Option<number>
  readonly token: Redacted.Redacted<string>
  /** When the session expires, by this client's clock: opened at + the user's `session_timeout`. */
  readonly expiresAt: DateTime.Utc
  /** The id of the user the session belongs to. */
  readonly userId: number
}

/**
 * The installation: bunq's record of the client's public key.
 *
 * @since 0.1.0
 * @category models
 */
export interface SavedInstallation {
  /** The installation id (`None` when imported from an SDK file, which does not keep it). */
  readonly id: Option.Option<number>
  readonly token: Redacted.Redacted<string>
  /** bunq's server public key (SPKI PEM): every response is verified with it. */
  readonly serverPublicKey: string
}

/**
 * Everything needed to talk to bunq again without registering: the key pair, the installation, the device and the
 * session, and what the context belongs to (an API key, by fingerprint, and an environment).
 *
 * The private key is a `Signer.PrivateKey` handle, so stores that can keep key objects (IndexedDB keeps `CryptoKey`s)
 * never need to export it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SavedContext {
  readonly version: typeof currentVersion
  /** The environment the context was registered in: the base URL, e.g. `https://api.bunq.com/v1`. */
  readonly environment: string
  /** `sha256:` + hex SHA-256 of the API key (see `fingerprint`). The key itself is never stored. */
  readonly apiKeyFingerprint: string
  readonly keyPair: Signer.KeyPair
  readonly installation: SavedInstallation
  /** The device-server id (`None` when imported from an SDK file, which does not keep it). */
  readonly deviceId: Option.Option<number>
  readonly session: Option.Option<SavedSession>
}

/**
 * The fingerprint that identifies an API key in a saved context: `sha256:` followed by the hex SHA-256 of the key's
 * UTF-8 bytes (WebCrypto's digest, in Node and in browsers). It tells whether a saved context belongs to a key without
 * storing the key. Without WebCrypto (a browser page served over plain http) it fails with `SignerError`
 * `CryptoFailure`, operation `"digest"`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fingerprint = (apiKey: Redacted.Redacted<string>): Effect.Effect<string, Signer.SignerError> =>
  Effect.map(
    Effect.tryPromise({
      try: () => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(Redacted.value(apiKey))),
      // A page served over plain http has no `crypto.subtle`: a typed failure, as the WebCrypto signer gives.
      catch: (cause) =>
        new Signer.SignerError({
          reason: "CryptoFailure",
          operation: "digest",
          description: globalThis.crypto?.subtle === undefined
            ? "WebCrypto (crypto.subtle) is not available; browsers expose it only in secure contexts"
            : "the SHA-256 digest of the API key failed",
          cause
        })
    }),
    // hex by hand, not `effect/Encoding.encodeHex`: that module's hex codec weighs 0.75 KB gzipped in a browser app
    (digest) => `sha256:${Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("")}`
  )

// -----------------------------------------------------------------------------
// errors
// -----------------------------------------------------------------------------
/**
 * Why a `ContextStoreError` happened (see `ContextStoreError`).
 *
 * @since 0.1.0
 * @category errors
 */
export const ContextStoreErrorReason: typeof internalError.ContextStoreErrorReason =
  internalError.ContextStoreErrorReason

/**
 * @since 0.1.0
 * @category errors
 */
export type ContextStoreErrorReason = internalError.ContextStoreErrorReason

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
 * - `Unsafe`: the file is a symbolic link, or others may write to its directory.
 *
 * A corrupt, foreign or unsupported saved context is never overwritten silently: remove it with
 * `ApiContext.reset` (or point at another store key).
 *
 * @since 0.1.0
 * @category errors
 */
export const ContextStoreError: typeof internalError.ContextStoreError = internalError.ContextStoreError

/**
 * @since 0.1.0
 * @category errors
 */
export type ContextStoreError = internalError.ContextStoreError

// -----------------------------------------------------------------------------
// service
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category tags
 */
export class ContextStore extends Context.Tag("@effect-bunq/device-server/ContextStore")<
  ContextStore,
  ContextStore.Service
>() {}

/**
 * @since 0.1.0
 */
export declare namespace ContextStore {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** The saved context under `key`, `None` when there is none. Fails on anything unreadable. */
    readonly load: (key: string) => Effect.Effect<Option.Option<SavedContext>, ContextStoreError>
    /** Save (replace) the context under `key`. */
    readonly save: (key: string, context: SavedContext) => Effect.Effect<void, ContextStoreError>
    /** Forget the context under `key` (no failure when there is none). */
    readonly remove: (key: string) => Effect.Effect<void, ContextStoreError>
    /**
     * Run `effect` holding the store's lock for `key`, so that two clients sharing the store (two processes on one
     * file) do not both register. Stores without cross-process sharing lock within the process only.
     */
    readonly withLock: <A, E, R>(
      key: string,
      effect: Effect.Effect<A, E, R>
    ) => Effect.Effect<A, E | ContextStoreError, R>
  }
}

/**
 * Build a store from `load`, `save` and `remove`. Without `withLock`, the store serializes `withLock` calls within
 * the process (one semaphore for all keys).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  implementation: Omit<ContextStore.Service, "withLock"> & Partial<Pick<ContextStore.Service, "withLock">>
): Effect.Effect<ContextStore.Service> =>
  Effect.gen(function*() {
    if (implementation.withLock !== undefined) {
      return implementation as ContextStore.Service
    }
    const semaphore = yield* Effect.makeSemaphore(1)
    return {
      load: implementation.load,
      save: implementation.save,
      remove: implementation.remove,
      withLock: (_key, effect) => semaphore.withPermits(1)(effect)
    }
  })

// -----------------------------------------------------------------------------
// layers
// -----------------------------------------------------------------------------

/**
 * A store in memory: contexts live as long as the layer. For tests and short-lived programs.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<ContextStore> = /* @__PURE__ */ Layer.effect(
  ContextStore,
  /* @__PURE__ */ Effect.gen(function*() {
    const entries = yield* Ref.make(new Map<string, SavedContext>())
    return yield* make({
      load: (key) => Effect.map(Ref.get(entries), (map) => Option.fromNullable(map.get(key))),
      save: (key, context) => Ref.update(entries, (map) => new Map(map).set(key, context)),
      remove: (key) =>
        Ref.update(entries, (map) => {
          const next = new Map(map)
          next.delete(key)
          return next
        })
    })
  })
)

/**
 * A store over `@effect/platform` `KeyValueStore`: each context is one JSON document (`ContextDocument.ContextDocumentV1`, the private
 * key as PKCS#8 PEM) under `prefix + key` (default prefix `"effect-bunq/context/"`). Needs the `Signer` to export
 * and import the private key. Anything under the entry that does not decode fails `load` with `Corrupt`.
 *
 * The document holds the tokens and the private key in clear: the underlying store must be as private as the API key
 * (`KeyValueStore.layerFileSystem` does not restrict file modes; in Node use the file store of
 * `@effect-bunq/platform-node`, which writes 0600 files and can encrypt).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerKeyValueStore = (
  options?: { readonly prefix?: string | undefined }
): Layer.Layer<ContextStore, never, KeyValueStore.KeyValueStore | Signer.Signer> =>
  Layer.effect(
    ContextStore,
    Effect.gen(function*() {
      const store = yield* KeyValueStore.KeyValueStore
      const signer = yield* Signer.Signer
      const prefix = options?.prefix ?? "effect-bunq/context/"
      const io = (key: string) => (error: unknown) =>
        new ContextStoreError({ reason: "Io", key, description: "the key-value store failed", cause: error })
      return yield* make({
        load: (key) =>
          store.get(prefix + key).pipe(
            Effect.mapError(io(key)),
            Effect.flatMap(Option.match({
              onNone: () => Effect.succeedNone,
              onSome: (text) => Effect.asSome(ContextDocument.decodeJson(key, text))
            })),
            Effect.provideService(Signer.Signer, signer)
          ),
        save: (key, context) =>
          ContextDocument.encodeJson(key, context).pipe(
            Effect.flatMap((text) => Effect.mapError(store.set(prefix + key, text), io(key))),
            Effect.provideService(Signer.Signer, signer)
          ),
        remove: (key) => Effect.mapError(store.remove(prefix + key), io(key))
      })
    })
  )
