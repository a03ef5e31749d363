/**
 * A recording bunq: the emulator (in process) for the registration calls, and for every other request a canned
 * answer that the test chooses, signed with the emulator's server key so that `BunqClient` verifies it like any
 * bunq response. Every such request is recorded: method, path, query, the exact body bytes, headers and the client
 * signature.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Layer, Option } from "effect"

export interface Recorded {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly body: Uint8Array
  readonly headers: Readonly<Record<string, string>>
  readonly signature: string | undefined
}

export interface Answer {
  readonly status?: number | undefined
  /** The JSON body text, or raw bytes. */
  readonly body: string | Uint8Array
  readonly contentType?: string | undefined
  /** Change one byte after signing (a body tampered with on the way). */
  readonly tamper?: boolean | undefined
}

/** Registration calls go to the emulator; everything else gets the canned answer. */
const registration = new Set(["POST /installation", "POST /device-server", "POST /session-server"])

export const makeHarness = Effect.gen(function*() {
  const signer = yield* WebCryptoSigner.make
  const serverKeyPair = yield* signer.generateKeyPair()
  const emulator = yield* BunqEmulator.make({ serverKeyPair, rateLimits: false }).pipe(
    Effect.provideService(Signer.Signer, signer)
  )
  const emulatorClient = BunqEmulator.makeHttpClient(emulator)
  const recorded: Array<Recorded> = []
  let respond: (request: Recorded) => Answer = () => ({ body: `{"Response":[]}` })
  let responseCount = 0

  const http = HttpClient.make((request, url) => {
    const path = url.pathname.replace(/^\/v1/, "")
    if (registration.has(`${request.method} ${path}`)) return emulatorClient.execute(request)
    return Effect.gen(function*() {
      const body = request.body._tag === "Uint8Array" ? request.body.body : new Uint8Array()
      const entry: Recorded = {
        method: request.method,
        path,
        query: url.search.replace(/^\?/, ""),
        body,
        headers: request.headers,
        signature: request.headers["x-bunq-client-signature"]
      }
      recorded.push(entry)
      const answer = respond(entry)
      const bytes = typeof answer.body === "string" ? new TextEncoder().encode(answer.body) : answer.body
      const signature = yield* Effect.orDie(signer.sign(serverKeyPair.privateKey, bytes))
      responseCount += 1
      const sent = answer.tamper === true ? bytes.map((b, i) => (i === bytes.length - 1 ? b ^ 1 : b)) : bytes
      return HttpClientResponse.fromWeb(
        request,
        new Response(sent as Uint8Array<ArrayBuffer>, {
          status: answer.status ?? 200,
          headers: {
            "content-type": answer.contentType ?? "application/json",
            "x-bunq-client-request-id": request.headers["x-bunq-client-request-id"] ?? "",
            "x-bunq-client-response-id": `response-${responseCount}`,
            "x-bunq-server-signature": signature
          }
        })
      )
    })
  })

  const url = yield* emulator.url
  const client = BunqClient.layer.pipe(
    Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, http)),
    Layer.provideMerge(Layer.succeed(Signer.Signer, signer)),
    Layer.provideMerge(BunqConfig.layer({ baseUrl: url, rateLimits: false, retry: false }))
  )
  const user = yield* emulator.createSandboxUser()
  const context = ApiContext.layer({ apiKey: user.apiKey, description: "api tests" }).pipe(
    Layer.provideMerge(client),
    Layer.provideMerge(ContextStore.layerMemory)
  )
  return {
    signer,
    emulator,
    user,
    client,
    context,
    recorded,
    answer: (f: (request: Recorded) => Answer) => {
      respond = f
    },
    /** Verify a recorded client signature over the recorded body bytes with the context's public key. */
    verifyClientSignature: (entry: Recorded) =>
      Effect.gen(function*() {
        const snapshot = yield* Effect.flatMap(ApiContext.ApiContext, (c) => c.snapshot)
        if (entry.signature === undefined) return yield* Effect.dieMessage("no client signature")
        yield* signer.verify(snapshot.keyPair.publicKeyPem, entry.body, entry.signature)
        return Option.getOrThrow(snapshot.session).userId
      })
  }
})
