import * as NodeErrors from "@effect-bunq/platform-node/NodeErrors"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { dim, formatMillis, stderrColor, writeErr } from "./output.js"

/**
 * One HTTP exchange, as the CLI saw it. No header values other than bunq's request and response ids, no bodies.
 *
 * @internal
 */
export interface Exchange {
  readonly method: string
  readonly path: string
  readonly status: number | undefined
  readonly millis: number
  readonly requestId: string | undefined
  readonly responseId: string | undefined
}

/** @internal */
export const formatExchange = (exchange: Exchange): string =>
  `${exchange.method} ${exchange.path} → ${exchange.status ?? "failed"} (${formatMillis(exchange.millis)})` +
  (exchange.requestId !== undefined ? ` request-id=${exchange.requestId}` : "") +
  (exchange.responseId !== undefined ? ` response-id=${exchange.responseId}` : "")

/**
 * Node's `node:http` client (`NodeHttpClient.layer`: no WebAssembly HTTP parser to compile and wait for at exit, a
 * faster cold start than undici's), its failures described in plain words (`NodeErrors.withDescriptions`), recording
 * every exchange into `record` and, with `verbose`, logging it to stderr.
 *
 * @internal
 */
export const layer = (options: {
  readonly verbose: boolean
  readonly record: Ref.Ref<ReadonlyArray<Exchange>>
}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(NodeErrors.withDescriptions(client), (effect, request) =>
        Effect.gen(function*() {
          const start = performance.now()
          const exit = yield* Effect.exit(effect)
          const url = new URL(request.url)
          const response = exit._tag === "Success" ? exit.value : undefined
          const exchange: Exchange = {
            method: request.method,
            path: url.pathname,
            status: response?.status,
            millis: performance.now() - start,
            requestId: request.headers["x-bunq-client-request-id"],
            responseId: response?.headers["x-bunq-client-response-id"]
          }
          yield* Ref.update(options.record, (all) => [...all, exchange])
          if (options.verbose) {
            yield* writeErr(dim(stderrColor(), `[http] ${formatExchange(exchange)}`))
          }
          return yield* exit
        })))
  ).pipe(Layer.provide(NodeHttpClient.layer))
