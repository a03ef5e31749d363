/**
 * A local receiver for bunq's callbacks (`Callback.httpApp` served on 127.0.0.1): `bunq webhook listen` prints each
 * callback it gets; the demo starts one to show a callback arriving.
 *
 * @internal
 */
import * as Callback from "@effect-bunq/api/Callback"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as NodeHttp from "node:http"
import * as Output from "./output.js"

/** What the CLI prints of a callback. @internal */
export const summary = (callback: Callback.Callback) => {
  const value = ("value" in callback.object ? callback.object.value : {}) as {
    readonly amount?: { readonly value?: string; readonly currency?: string }
    readonly amount_inquired?: { readonly value?: string; readonly currency?: string }
    readonly description?: string
  }
  const amount = value.amount ?? value.amount_inquired
  return {
    category: callback.category,
    eventType: callback.eventType,
    objectType: Callback.objectType(callback) ?? null,
    id: Callback.objectId(callback) ?? null,
    amount: amount?.value ?? null,
    currency: amount?.currency ?? null,
    description: value.description ?? null
  }
}

/** One line per callback, its text made printable (the values come from whoever POSTed). @internal */
export const line = (s: ReturnType<typeof summary>): string =>
  Output.printable(
    `${s.category} ${s.eventType} ${s.objectType ?? "?"} ${s.id ?? ""}${
      s.amount === null ? "" : ` ${s.amount} ${s.currency ?? ""}`
    }${s.description === null || s.description === "" ? "" : ` "${s.description}"`}`
  )

/**
 * Serve the receiver on 127.0.0.1:`port` in the current scope; `handle` gets every callback. Returns its URL.
 *
 * @internal
 */
export const start = (
  port: number,
  handle: (callback: Callback.Callback) => Effect.Effect<void>
): Effect.Effect<string, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      HttpServer.serve(Callback.httpApp(handle)).pipe(
        Layer.provideMerge(NodeHttpServer.layer(() => NodeHttp.createServer(), { port, host: "127.0.0.1" }))
      )
    )
    const server = yield* Effect.provide(HttpServer.HttpServer, context)
    const address = server.address
    return address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}/` : "http://127.0.0.1/"
  })

/** `bunq webhook listen`: print each callback until Ctrl-C. @internal */
export const listen = (port: number) =>
  Effect.scoped(Effect.gen(function*() {
    const output = yield* Output.Output
    const url = yield* start(port, (callback) => {
      const s = summary(callback)
      return output.json ? Output.writeOut(JSON.stringify(s)) : Output.writeOut(line(s))
    })
    yield* output.json
      ? Output.writeErr(JSON.stringify({ listening: url }))
      : Output.writeErr(
        `listening for bunq callbacks on ${url}\nregister it: POST /user/{id}/notification-filter-url ` +
          `{"notification_filters":[{"category":"MUTATION","notification_target":"${url}"}]}\nPress Ctrl-C to stop.`
      )
    return yield* Effect.never
  }))
