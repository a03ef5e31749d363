/**
 * The in-process `HttpClient`: requests go straight to the emulator's `HttpApp`, no socket.
 *
 * @internal
 */
import type * as Signer from "@effect-bunq/signer/Signer"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { ClientOptions, Emulator as EmulatorNs, Options } from "../BunqEmulator.js"
import * as internal from "./emulator.js"
import { Emulator } from "./tags.js"

const requestBody = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<BodyInit | null, HttpClientError.RequestError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed(null)
    case "Uint8Array":
      return Effect.succeed(body.body as BodyInit)
    case "Raw":
      return Effect.succeed(body.body as BodyInit)
    case "FormData":
      return Effect.succeed(body.formData)
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => {
          const parts = Array.from(chunks)
          const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
          let offset = 0
          for (const part of parts) {
            out.set(part, offset)
            offset += part.length
          }
          return out as BodyInit
        }),
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
      )
  }
}

/** @internal */
export const makeHttpClient = (emulator: EmulatorNs.Service, options?: ClientOptions): HttpClient.HttpClient => {
  const clientIp = options?.clientIp ?? "127.0.0.1"
  return HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = yield* requestBody(request)
      // A header a transport refuses (a control character, text beyond Latin-1) is a `TypeError` here, as in `fetch`
      // and undici: the same typed `RequestError` a real transport gives, not a defect. The `TypeError`'s message
      // quotes the value, so it stays in the cause and out of the description.
      const webRequest = yield* Effect.try({
        try: () =>
          new Request(url, {
            method: request.method,
            headers: request.headers,
            body: request.method === "GET" || request.method === "HEAD" ? null : body
          }),
        catch: (cause) =>
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause,
            description: "the request cannot be sent: a header name or value that HTTP does not allow"
          })
      })
      // The request's own headers, not the web Request's: browsers drop some (User-Agent) from a `Request` object.
      const serverRequest = HttpServerRequest.fromWeb(webRequest).modify({
        remoteAddress: clientIp,
        headers: request.headers
      })
      const response = yield* emulator.app.pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, serverRequest),
        Effect.catchTag("ConnectionReset", (cause) =>
          Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              cause,
              description: "connection reset by the bunq emulator"
            })
          ))
      )
      return HttpClientResponse.fromWeb(request, HttpServerResponse.toWeb(response))
    })
  )
}

/** @internal */
export const layerHttpClient = (options?: ClientOptions): Layer.Layer<HttpClient.HttpClient, never, Emulator> =>
  Layer.effect(HttpClient.HttpClient, Effect.map(Emulator, (emulator) => makeHttpClient(emulator, options)))

/** @internal */
export const layerTest = (
  options?: Options & ClientOptions
): Layer.Layer<Emulator | HttpClient.HttpClient, Signer.SignerError, Signer.Signer> =>
  layerHttpClient(options).pipe(Layer.provideMerge(internal.layer(options)))
