/**
 * One span per call: a program's span (`DeviceServer.get`) is the parent of the request's `bunq.request` span, which
 * carries the operation as an attribute; the name is not repeated.
 */
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { makeRecordingTracer } from "../../http/test/utils/recordingTracer.js"
import * as ApiContext from "../src/ApiContext.js"
import * as ContextStore from "../src/ContextStore.js"
import * as DeviceServer from "../src/DeviceServer.js"
import { clientLayer, makeFake } from "./utils/fakeBunq.js"

describe("spans", () => {
  it.effect("DeviceServer.get is one program span over one bunq.request span with the operation", () =>
    Effect.gen(function*() {
      const fake = yield* makeFake()
      const { spans, tracer } = makeRecordingTracer()
      const store = ContextStore.layerKeyValueStore().pipe(
        Layer.provide(KeyValueStore.layerMemory),
        Layer.provide(WebCryptoSigner.layer)
      )
      const layer = ApiContext.layer({ apiKey: Redacted.make("sandbox_tracing_key") }).pipe(
        Layer.provideMerge(clientLayer(fake)),
        Layer.provideMerge(store)
      )
      yield* Effect.gen(function*() {
        const context = yield* ApiContext.ApiContext
        const deviceId = Option.getOrThrow((yield* context.snapshot).deviceId)
        spans.length = 0
        yield* DeviceServer.get(deviceId)
      }).pipe(Effect.provide(layer), Effect.provide(WebCryptoSigner.layer), Effect.withTracer(tracer))

      const names = spans.map((span) => `${span.parent ?? "-"} > ${span.name}`)
      assert.strictEqual(spans.filter((span) => span.name === "DeviceServer.get").length, 1, names.join("\n"))
      const requests = spans.filter((span) => span.name === "bunq.request")
      assert.strictEqual(requests.length, 1, names.join("\n"))
      assert.strictEqual(requests[0]!.parent, "DeviceServer.get")
      assert.strictEqual(requests[0]!.attributes.get("bunq.operation"), "DeviceServer.get")
      assert.strictEqual(requests[0]!.attributes.get("http.request.method"), "GET")
    }))
})
