/**
 * The bunq emulator in process (`@effect-bunq/emulator`) as the `ApiContext` tests use it: a fresh emulator with one
 * sandbox user, the real `BunqClient` over the emulator's in-process `HttpClient`, and the emulator's request log with
 * each entry's token named (matched by the hash the log keeps against the tokens the emulator issued).
 *
 * Only a view of the emulator: what the tests steer (expiry, forgetting registrations, failing or holding
 * `POST /session-server`) are the emulator's own test controls.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"

/** One request the emulator handled. */
export interface Logged {
  readonly method: string
  /** Relative to the base path, without the query. */
  readonly path: string
  readonly query: URLSearchParams
  readonly status: number
  /** The token the request presented (one the emulator issued), or `undefined`. */
  readonly token: string | undefined
}

export interface TestBunq {
  readonly emulator: BunqEmulator.Emulator.Service
  readonly baseUrl: string
  readonly user: BunqEmulator.SandboxUser
  /** The ids of the devices seeded before the test (`BunqOptions.devices`), ascending. */
  readonly seededDevices: ReadonlyArray<number>
  readonly apiKey: Redacted.Redacted<string>
  readonly log: Effect.Effect<ReadonlyArray<Logged>>
  /** `"METHOD /path STATUS"` per request. */
  readonly lines: Effect.Effect<ReadonlyArray<string>>
  readonly count: (method: string, path: string | RegExp) => Effect.Effect<number>
  readonly installationTokens: Effect.Effect<ReadonlyArray<string>>
  readonly sessionTokens: Effect.Effect<ReadonlyArray<string>>
  /** `POST /session-server` answers `status` (with bunq's "User credentials are incorrect.") until `clearFaults`. */
  readonly failSessionServer: (status: number) => Effect.Effect<void>
  /** `BunqClient` (real), `BunqConfig` (no rate limits, no retries) and the WebCrypto `Signer` over the emulator. */
  readonly clientLayer: Layer.Layer<BunqClient.BunqClient | BunqConfig.BunqConfig | Signer.Signer>
}

export interface BunqOptions {
  /** The user's `session_timeout`, seconds. Default 3600. */
  readonly sessionTimeout?: number
  /** Devices registered before the test, as `seedDevices` adds them. Default none. */
  readonly devices?: number
}

let serverKeyPair: Signer.KeyPair | undefined

/** A fresh emulator (one server key per test file: RSA key generation is slow) with one sandbox user. */
export const makeBunq = (options?: BunqOptions): Effect.Effect<TestBunq> =>
  Effect.gen(function*() {
    const signer = yield* WebCryptoSigner.make
    if (serverKeyPair === undefined) serverKeyPair = yield* Effect.orDie(signer.generateKeyPair())
    const emulator = yield* BunqEmulator.make({ serverKeyPair }).pipe(
      Effect.provideService(Signer.Signer, signer),
      Effect.orDie
    )
    const user = yield* emulator.createSandboxUser({ sessionTimeout: options?.sessionTimeout ?? 3600 })
    const seededDevices = yield* emulator.seedDevices(user, options?.devices ?? 0)
    const baseUrl = yield* emulator.url

    const tokensOf = (kind: "installation" | "session") =>
      Effect.map(emulator.tokens, (tokens) => tokens.filter((t) => t.kind === kind).map((t) => Redacted.value(t.token)))
    const log = Effect.gen(function*() {
      const tokens = yield* emulator.tokens
      return (yield* emulator.log).map((entry): Logged => {
        const token = tokens.find((t) => t.hash === entry.tokenHash)
        return {
          method: entry.method,
          path: entry.path,
          query: new URLSearchParams(entry.query),
          status: entry.status,
          token: token === undefined ? undefined : Redacted.value(token.token)
        }
      })
    })
    return {
      emulator,
      baseUrl,
      user,
      seededDevices,
      apiKey: user.apiKey,
      log,
      lines: Effect.map(emulator.log, (entries) => entries.map((e) => `${e.method} ${e.path} ${e.status}`)),
      count: (method, path) =>
        Effect.map(
          emulator.log,
          (entries) =>
            entries.filter((e) =>
              e.method === method && (typeof path === "string" ? e.path === path : path.test(e.path))
            ).length
        ),
      installationTokens: tokensOf("installation"),
      sessionTokens: tokensOf("session"),
      failSessionServer: (status) =>
        emulator.injectFault({
          _tag: "Status",
          status,
          description: "User credentials are incorrect.",
          method: "POST",
          path: "/session-server",
          times: "unlimited"
        }),
      clientLayer: BunqClient.layer.pipe(
        Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, BunqEmulator.makeHttpClient(emulator))),
        Layer.provideMerge(Layer.succeed(Signer.Signer, signer)),
        Layer.provideMerge(BunqConfig.layer({ baseUrl, retry: false, rateLimits: false }))
      ) as Layer.Layer<BunqClient.BunqClient | BunqConfig.BunqConfig | Signer.Signer>
    } satisfies TestBunq
  })
