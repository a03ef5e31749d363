/**
 * The emulator as a Node HTTP server (`node:http` through `@effect/platform-node`), on 127.0.0.1 by default, with CORS
 * for loopback origins only (bunq's request headers allowed, the `X-Bunq-*` response headers exposed) so browser
 * tests on the developer's machine can reach it, and no other web page can. `Emulator.url` gives the actual base URL
 * once listening (port 0 picks a free port).
 *
 * Two checks guard it against web pages open in the developer's browser: a request whose `Origin` is not allowed is
 * refused with 403 (a page could otherwise send a "simple" POST that creates users without reading the answer), and a
 * request whose `Host` is not a loopback name (or one of `allowedHosts`) is refused with 421, which defeats DNS
 * rebinding (a hostile name re-pointed at 127.0.0.1 carries its own name in `Host`).
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
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
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
  /**
   * The browser origins allowed to call the emulator (CORS, and any request carrying `Origin`). Default: loopback
   * origins only (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`, any port, http or https).
   */
  readonly allowedOrigins?: ReadonlyArray<string> | ((origin: string) => boolean) | undefined
  /**
   * Host names accepted in the `Host` header besides the loopback names (`localhost`, `127.0.0.1`, `[::1]`) and the
   * `host` the server listens on. Default none.
   */
  readonly allowedHosts?: ReadonlyArray<string> | undefined
}

const loopbackHostnames = new Set(["localhost", "127.0.0.1", "[::1]", "::1"])

/**
 * Whether an origin (`scheme://host[:port]`) is a loopback one.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isLoopbackOrigin = (origin: string): boolean => {
  try {
    const url = new URL(origin)
    return (url.protocol === "http:" || url.protocol === "https:") && loopbackHostnames.has(url.hostname)
  } catch {
    return false
  }
}

/** The host name of a `Host` header value, lower-cased, without the port. */
const hostnameOf = (host: string): string => {
  const value = host.trim().toLowerCase()
  if (value.startsWith("[")) {
    const end = value.indexOf("]")
    return end === -1 ? value : value.slice(0, end + 1)
  }
  const colon = value.indexOf(":")
  return colon === -1 ? value : value.slice(0, colon)
}

const refuse = (status: number, description: string) =>
  HttpServerResponse.unsafeJson({
    Error: [{ error_description: description, error_description_translated: description }]
  }, { status })

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
 * `layerServe` with explicit origin and host rules (see `ServerOptions`).
 *
 * @since 0.1.0
 * @category layers
 */
export const makeLayerServe = (
  options: Pick<ServerOptions, "allowedOrigins" | "allowedHosts" | "host">
): Layer.Layer<never, never, BunqEmulator.Emulator | HttpServer.HttpServer> =>
  Layer.scopedDiscard(
    Effect.gen(function*() {
      const emulator = yield* BunqEmulator.Emulator
      const server = yield* HttpServer.HttpServer
      const address = server.address
      if (address._tag === "TcpAddress") {
        const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname
        yield* emulator.setOrigin(`http://${host}:${address.port}`)
      }
      const configured = options.allowedOrigins
      const originAllowed = configured === undefined
        ? isLoopbackOrigin
        : typeof configured === "function"
        ? configured
        : (origin: string) => configured.includes(origin)
      const hosts = new Set(loopbackHostnames)
      for (const host of options.allowedHosts ?? []) hosts.add(hostnameOf(host))
      if (options.host !== undefined) {
        hosts.add(hostnameOf(options.host.includes(":") ? `[${options.host}]` : options.host))
      }
      const guarded = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        const host = request.headers["host"]
        if (host === undefined || !hosts.has(hostnameOf(host))) {
          return Effect.succeed(refuse(421, "Host not allowed: the emulator answers loopback host names only."))
        }
        const origin = request.headers["origin"]
        if (origin !== undefined && !originAllowed(origin)) {
          return Effect.succeed(refuse(403, "Origin not allowed: the emulator answers loopback origins only."))
        }
        return emulator.app
      })
      const app = guarded.pipe(
        Effect.catchTag("ConnectionReset", () =>
          Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
            NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
            return Effect.interrupt
          }))
      )
      yield* HttpServer.serveEffect(
        app,
        HttpMiddleware.cors({
          allowedOrigins: originAllowed,
          allowedMethods: ["GET", "POST", "PUT", "DELETE"],
          exposedHeaders,
          maxAge: 600
        })
      )
    })
  )

/**
 * Serve an `Emulator` (from context) with the `HttpServer` in context: CORS, and a connection reset for
 * `ConnectionReset` faults (the socket is destroyed, no response is written).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServe: Layer.Layer<never, never, BunqEmulator.Emulator | HttpServer.HttpServer> = makeLayerServe({})

/**
 * A fresh emulator served over HTTP on `host:port` (127.0.0.1, a free port by default).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: ServerOptions = {}
): Layer.Layer<BunqEmulator.Emulator, Signer.SignerError | HttpServerError.ServeError, Signer.Signer> =>
  makeLayerServe(options).pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { port: options.port ?? 0, host: options.host ?? "127.0.0.1" })),
    Layer.provideMerge(
      options.control === true
        ? BunqEmulatorControl.layerWithControl.pipe(Layer.provide(BunqEmulator.layer(options)))
        : BunqEmulator.layer(options)
    )
  )
