// The in-process emulator is browser-safe: the whole flow runs in Chromium with WebCrypto on both sides.
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"

const layer = Layer.merge(BunqEmulator.layerTest(), WebCryptoSigner.layer).pipe(
  Layer.provideMerge(WebCryptoSigner.layer)
)

describe("BunqEmulator in the browser", () => {
  it.effect("installation → device-server → session-server → GET device, verified with the server key", () =>
    Effect.gen(function*() {
      const signer = yield* Signer.Signer
      // bunq requires a User-Agent; the in-process client keeps it (a browser drops it from a `Request` object).
      const client = HttpClient.mapRequest(
        yield* HttpClient.HttpClient,
        HttpClientRequest.setHeader("User-Agent", "emulator-browser-test/1.0")
      )
      const emulator = yield* BunqEmulator.Emulator
      const user = yield* emulator.createSandboxUser({ type: "company" })
      const keys = yield* signer.generateKeyPair({ extractable: false })

      const post = (path: string, body: unknown, token?: string) =>
        Effect.gen(function*() {
          const bytes = new TextEncoder().encode(JSON.stringify(body))
          let request = HttpClientRequest.post(`http://emulator.test/v1${path}`).pipe(
            HttpClientRequest.bodyUint8Array(bytes, "application/json"),
            HttpClientRequest.setHeader("X-Bunq-Client-Request-Id", crypto.randomUUID()),
            HttpClientRequest.setHeader("X-Bunq-Client-Signature", yield* signer.sign(keys.privateKey, bytes))
          )
          if (token !== undefined) {
            request = HttpClientRequest.setHeader(request, "X-Bunq-Client-Authentication", token)
          }
          return yield* client.execute(request)
        })
      const read = (response: { readonly arrayBuffer: Effect.Effect<ArrayBuffer, unknown> }) =>
        Effect.map(response.arrayBuffer, (buffer) => new Uint8Array(buffer))

      const installation = yield* post("/installation", { client_public_key: keys.publicKeyPem })
      const installationJson = JSON.parse(new TextDecoder().decode(yield* read(installation)))
      const installationToken: string = installationJson.Response[1].Token.token
      const serverKey: string = installationJson.Response[2].ServerPublicKey.server_public_key
      expect(serverKey).toBe(emulator.serverPublicKeyPem)

      const apiKey = Redacted.value(user.apiKey)
      const device = yield* post("/device-server", { description: "Chromium", secret: apiKey }, installationToken)
      expect(device.status).toBe(200)
      const session = yield* post("/session-server", { secret: apiKey }, installationToken)
      const sessionBytes = yield* read(session)
      yield* signer.verify(serverKey, sessionBytes, session.headers["x-bunq-server-signature"]!)
      const sessionJson = JSON.parse(new TextDecoder().decode(sessionBytes))
      expect(Object.keys(sessionJson.Response[2])).toEqual(["UserCompany"])

      const deviceId: number = JSON.parse(new TextDecoder().decode(yield* read(device))).Response[0].Id.id
      const get = yield* client.execute(
        HttpClientRequest.get(`http://emulator.test/v1/device-server/${deviceId}`).pipe(
          HttpClientRequest.setHeader("X-Bunq-Client-Authentication", sessionJson.Response[1].Token.token),
          HttpClientRequest.setHeader("X-Bunq-Client-Signature", yield* signer.sign(keys.privateKey, new Uint8Array(0)))
        )
      )
      const getBytes = yield* read(get)
      expect(get.status).toBe(200)
      yield* signer.verify(serverKey, getBytes, get.headers["x-bunq-server-signature"]!)
      expect(JSON.parse(new TextDecoder().decode(getBytes)).Response[0].DeviceServer.description).toBe("Chromium")
    }).pipe(Effect.provide(layer)))
})
