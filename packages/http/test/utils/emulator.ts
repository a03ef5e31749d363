/**
 * A `BunqClient` logged in to the bunq emulator in process (`@effect-bunq/emulator`, a devDependency of this package:
 * tests only): a fresh emulator with one sandbox user, and the installation, device registration and session opened
 * with the client's own `execute` (this package has no `ApiContext`). Browser-safe.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"

export interface EmulatorSession {
  readonly emulator: BunqEmulator.Emulator.Service
  readonly client: BunqClient.BunqClient.Service
  readonly userId: number
  /** What a session request carries: the session token, the client's key to sign with, the server's to verify. */
  readonly session: Pick<BunqClient.BunqRequest, "auth" | "signWith" | "verifyWith">
}

let serverKeyPair: Signer.KeyPair | undefined
let clientKeyPair: Signer.KeyPair | undefined

const token = (response: BunqClient.BunqResponse): Redacted.Redacted<string> =>
  Redacted.make((response.items[1] as { Token: { token: string } }).Token.token)

/** Open a session on a fresh emulator (one server and one client key per test file: RSA key generation is slow). */
export const openEmulatorSession: Effect.Effect<EmulatorSession> = Effect.gen(function*() {
  const signer = yield* WebCryptoSigner.make
  if (serverKeyPair === undefined) serverKeyPair = yield* Effect.orDie(signer.generateKeyPair())
  if (clientKeyPair === undefined) clientKeyPair = yield* Effect.orDie(signer.generateKeyPair())
  const keys = clientKeyPair
  const emulator = yield* BunqEmulator.make({ serverKeyPair }).pipe(
    Effect.provideService(Signer.Signer, signer),
    Effect.orDie
  )
  const user = yield* emulator.createSandboxUser()
  const client = yield* Effect.provide(
    BunqClient.BunqClient,
    BunqClient.layer.pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, BunqEmulator.makeHttpClient(emulator))),
      Layer.provide(Layer.succeed(Signer.Signer, signer)),
      Layer.provide(Layer.orDie(BunqConfig.layer({ baseUrl: yield* emulator.url, retry: false, rateLimits: false })))
    )
  )
  const secret = Redacted.value(user.apiKey)
  const installation = yield* client.execute({
    operation: "Installation.create",
    method: "POST",
    path: "/installation",
    body: { client_public_key: keys.publicKeyPem },
    auth: { _tag: "None" }
  })
  const installed = { _tag: "Installation", token: token(installation) } as const
  const signed = { signWith: keys.privateKey, verifyWith: emulator.serverPublicKeyPem }
  yield* client.execute({
    operation: "DeviceServer.create",
    method: "POST",
    path: "/device-server",
    body: { description: "http tests", secret },
    auth: installed,
    ...signed
  })
  const session = yield* client.execute({
    operation: "SessionServer.create",
    method: "POST",
    path: "/session-server",
    body: { secret },
    auth: installed,
    ...signed
  })
  return {
    emulator,
    client,
    userId: user.id,
    session: { auth: { _tag: "Session" as const, token: token(session) }, ...signed }
  }
}).pipe(Effect.orDie)
