/**
 * Shared setup: an in-process emulator (one server key pair per test file) and the public Node layer
 * (`BunqNode.layerWithoutHttpClient`: BunqConfig, NodeSigner, BunqClient, ApiContext, a context store) talking to it
 * through the emulator's in-process `HttpClient`, optionally wrapped to see every request and response.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as Signer from "@effect-bunq/signer/Signer"
import { HttpClient } from "@effect/platform"
import { Effect, Layer } from "effect"
import type { Redacted } from "effect"

/** `BUNQ_STRESS=1` runs the longer variants. */
export const stress = process.env.BUNQ_STRESS === "1" || process.env.BUNQ_STRESS === "true"

let serverKeyPair: Signer.KeyPair | undefined

/** One server key pair per test file: RSA generation is slow on a loaded machine. */
export const sharedServerKeyPair = Effect.gen(function*() {
  if (serverKeyPair === undefined) {
    const signer = yield* NodeSigner.make
    serverKeyPair = yield* signer.generateKeyPair()
  }
  return serverKeyPair
})

/** A fresh emulator (not a layer: the test keeps the handle to inject faults and read the log). */
export const makeEmulator = (options?: BunqEmulator.Options) =>
  Effect.gen(function*() {
    const keyPair = yield* sharedServerKeyPair
    const signer = yield* NodeSigner.make
    return yield* BunqEmulator.make({ serverKeyPair: keyPair, ...options }).pipe(
      Effect.provideService(Signer.Signer, signer)
    )
  })

export type NodeOptions = Omit<BunqNode.Options, "apiKey" | "baseUrl">

/**
 * `BunqNode`'s services against the emulator, in memory by default (`contextFile: false`), wildcard IPs, limiter and
 * retries off unless the options turn them on. `wrap` sees the in-process client first (to record traffic).
 */
export const nodeLayer = (
  emulator: BunqEmulator.Emulator.Service,
  apiKey: Redacted.Redacted<string>,
  options: NodeOptions = {},
  wrap: (client: HttpClient.HttpClient) => HttpClient.HttpClient = (client) => client
) =>
  Layer.unwrapEffect(Effect.map(emulator.url, (baseUrl) =>
    BunqNode.layerWithoutHttpClient({
      apiKey,
      baseUrl,
      contextFile: false,
      permittedIps: ["*"],
      rateLimits: false,
      retry: false,
      ...options
    }).pipe(Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, wrap(BunqEmulator.makeHttpClient(emulator)))))))

/** `METHOD /path status` of every request the emulator handled. */
export const logLines = (emulator: BunqEmulator.Emulator.Service) =>
  Effect.map(emulator.log, (entries) => entries.map((e) => `${e.method} ${e.path} ${e.status}`))

/** How many requests the emulator saw for a method and exact path. */
export const seen = (emulator: BunqEmulator.Emulator.Service, method: string, path: string) =>
  Effect.map(emulator.log, (entries) => entries.filter((e) => e.method === method && e.path === path).length)
