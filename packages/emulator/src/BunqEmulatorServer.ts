/**
 * The emulator as a Node HTTP server (`node:http` through `@effect/platform-node`), on 127.0.0.1 by default, with CORS
 * open to every origin (bunq's request headers allowed, the `X-Bunq-*` response headers exposed) so browser tests can
 * reach it. `Emulator.url` gives the actual base URL once listening (port 0 picks a free port).
 *
 * @since 0.1.0
 */
import type * as Signer from "@effect-bunq/signer/Signer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:http"
import * as BunqEmulator from "./BunqEmulator.js"
import * as BunqEmulatorControl from "./BunqEmulatorControl.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions extends BunqEmulator.Options {
  /** The port; `0` (the default) picks a free one. */
  readonly port?: number | undefined
  /** The interface to listen on. Default `"127.0.0.1"`. */
  readonly host?: string | undefined
  /** Also serve the control endpoints under `/_emulator` (see `BunqEmulatorControl`). Default `false`. */
  readonly control?: boolean | undefined
}

/**
 * The response headers a browser may read.
 *
 * @since 0.1.0
 * @category constants
 */
export const exposedHeaders: ReadonlyArray<string> = [
  "X-Bunq-Client-Request-Id",
  "X-Bunq-Client-Response-Id",
  "X-Bunq-Server-Signature"
]

/**
 * Serve an `Emulator` (from context) with the `HttpServer` in context: CORS, and a connection reset for
 * `ConnectionReset` faults (the socket is destroyed, no response is written).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServe: Layer.Layer<never, never, BunqEmulator.Emulator | HttpServer.HttpServer> = Layer
  .scopedDiscard(
    Effect.gen(function*() {
      const emulator = yield* BunqEmulator.Emulator
      const server = yield* HttpServer.HttpServer
      const address = server.address
      if (address._tag === "TcpAddress") {
        const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname
        yield* emulator.setOrigin(`http://${host}:${address.port}`)
      }
      const app = emulator.app.pipe(
        Effect.catchTag("ConnectionReset", () =>
          Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
            NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
            return Effect.interrupt
          }))
      )
      yield* HttpServer.serveEffect(
        app,
        HttpMiddleware.cors({
          allowedOrigins: [],
          allowedMethods: ["GET", "POST", "PUT", "DELETE"],
          exposedHeaders,
          maxAge: 600
        })
      )
    })
  )

/**
 * A fresh emulator served over HTTP on `host:port` (127.0.0.1, a free port by default).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: ServerOptions = {}
): Layer.Layer<BunqEmulator.Emulator, Signer.SignerError | HttpServerError.ServeError, Signer.Signer> =>
  layerServe.pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { port: options.port ?? 0, host: options.host ?? "127.0.0.1" })),
    Layer.provideMerge(
      options.control === true
        ? BunqEmulatorControl.layerWithControl.pipe(Layer.provide(BunqEmulator.layer(options)))
        : BunqEmulator.layer(options)
    )
  )
