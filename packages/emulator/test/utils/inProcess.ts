import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Effect, Layer, ManagedRuntime } from "effect"
import type { Running } from "./server.js"

/**
 * An emulator reached through the in-process `HttpClient` (`BunqEmulator.layerTest`), with a `fetch`-shaped function
 * so the raw-protocol helpers (`utils/raw.ts`) run unchanged over it.
 */
export const startInProcess = async (
  options: BunqEmulator.Options = {},
  /** Runs around every request, e.g. `Effect.withScheduler(…)` to let concurrent requests interleave. */
  around: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = (effect) => effect
): Promise<Running & { readonly fetch: typeof fetch }> => {
  const runtime = ManagedRuntime.make(BunqEmulator.layerTest(options).pipe(Layer.provide(WebCryptoSigner.layer)))
  const emulator = await runtime.runPromise(BunqEmulator.Emulator)
  const inProcessFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>
    const method = (init?.method ?? "GET") as "GET" | "POST" | "PUT" | "DELETE"
    let request = HttpClientRequest.make(method)(String(input)).pipe(HttpClientRequest.setHeaders(headers))
    const contentType = Object.entries(headers).find(([key]) => key.toLowerCase() === "content-type")?.[1]
    if (init?.body instanceof Uint8Array && init.body.length > 0) {
      request = HttpClientRequest.bodyUint8Array(request, init.body, contentType)
    }
    const [status, responseHeaders, body] = await runtime.runPromise(
      Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(request)).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.arrayBuffer, (body) => [response.status, response.headers, body] as const)
        ),
        Effect.scoped,
        around
      )
    )
    return new Response(body, { status, headers: responseHeaders as Record<string, string> })
  }) as typeof fetch
  return {
    emulator,
    url: `http://bunq-emulator.localhost${emulator.basePath}`,
    fetch: inProcessFetch,
    run: (effect) => runtime.runPromise(effect),
    close: () => runtime.dispose()
  }
}
