import * as BunqClient from "@effect-bunq/http/BunqClient"
import type { BunqRequest } from "@effect-bunq/http/BunqClient"
import { Headers } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, FiberRef, Option, Redacted } from "effect"
import { fixture } from "./utils/fixtures.js"
import { makeRecordingTracer, type RecordedSpan } from "./utils/recordingTracer.js"
import {
  clientLayer,
  installationToken,
  makeKeys,
  makeRecordingTransport,
  type Recorded,
  type Reply,
  withClient
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

const run = (reply: (r: Recorded) => Reply) =>
  Effect.gen(function*() {
    const { spans, tracer } = makeRecordingTracer()
    let sent: Recorded | undefined
    const exit = yield* withClient(
      keys,
      (r) => {
        sent = r
        return reply(r)
      },
      {},
      (client) => Effect.exit(client.execute(request))
    ).pipe(Effect.withTracer(tracer))
    return { spans, exit, sent: sent! }
  })

describe("BunqClient tracing and redaction", () => {
  it.effect("runs each request in one bunq.request span with the operation, method, path, status and ids", () =>
    Effect.gen(function*() {
      const { exit, sent, spans } = yield* run(() => ({
        body: fixture("create-id.response.json"),
        responseId: "resp-trace"
      }))
      assert.isTrue(Exit.isSuccess(exit))
      const span = spans.find((s) => s.name === "bunq.request")
      assert.isDefined(span)
      assert.strictEqual(spans.filter((s) => s.name === "bunq.request").length, 1)
      assert.strictEqual(span!.attributes.get("bunq.operation"), "SessionServer.create")
      assert.strictEqual(span!.attributes.get("http.request.method"), "POST")
      assert.strictEqual(span!.attributes.get("url.path"), "/session-server")
      assert.strictEqual(span!.attributes.get("http.response.status_code"), 200)
      assert.strictEqual(span!.attributes.get("bunq.request_id"), sent.headers["x-bunq-client-request-id"])
      assert.strictEqual(span!.attributes.get("bunq.response_id"), "resp-trace")
      // the platform's HTTP span is a child of it and saw the secret headers, redacted
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
        const { exit, sent, spans } = yield* run(reply)
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

  it.effect("BunqClient.layer puts the secret header names in Headers.currentRedactedNames; spans under it redact", () =>
    Effect.gen(function*() {
      const transport = yield* makeRecordingTransport(keys, () => ({ body: fixture("create-id.response.json") }))
      const { spans, tracer } = makeRecordingTracer()
      const names = yield* Effect.gen(function*() {
        const client = yield* BunqClient.BunqClient
        yield* client.execute(request)
        return yield* FiberRef.get(Headers.currentRedactedNames)
      }).pipe(Effect.provide(clientLayer(transport)), Effect.withTracer(tracer))
      const lower = names.map((name) => typeof name === "string" ? name.toLowerCase() : String(name))
      for (const name of BunqClient.secretHeaderNames) assert.include(lower, name.toLowerCase())
      const http = spans.find((s) => s.name !== "bunq.request")
      assert.strictEqual(String(http!.attributes.get("http.request.header.x-bunq-client-signature")), "<redacted>")
      assert.notInclude(everything(spans), secret)
    }))
})
