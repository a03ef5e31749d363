/**
 * No secret (API key, installation or session token, private key) reaches a span, a log line, an error message or the
 * printed context, across a whole run on the emulator: bootstrap, programs, a rejected session, re-registration and a
 * failure. The secrets searched for are the API key and every token the emulator issued (`Emulator.tokens`).
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
import { makeBunq } from "./utils/bunq.js"

describe("secrets", () => {
  it.effect("never appear in spans, logs, errors or the printed context", () =>
    Effect.gen(function*() {
      const bunq = yield* makeBunq()
      const apiKey = bunq.apiKey
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
        Layer.provideMerge(bunq.clientLayer),
        Layer.provideMerge(store)
      )
      const outcome = yield* Effect.gen(function*() {
        const context = yield* ApiContext.ApiContext
        yield* User.get()
        yield* bunq.emulator.expireSessions
        yield* DeviceServer.get(Option.getOrThrow((yield* context.snapshot).deviceId))
        yield* bunq.emulator.forgetRegistrations
        yield* User.get()
        const failure = yield* Effect.flip(DeviceServer.get(123_456))
        yield* bunq.emulator.expireSessions
        yield* bunq.failSessionServer(401)
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

      const installationTokens = yield* bunq.installationTokens
      const sessionTokens = yield* bunq.sessionTokens
      const secrets = [
        Redacted.value(apiKey),
        ...installationTokens,
        ...sessionTokens,
        outcome.privateKeyPem.split("\n")[1]!
      ]
      assert.isTrue(installationTokens.length >= 2 && sessionTokens.length >= 3)
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
