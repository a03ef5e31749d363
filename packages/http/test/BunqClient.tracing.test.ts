import * as BunqClient from "@effect-bunq/http/BunqClient"
import type { BunqRequest } from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { Headers, HttpClient, HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, FiberRef, Layer, Option, Redacted } from "effect"
import { fixture } from "./utils/fixtures.js"
import { makeRecordingTracer, type RecordedSpan } from "./utils/recordingTracer.js"
import {
  clientLayer,
  installationToken,
  makeKeys,
  makeRecordingTransport,
  type Recorded,
  type RecordingTransport,
  type Reply
} from "./utils/recordingTransport.js"

const keys = await Effect.runPromise(makeKeys)

const secret = Redacted.value(installationToken)

const request: BunqRequest = {
  operation: "SessionServer.create",
  method: "POST",
  path: "/session-server?secret-looking-query=1",
  body: { secret: "API-KEY-5ecr3t-0003" },
  auth: { _tag: "Installation", token: installationToken },
  signWith: keys.client.privateKey,
  verifyWith: keys.server.publicKeyPem
}

const everything = (spans: ReadonlyArray<RecordedSpan>): string =>
  spans.map((span) =>
    [
      span.name,
      ...Array.from(span.attributes, ([k, v]) => `${k}=${String(v)}`),
      ...span.events
    ].join("\n")
  ).join("\n")

/**
 * `BunqClient.layerWith` over the recording transport; `traced` adds middleware that turns the transport's own span back on (bunq's
 * requests have none by default), so that what a span of the user's middleware records can be checked.
 */
const layerOver = (transport: RecordingTransport, traced: boolean) =>
  BunqClient.layerWith(traced ? { transformClient: HttpClient.withTracerDisabledWhen(() => false) } : {}).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, transport.client)),
    Layer.provide(WebCryptoSigner.layer),
    Layer.provide(Layer.orDie(BunqConfig.layer({ baseUrl: "https://bunq.test/v1", retry: false, rateLimits: false })))
  )

const run = (reply: (r: Recorded) => Reply, traced: boolean) =>
  Effect.gen(function*() {
    const { spans, tracer } = makeRecordingTracer()
    let sent: Recorded | undefined
    const transport = yield* makeRecordingTransport(keys, (r) => {
      sent = r
      return reply(r)
    })
    const exit = yield* Effect.exit(Effect.flatMap(BunqClient.BunqClient, (client) => client.execute(request))).pipe(
      Effect.provide(layerOver(transport, traced)),
      Effect.withTracer(tracer)
    )
    return { spans, exit, sent: sent! }
  })

describe("BunqClient tracing and redaction", () => {
  it.effect("runs each request in one bunq.request span with the operation, method, path, status and ids", () =>
    Effect.gen(function*() {
      const { exit, sent, spans } = yield* run(() => ({
        body: fixture("create-id.response.json"),
        responseId: "resp-trace"
      }), false)
      assert.isTrue(Exit.isSuccess(exit))
      // the transport makes no span of its own for bunq's requests, so it sends no trace headers either
      assert.deepStrictEqual(spans.map((s) => s.name), ["bunq.request"])
      for (const name of ["traceparent", "b3", "tracestate"]) assert.isUndefined(sent.headers[name])
      const span = spans[0]!
      assert.strictEqual(span.attributes.get("bunq.operation"), "SessionServer.create")
      assert.strictEqual(span.attributes.get("http.request.method"), "POST")
      assert.strictEqual(span.attributes.get("url.path"), "/session-server")
      assert.strictEqual(span.attributes.get("http.response.status_code"), 200)
      assert.strictEqual(span.attributes.get("bunq.request_id"), sent.headers["x-bunq-client-request-id"])
      assert.strictEqual(span.attributes.get("bunq.response_id"), "resp-trace")
    }))

  it.effect("a span made in transformClient is a child of bunq.request and sees the secret headers redacted", () =>
    Effect.gen(function*() {
      const { exit, spans } = yield* run(() => ({ body: fixture("create-id.response.json") }), true)
      assert.isTrue(Exit.isSuccess(exit))
      const http = spans.find((s) => s.name !== "bunq.request")
      assert.isDefined(http)
      assert.strictEqual(http!.parent, "bunq.request")
      assert.strictEqual(String(http!.attributes.get("http.request.header.x-bunq-client-authentication")), "<redacted>")
      assert.strictEqual(String(http!.attributes.get("http.request.header.x-bunq-client-signature")), "<redacted>")
      assert.strictEqual(String(http!.attributes.get("http.response.header.x-bunq-server-signature")), "<redacted>")
    }))

  it.effect("no token, API key or signature reaches span attributes, events or error messages", () =>
    Effect.gen(function*() {
      for (
        const reply of [
          (): Reply => ({ body: fixture("create-id.response.json") }),
          (): Reply => ({ status: 400, body: fixture("error-generic.response.json"), responseId: "r" }),
          (): Reply => ({ body: fixture("create-id.response.json"), sign: "flipSignature" }),
          (): Reply => ({ body: "not json" })
        ]
      ) {
        const { exit, sent, spans } = yield* run(reply, true)
        const clientSignature = sent.headers["x-bunq-client-signature"]!
        assert.isString(clientSignature)
        assert.strictEqual(sent.headers["x-bunq-client-authentication"], secret)
        const secrets = [secret, clientSignature, "API-KEY-5ecr3t-0003"]
        const traced = everything(spans)
        assert.isAbove(spans.length, 1)
        for (const value of secrets) assert.notInclude(traced, value)
        if (Exit.isFailure(exit)) {
          const error = Option.getOrThrow(Cause.failureOption(exit.cause))
          const shown = [error.message, String(error), JSON.stringify(error), Cause.pretty(exit.cause)].join("\n")
          for (const value of secrets) assert.notInclude(shown, value)
        }
      }
    }))

  it.effect("BunqClient.layer sets the secret header names and the transport span's predicate for the runtime", () =>
    Effect.gen(function*() {
      const transport = yield* makeRecordingTransport(keys, () => ({ body: fixture("create-id.response.json") }))
      const { spans, tracer } = makeRecordingTracer()
      const [names, disabledWhen] = yield* Effect.gen(function*() {
        const client = yield* BunqClient.BunqClient
        yield* client.execute(request)
        return [
          yield* FiberRef.get(Headers.currentRedactedNames),
          yield* FiberRef.get(HttpClient.currentTracerDisabledWhen)
        ] as const
      }).pipe(Effect.provide(clientLayer(transport)), Effect.withTracer(tracer))
      const lower = names.map((name) => typeof name === "string" ? name.toLowerCase() : String(name))
      for (const name of BunqClient.secretHeaderNames) assert.include(lower, name.toLowerCase())
      // bunq's requests (they carry X-Bunq-Client-Request-Id) have no transport span; other requests keep theirs
      const bunqRequest = transport.requests[0]!
      assert.isTrue(disabledWhen(
        HttpClientRequest.post(bunqRequest.url).pipe(
          HttpClientRequest.setHeaders(bunqRequest.headers)
        )
      ))
      assert.isFalse(disabledWhen(HttpClientRequest.get("https://example.test/")))
      assert.deepStrictEqual(spans.map((s) => s.name), ["bunq.request"])
      assert.notInclude(everything(spans), secret)
    }))
})
