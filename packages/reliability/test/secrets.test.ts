/**
 * Secrets never leak, across a whole demo-like run through the public layers against the emulator: a sandbox user,
 * bootstrap, devices, the user, forced failures on every path (4xx, 429, 5xx, 491, each kind of tampering, a
 * connection reset, a timeout; on GET, on `POST /session-server`, on `DELETE /session`), a server-ended session,
 * closing the session and restoring from the file. Logging at `LogLevel.All` (logfmt and JSON lines, the app
 * logging every failure with its cause) and tracing into an in-memory tracer that keeps span names, attributes,
 * events and exits. Every secret seen on the wire — the API key, every installation and session token, the private
 * key PEM (and each line of its base64 body), every client and server signature — is captured by an `HttpClient`
 * wrapper, and none may appear in a log line, a span, an error message, `Cause.pretty`, or the JSON of an error.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as Installation from "@effect-bunq/device-server/Installation"
import * as SandboxUser from "@effect-bunq/device-server/SandboxUser"
import * as Session from "@effect-bunq/device-server/Session"
import * as User from "@effect-bunq/device-server/User"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as Signer from "@effect-bunq/signer/Signer"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Inspectable, Layer, Logger, LogLevel, Option, Redacted, Stream } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { makeRecordingTracer } from "../../http/test/utils/recordingTracer.js"
import { makeEmulator, nodeLayer } from "./utils/setup.js"

/** Records every secret that crosses the wire: auth headers, signatures both ways, tokens and API keys in bodies. */
const makeWireRecorder = () => {
  const secrets = new Set<string>()
  const wrap = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
    client.pipe(
      HttpClient.tapRequest((request) =>
        Effect.sync(() => {
          for (const name of ["x-bunq-client-authentication", "x-bunq-client-signature"]) {
            const value = request.headers[name]
            if (value !== undefined) secrets.add(value)
          }
        })
      ),
      HttpClient.transformResponse(Effect.flatMap((response) =>
        Effect.map(response.arrayBuffer, (body) => {
          const signature = response.headers["x-bunq-server-signature"]
          if (signature !== undefined) secrets.add(signature)
          const text = new TextDecoder().decode(body)
          for (const match of text.matchAll(/"(?:token|api_key)"\s*:\s*"([^"]+)"/g)) secrets.add(match[1]!)
          return HttpClientResponse.fromWeb(
            response.request,
            new Response(response.status === 204 ? null : body, {
              status: response.status,
              headers: response.headers as Record<string, string>
            })
          )
        })
      ))
    )
  return { secrets, wrap }
}

describe("secrets", () => {
  it.live(
    "never appear in logs, spans or errors across a demo run with failures forced on every path",
    () =>
      Effect.gen(function*() {
        const emulator = yield* makeEmulator()
        const wire = makeWireRecorder()
        const { spans, tracer } = makeRecordingTracer()
        const lines: Array<string> = []
        const capture = Logger.make((options) => {
          lines.push(Logger.logfmtLogger.log(options), Inspectable.format(Logger.jsonLogger.log(options)))
        })
        const loggers = Layer.merge(Logger.replace(Logger.defaultLogger, capture), Logger.minimumLogLevel(LogLevel.All))
        const errors: Array<unknown> = []
        const failing = <A, E, R>(what: string, effect: Effect.Effect<A, E, R>) =>
          Effect.gen(function*() {
            const exit = yield* Effect.exit(effect)
            assert.isTrue(Exit.isFailure(exit), `${what} succeeded`)
            if (Exit.isFailure(exit)) {
              assert.isFalse(Cause.isDie(exit.cause), `${what}: ${Cause.pretty(exit.cause)}`)
              errors.push(Option.getOrElse(Cause.failureOption(exit.cause), () =>
                assert.fail(`${what}: ${Cause.pretty(exit.cause)}`)))
              lines.push(Cause.pretty(exit.cause))
              // What an app does with a failure: log it, with its cause.
              yield* Effect.logError(`${what} failed`, exit.cause)
            }
          })
        /** Like `failing`, for calls that may recover (a 400/403 on `POST /session-server` registers again). */
        const attempt = <A, E, R>(what: string, effect: Effect.Effect<A, E, R>) =>
          Effect.gen(function*() {
            const exit = yield* Effect.exit(effect)
            if (Exit.isFailure(exit)) {
              assert.isFalse(Cause.isDie(exit.cause), `${what}: ${Cause.pretty(exit.cause)}`)
              errors.push(Option.getOrElse(Cause.failureOption(exit.cause), () =>
                assert.fail(`${what}: ${Cause.pretty(exit.cause)}`)))
              lines.push(Cause.pretty(exit.cause))
              yield* Effect.logError(`${what} failed`, exit.cause)
            }
          })
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-secrets-"))
        const contextFile = Path.join(dir, "context.json")
        const baseUrl = yield* emulator.url

        const run = Effect.gen(function*() {
          // 1. A sandbox user over the API (its key arrives in a response body).
          const clientOnly = BunqClient.layer.pipe(
            Layer.provideMerge(BunqConfig.layer({ baseUrl, rateLimits: false })),
            Layer.provideMerge(NodeSigner.layer),
            Layer.provideMerge(Layer.succeed(
              HttpClient.HttpClient,
              wire.wrap(BunqEmulator.makeHttpClient(emulator))
            ))
          )
          const apiKey = yield* Effect.provide(SandboxUser.create(), clientOnly)
          yield* Effect.logDebug("sandbox user created")
          const options = { contextFile, timeout: "300 millis", retry: { baseDelay: "1 millis" } } as const
          const layer = nodeLayer(emulator, apiKey, options, wire.wrap)

          // 2. Bootstrap, programs, forced failures, close.
          const privateKeyPem = yield* Effect.gen(function*() {
            const context = yield* ApiContext.ApiContext
            const snapshot = yield* context.snapshot
            const deviceId = Option.getOrThrow(snapshot.deviceId)
            yield* DeviceServer.get(deviceId)
            yield* Stream.runCollect(DeviceServer.list())
            yield* User.get()
            yield* Stream.runCollect(User.list())
            yield* Installation.list()

            const faults: ReadonlyArray<BunqEmulator.FaultKind> = [
              { _tag: "Status", status: 400, description: "Bad request." },
              { _tag: "Status", status: 403, description: "Forbidden." },
              { _tag: "Status", status: 500 },
              { _tag: "Status", status: 503, signed: false },
              { _tag: "Status", status: 491 },
              { _tag: "TamperedBody" },
              { _tag: "TamperedSignature" },
              { _tag: "MissingSignature" },
              { _tag: "WrongKey" },
              { _tag: "ConnectionReset" },
              { _tag: "ConnectionReset", afterProcessing: true },
              { _tag: "Latency", millis: 2_000 }
            ]
            for (const fault of faults) {
              yield* emulator.injectFault({ ...fault, method: "GET", path: "/user/*", times: 10 })
              yield* failing(`GET /user ${fault._tag}`, User.get())
              yield* emulator.clearFaults
              yield* emulator.injectFault({ ...fault, method: "POST", path: "/session-server" })
              yield* attempt(`POST /session-server ${fault._tag}`, context.refreshSession)
              yield* emulator.clearFaults
              // A DELETE needs a live session (it sends nothing otherwise).
              yield* context.session
              yield* emulator.injectFault({ ...fault, method: "DELETE", path: "/session/*" })
              yield* attempt(`DELETE /session ${fault._tag}`, Session.delete())
              yield* emulator.clearFaults
            }
            yield* emulator.injectFault({
              _tag: "Status",
              status: 429,
              method: "GET",
              path: "/device-server/*",
              times: 9
            })
            yield* failing("GET /device-server 429", DeviceServer.get(deviceId))
            yield* emulator.clearFaults
            yield* failing("GET /device-server 404", DeviceServer.get(deviceId + 999_999))
            // A session the server ended: 401, refresh, retry.
            yield* emulator.expireSessions
            yield* User.get()
            yield* Session.delete()
            const signer = yield* Signer.Signer
            return Redacted.value(yield* signer.exportPrivateKeyPem((yield* context.snapshot).keyPair.privateKey))
          }).pipe(Effect.provide(layer))

          // 3. Restore from the file, then a failure while restoring a session.
          yield* emulator.injectFault({ _tag: "Status", status: 500, method: "POST", path: "/session-server" })
          yield* failing("restore with POST /session-server 500", Effect.provide(User.get(), layer))
          yield* Effect.provide(User.get(), layer)
          return { apiKey, privateKeyPem }
        })

        const { apiKey, privateKeyPem } = yield* run.pipe(Effect.withTracer(tracer), Effect.provide(loggers))

        const pemBody = privateKeyPem.split("\n").filter((line) =>
          line !== "" && !line.startsWith("-----")
        )
        const secrets = [
          ...wire.secrets,
          Redacted.value(apiKey),
          privateKeyPem,
          pemBody.join(""),
          ...pemBody.filter((line) =>
            line.length >= 16
          )
        ]
        // The run exercised what it claims: tokens of both kinds, signatures both ways, the failures.
        assert.isTrue(wire.secrets.has(Redacted.value(apiKey)))
        assert.isAtLeast(wire.secrets.size, 40)
        // 12 faults on GET /user, a 429 retried out, a 404, a failed restore; 10 of the POSTs (a 400/403 registers
        // again), 10 or more of the DELETEs (a 401 counts as closed).
        assert.isAtLeast(errors.length, 15 + 10 + 10)
        assert.isAtLeast(spans.length, 50)
        const tags = new Set(errors.map((e) =>
          (e as { _tag: string })._tag
        ))
        assert.deepStrictEqual([...tags].sort(), ["ApiError", "ResponseVerificationError", "TransportError"])
        assert.isTrue(lines.some((line) =>
          line.includes("level=ERROR")
        ))

        const texts = [
          ...lines,
          ...spans.map((span) =>
            [
              span.name,
              ...Array.from(span.attributes, ([k, v]) => `${k}=${Inspectable.format(v)} ${String(v)}`),
              ...span.events,
              ...span.links,
              span.exit === undefined || Exit.isSuccess(span.exit) ? "" : Cause.pretty(span.exit.cause)
            ].join("\n")
          ),
          ...errors.flatMap((error) => [
            (error as Error).message,
            String(error),
            JSON.stringify(error),
            Inspectable.format(error),
            Cause.pretty(Cause.fail(error))
          ]),
          Fs.readFileSync(contextFile, "utf8").length > 0 ? "" : "no file"
        ]
        let compared = 0
        for (const text of texts) {
          for (const secret of secrets) {
            compared++
            if (text.includes(secret)) {
              assert.fail(`a secret (${secret.slice(0, 4)}…) leaked into: ${text.slice(0, 300)}`)
            }
          }
        }
        assert.isAtLeast(compared, 10_000)
      }),
    { timeout: 120_000 }
  )
})
