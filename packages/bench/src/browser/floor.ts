/**
 * The floor under any Effect app that talks HTTP in a browser: `@effect/platform`'s `FetchHttpClient` sending one
 * request, with no effect-bunq code. (Its `HttpClient` module keeps `Stream`/`Channel` through module-level code, so
 * an app that imports the `HttpClient` tag at all ships them.) Ours minus this is what effect-bunq itself weighs.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"

declare const document: { body: { textContent: string | null } }

const program = Effect.flatMap(
  HttpClient.HttpClient,
  (client) => Effect.flatMap(client.get("https://proxy.example/v1/device-server/1"), (response) => response.text)
)

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then((text) => {
  document.body.textContent = text
})
