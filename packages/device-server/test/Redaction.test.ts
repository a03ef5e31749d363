/**
 * No secret (API key, installation or session token, private key) reaches a span, a log line, an error message or the
 * printed context, across a whole run: bootstrap, programs, a rejected session, re-registration and a failure.
 */
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Inspectable, Layer, Logger, Option, Redacted } from "effect"
import { makeRecordingTracer } from "../../http/test/utils/recordingTracer.js"
import * as ApiContext from "../src/ApiContext.js"
import * as ContextStore from "../src/ContextStore.js"
import * as DeviceServer from "../src/DeviceServer.js"
import * as User from "../src/User.js"
import { clientLayer, makeFake } from "./utils/fakeBunq.js"

const apiKey = Redacted.make("sandbox_REDACTION_CANARY_api_key_7f3a")

describe("secrets", () => {
  it.effect("never appear in spans, logs, errors or the printed context", () =>
    Effect.gen(function*() {
      const fake = yield* makeFake()
      const { spans, tracer } = makeRecordingTracer()
      const logs: Array<string> = []
      const logger = Logger.make(({ annotations, message }) => {
        logs.push(`${Inspectable.format(message)} ${Inspectable.format(annotations)}`)
      })
      const store = ContextStore.layerKeyValueStore().pipe(
        Layer.provide(KeyValueStore.layerMemory),
        Layer.provide(WebCryptoSigner.layer)
      )
      const layer = ApiContext.layer({ apiKey }).pipe(
        Layer.provideMerge(clientLayer(fake)),
        Layer.provideMerge(store)
      )
      const outcome = yield* Effect.gen(function*() {
        const context = yield* ApiContext.ApiContext
        yield* User.get()
        fake.expireSessions()
        yield* DeviceServer.get(Option.getOrThrow((yield* context.snapshot).deviceId))
        fake.forgetEverything()
        yield* User.get()
        const failure = yield* Effect.flip(DeviceServer.get(123_456))
        fake.expireSessions()
        fake.failSessionServer = 401
        const failure2 = yield* Effect.flip(User.get())
        const snapshot = yield* context.snapshot
        const signer = yield* Signer.Signer
        const privateKeyPem = Redacted.value(yield* signer.exportPrivateKeyPem(snapshot.keyPair.privateKey))
        return { failures: [failure, failure2], snapshot, privateKeyPem }
      }).pipe(
        Effect.provide(layer),
        Effect.provide(WebCryptoSigner.layer),
        Effect.withTracer(tracer),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )

      const secrets = [
        Redacted.value(apiKey),
        ...fake.installationTokens,
        ...fake.sessionTokens,
        outcome.privateKeyPem.split("\n")[1]!
      ]
      assert.isTrue(fake.installationTokens.length >= 2 && fake.sessionTokens.length >= 3)
      assert.isTrue(spans.length > 10)
      assert.isTrue(logs.some((line) => line.includes("registering again")))

      const texts = [
        ...spans.map((span) =>
          [
            span.name,
            ...Array.from(span.attributes, ([k, v]) => `${k}=${Inspectable.format(v)}`),
            ...span.events,
            span.exit === undefined || Exit.isSuccess(span.exit) ? "" : Cause.pretty(span.exit.cause)
          ].join("\n")
        ),
        ...logs,
        ...outcome.failures.flatMap((error) => [error.message, String(error), JSON.stringify(error)]),
        String(outcome.snapshot),
        Inspectable.format(outcome.snapshot),
        JSON.stringify(outcome.snapshot)
      ]
      for (const text of texts) {
        for (const secret of secrets) {
          assert.notInclude(text, secret)
        }
      }
    }))
})
