import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import type { Effect } from "effect"
import { Layer, ManagedRuntime } from "effect"

export interface Running {
  readonly emulator: BunqEmulator.Emulator.Service
  /** The base URL, e.g. http://127.0.0.1:PORT/v1 */
  readonly url: string
  readonly run: <A, E>(effect: Effect.Effect<A, E>) => Promise<A>
  readonly close: () => Promise<void>
}

/** Start an emulator HTTP server on 127.0.0.1 (a free port) with the WebCrypto signer. */
export const startServer = async (options: BunqEmulatorServer.ServerOptions = {}): Promise<Running> => {
  const runtime = ManagedRuntime.make(BunqEmulatorServer.layer(options).pipe(Layer.provide(WebCryptoSigner.layer)))
  const emulator = await runtime.runPromise(BunqEmulator.Emulator)
  const url = await runtime.runPromise(emulator.url)
  return {
    emulator,
    url,
    run: (effect) => runtime.runPromise(effect),
    close: () => runtime.dispose()
  }
}
