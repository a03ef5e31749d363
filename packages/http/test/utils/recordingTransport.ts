/**
 * A recording transport for the `BunqClient` unit tests: an `HttpClient` built with `HttpClient.make` that records every
 * request exactly as it would go on the wire (URL, headers, body bytes, the `Clock` time it arrived) and answers with a
 * handler's reply, signed with a real server key by default (or forged: unsigned, another key, a flipped body or
 * signature character). Not a bunq: it has no state, tokens or endpoints; each test says what the wire carries.
 *
 * Who needs it, and why the emulator (`@effect-bunq/emulator`, which serves `BunqClient.raw.test.ts` and every
 * `ApiContext` test) cannot serve them:
 * - `BunqClient.test.ts`, `BunqClient.browser.test.ts`: the exact headers and body bytes sent (the emulator does not
 *   hand out what it received), every status with bunq's documented error bodies (399, 418, a proxy's HTML page, a
 *   body that is not JSON or not UTF-8), a wrong or missing echoed request id, and transport failures with a given
 *   cause (`Failed to fetch`, `ECONNRESET`): replies the emulator would never send.
 * - `BunqClient.pagination.test.ts`: bunq's own example pages (`test/fixtures/list-pagination.*`) byte for byte, and
 *   the exact URLs of the walk.
 * - `BunqClient.resilience.test.ts`: the `Clock` time each attempt reached the transport (retry backoff, bunq's rate
 *   windows, the limiter) with replies that need no crypto, so that every step between two `TestClock` moves is
 *   synchronous; 429/5xx/transport failures per attempt.
 * - `BunqClient.tracing.test.ts`: the client signature that was sent (to prove it reaches no span) and a body that
 *   is not JSON.
 *
 * Browser-safe (no node:* imports): the Node-only fixture loader is in `./fixtures.ts`.
 */
import { BunqConfig } from "@effect-bunq/http"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import type * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { Clock, Effect, Layer, Redacted } from "effect"

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

export interface Recorded {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
  /** `Clock.currentTimeMillis` when the request reached the transport (the TestClock in tests). */
  readonly at: number
}

export interface Reply {
  readonly status?: number
  readonly body: Uint8Array | string
  readonly headers?: Record<string, string>
  /**
   * How to sign: `"server"` (default) with the server key over the body sent; `"none"` leaves the header out;
   * `"wrongKey"` signs with another key; `"flipBody"` signs the body then flips a byte of what is sent;
   * `"flipSignature"` changes one base64 character of a valid signature.
   */
  readonly sign?: "server" | "none" | "wrongKey" | "flipBody" | "flipSignature"
  /** `"echo"` (default) echoes the request id, `"none"` leaves it out, any other string is sent as is. */
  readonly requestId?: "echo" | "none" | string
  readonly responseId?: string
}

export type Handler = (
  request: Recorded,
  index: number
) => Reply | Effect.Effect<Reply, HttpClientError.HttpClientError>

export interface Keys {
  readonly client: Signer.KeyPair
  readonly server: Signer.KeyPair
  readonly other: Signer.KeyPair
}

/** Three real RSA-2048 key pairs, made once per test file. */
export const makeKeys = Effect.gen(function*() {
  const signer = yield* WebCryptoSigner.make
  const [client, server, other] = yield* Effect.all([
    signer.generateKeyPair(),
    signer.generateKeyPair(),
    signer.generateKeyPair()
  ], { concurrency: "unbounded" })
  return { client, server, other } satisfies Keys
})

export const flipByte = (bytes: Uint8Array, index = 0): Uint8Array => {
  const copy = new Uint8Array(bytes)
  copy[index] = copy[index]! ^ 0x01
  return copy
}

export const flipBase64Char = (signature: string): string => {
  const index = Math.floor(signature.length / 2)
  const replacement = signature[index] === "A" ? "B" : "A"
  return signature.slice(0, index) + replacement + signature.slice(index + 1)
}

export interface RecordingTransport {
  /** Every request that reached the transport, oldest first. */
  readonly requests: Array<Recorded>
  readonly client: HttpClient.HttpClient
}

export const makeRecordingTransport = (keys: Keys, handler: Handler): Effect.Effect<RecordingTransport> =>
  Effect.gen(function*() {
    const signer = yield* WebCryptoSigner.make
    const requests: Array<Recorded> = []
    const client = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const body = request.body._tag === "Uint8Array"
          ? request.body.body
          : request.body._tag === "Empty"
          ? new Uint8Array(0)
          : yield* Effect.dieMessage(`unexpected body ${request.body._tag}`)
        const recorded: Recorded = {
          method: request.method,
          url,
          headers: { ...request.headers },
          body: new Uint8Array(body),
          at: yield* Clock.currentTimeMillis
        }
        requests.push(recorded)
        const result = handler(recorded, requests.length - 1)
        const reply = Effect.isEffect(result) ? yield* result : result
        const replyBytes = typeof reply.body === "string" ? utf8(reply.body) : reply.body
        const headers: Record<string, string> = { "content-type": "application/json", ...reply.headers }
        const requestId = reply.requestId ?? "echo"
        if (requestId === "echo") headers["x-bunq-client-request-id"] = request.headers["x-bunq-client-request-id"]!
        else if (requestId !== "none") headers["x-bunq-client-request-id"] = requestId
        if (reply.responseId !== undefined) headers["x-bunq-client-response-id"] = reply.responseId
        let sent = replyBytes
        switch (reply.sign ?? "server") {
          case "server":
            headers["x-bunq-server-signature"] = yield* Effect.orDie(signer.sign(keys.server.privateKey, replyBytes))
            break
          case "wrongKey":
            headers["x-bunq-server-signature"] = yield* Effect.orDie(signer.sign(keys.other.privateKey, replyBytes))
            break
          case "flipBody":
            headers["x-bunq-server-signature"] = yield* Effect.orDie(signer.sign(keys.server.privateKey, replyBytes))
            sent = flipByte(replyBytes, Math.floor(replyBytes.length / 2))
            break
          case "flipSignature":
            headers["x-bunq-server-signature"] = flipBase64Char(
              yield* Effect.orDie(signer.sign(keys.server.privateKey, replyBytes))
            )
            break
          case "none":
            break
        }
        return HttpClientResponse.fromWeb(
          request,
          new Response(new Uint8Array(sent), { status: reply.status ?? 200, headers })
        )
      })
    )
    return { requests, client }
  })

/** A `BunqClient` over the recording transport, the WebCrypto signer and the given configuration. */
export const clientLayer = (
  transport: RecordingTransport,
  options: BunqConfig.Options = {}
): Layer.Layer<BunqClient.BunqClient> =>
  BunqClient.layer.pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, transport.client)),
    Layer.provide(WebCryptoSigner.layer),
    Layer.provide(
      Layer.orDie(BunqConfig.layer({ baseUrl: "https://bunq.test/v1", retry: false, rateLimits: false, ...options }))
    )
  )

/** Run `f` with a `BunqClient` over a recording transport. */
export const withClient = <A, E>(
  keys: Keys,
  handler: Handler,
  options: BunqConfig.Options,
  f: (client: BunqClient.BunqClient.Service, transport: RecordingTransport) => Effect.Effect<A, E>
): Effect.Effect<A, E> =>
  Effect.gen(function*() {
    const transport = yield* makeRecordingTransport(keys, handler)
    const client = yield* Effect.provide(BunqClient.BunqClient, clientLayer(transport, options))
    return yield* f(client, transport)
  })

export const sessionToken = Redacted.make("SESSION-TOKEN-5ecr3t-0001")
export const installationToken = Redacted.make("INSTALLATION-TOKEN-5ecr3t-0002")
