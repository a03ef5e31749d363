/**
 * A lean `HttpClient` over an undici `Dispatcher`: one `dispatcher.request` per request, nothing around it.
 *
 * Compared with `NodeHttpClient.layerUndici` it has no HTTP span (and sends no `traceparent`/`b3` headers), no
 * per-request context merge (`layerMergedContext`) or `FiberRef` reads, reads the response headers once, memoizes the
 * body as a promise instead of an `Effect.cached`, and reads a small body with a declared length together with the
 * headers (`bufferedBodyBytes`). Hand-written because the difference is measured: a signed `GET` through
 * `BunqNode.layer` evaluates 113 Effect operations over this client and 209 over `NodeHttpClient.layerUndici` (whose
 * span is already off for bunq's requests, see `BunqClient.layerRequestSettings`; `pnpm --filter @effect-bunq/bench
 * ops`, 2026-12-07); the issue's target is 120. What it keeps: interruption aborts the request (and an unread body),
 * bodies that are never read are destroyed when the response is garbage collected, and failures are
 * `RequestError`/`ResponseError`.
 *
 * The response class follows `@effect/platform-node`'s undici response (MIT, Effectful Technologies Inc.).
 *
 * @internal
 */
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Undici from "@effect/platform-node/Undici"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { EventEmitter } from "node:events"
import type { Readable } from "node:stream"
import * as NodeErrors from "./nodeErrors.js"

type Body = Exclude<Undici.Dispatcher.DispatchOptions["body"], undefined>

/** Unread bodies are destroyed when their response is collected, so an ignored response frees its connection. */
const unreadBodies = new FinalizationRegistry<Readable>((body) => {
  body.destroy()
})

const noop = () => {}

/**
 * A request's abort switch, passed to undici as its `signal` (undici takes an `EventEmitter` with an `"abort"` event
 * as well as an `AbortSignal`): cheaper to create and to listen to than an `AbortController` and its `EventTarget`
 * (≈ 15 µs less client CPU per request on the benchmark machine).
 */
class Abort extends EventEmitter {
  aborted = false
  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.emit("abort")
  }
}

/**
 * A body of at most this many bytes, with a declared `content-length`, is read together with the headers, in the
 * request's own step (see `send`): reading it afterwards is then one Effect operation instead of an interruptible
 * async (11 fewer per signed GET). bunq's answers to single requests are a few KB; larger bodies stream as before.
 */
const bufferedBodyBytes = 64 * 1024

/** A body read with the headers: its bytes, or why reading it failed (a `ResponseError` when it is read). */
type Buffered =
  | { readonly _tag: "Read"; readonly bytes: ArrayBuffer }
  | { readonly _tag: "Failed"; readonly cause: unknown }

const utf8 = new TextDecoder()

class UndiciResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly status: number
  readonly headers: Headers.Headers
  private consumed: Promise<unknown> | undefined
  private consumedAs: string | undefined
  private cachedCookies: Cookies.Cookies | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly source: Undici.Dispatcher.ResponseData,
    private readonly buffered?: Buffered | undefined
  ) {
    super()
    this.status = source.statusCode
    this.headers = Headers.fromInput(source.headers as Headers.Input)
    source.body.on("error", noop)
    if (buffered === undefined) unreadBodies.register(this, source.body, this)
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const header = this.source.headers["set-cookie"]
    return this.cachedCookies = header === undefined
      ? Cookies.empty
      : Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
  }

  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({
      request: this.request,
      response: this,
      reason: "Decode",
      cause,
      ...NodeErrors.descriptionOf(cause)
    })
  }

  /**
   * The body read once, as `kind`; reading it again as the same kind gives the same value. Interrupting the first
   * read destroys the body.
   */
  private read<A>(kind: string, f: (body: Undici.Dispatcher.ResponseData["body"]) => Promise<A>) {
    return Effect.async<A, HttpClientError.ResponseError>((resume) => {
      if (this.consumed === undefined) {
        unreadBodies.unregister(this)
        this.consumedAs = kind
        this.consumed = f(this.source.body)
      } else if (this.consumedAs !== kind) {
        resume(Effect.fail(this.decodeError(new Error(`the body was already read as ${this.consumedAs}`))))
        return
      }
      let done = false
      ;(this.consumed as Promise<A>).then(
        (value) => {
          done = true
          resume(Effect.succeed(value))
        },
        (cause) => {
          done = true
          resume(Effect.fail(this.decodeError(cause)))
        }
      )
      return Effect.sync(() => {
        if (!done) this.source.body.destroy()
      })
    })
  }

  /** `f` of the body read with the headers (any number of times, as any kind). */
  private fromBuffered<A>(buffered: Buffered, f: (bytes: ArrayBuffer) => A) {
    return buffered._tag === "Read"
      ? Effect.succeed(f(buffered.bytes))
      : Effect.fail(this.decodeError(buffered.cause))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.buffered === undefined
      ? this.read("arrayBuffer", (body) => body.arrayBuffer())
      : this.fromBuffered(this.buffered, (bytes) => bytes)
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.buffered === undefined
      ? this.read("text", (body) => body.text())
      : this.fromBuffered(this.buffered, (bytes) => utf8.decode(bytes))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => text === "" ? null : JSON.parse(text) as unknown,
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    const buffered = this.buffered
    if (buffered === undefined) return this.read("formData", (body) => body.formData() as Promise<FormData>)
    return Effect.flatMap(this.fromBuffered(buffered, (bytes) => bytes), (bytes) =>
      Effect.tryPromise({
        try: () => new Response(bytes, { headers: this.source.headers as Record<string, string> }).formData(),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    if (this.buffered !== undefined) {
      return Stream.fromEffect(this.fromBuffered(this.buffered, (bytes) => new Uint8Array(bytes)))
    }
    unreadBodies.unregister(this)
    return NodeStream.fromReadable(() => this.source.body, (cause) => this.decodeError(cause))
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

const send = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  body: Body
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  Effect.async((resume) => {
    const controller = new Abort()
    dispatcher.request({
      method: request.method,
      headers: request.headers,
      origin: url.origin,
      path: url.pathname + url.search + url.hash,
      body,
      signal: controller,
      // the deadline is the caller's (BunqClient's per-attempt timeout interrupts, which aborts)
      headersTimeout: 60 * 60 * 1000,
      bodyTimeout: 0
    }).then(
      (response) => {
        const length = response.headers["content-length"]
        if (typeof length !== "string" || !(Number(length) <= bufferedBodyBytes)) {
          resume(Effect.succeed(new UndiciResponse(request, response)))
          return
        }
        // Read with the headers, still under this step's abort (see `bufferedBodyBytes`).
        response.body.arrayBuffer().then(
          (bytes) => resume(Effect.succeed(new UndiciResponse(request, response, { _tag: "Read", bytes }))),
          (cause) => resume(Effect.succeed(new UndiciResponse(request, response, { _tag: "Failed", cause })))
        )
      },
      (cause) =>
        resume(
          Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              cause,
              ...NodeErrors.descriptionOf(cause)
            })
          )
        )
    )
    return Effect.sync(() => controller.abort())
  })

/** @internal */
export const make = (dispatcher: Undici.Dispatcher): HttpClient.HttpClient =>
  HttpClient.makeWith(
    Effect.flatMap((request): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
      const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
      if (url._tag === "Left") {
        return Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
      }
      const body = request.body
      switch (body._tag) {
        case "Empty":
          return send(dispatcher, request, url.right, null)
        case "Uint8Array":
        case "Raw":
          return send(dispatcher, request, url.right, body.body as Uint8Array)
        case "FormData":
          return send(dispatcher, request, url.right, body.formData as unknown as Undici.FormData)
        case "Stream":
          return Effect.flatMap(
            Effect.mapError(
              NodeStream.toReadable(body.stream),
              (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
            ),
            (readable) => send(dispatcher, request, url.right, readable)
          )
      }
    }),
    Effect.succeed as HttpClient.HttpClient.Preprocess<never, never>
  )

/** @internal */
export const scoped: Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => new Undici.Agent()),
    (agent) => Effect.promise(() => agent.destroy())
  ),
  make
)

/** @internal */
export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.scoped(HttpClient.HttpClient, scoped)
