import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as SandboxUser from "@effect-bunq/device-server/SandboxUser"
import * as Session from "@effect-bunq/device-server/Session"
import * as User from "@effect-bunq/device-server/User"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as UserSchema from "@effect-bunq/schema/User"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as NodePath from "node:path"
import * as DemoMoney from "./demoMoney.js"
import { UsageError } from "./errors.js"
import type { Exchange } from "./http.js"
import * as Output from "./output.js"
import { apiLayer, clientLayer, Recorder, type Settings, targetUrl } from "./settings.js"

interface StepResult {
  readonly title: string
  readonly millis: number
  readonly details: ReadonlyArray<string>
  readonly data: Record<string, unknown>
}

const isRegistration = (e: { readonly method: string; readonly path: string }) =>
  e.method === "POST" && /\/(installation|device-server|session-server)$/.test(e.path)

const describe = (e: { readonly method: string; readonly path: string; readonly status: number | undefined }) =>
  `${e.method} ${e.path} ${e.status ?? "failed"}`

/**
 * `bunq demo`: a guided tour of what the library does, against the embedded emulator (default) or the server given
 * with `--base-url`/`--api-key`.
 *
 * @internal
 */
export const run = (settings: Settings) =>
  Effect.scoped(Effect.gen(function*() {
    const output = yield* Output.Output
    const color = output.color
    const recorder = yield* Recorder
    const fs = yield* FileSystem.FileSystem
    const external = Option.isSome(settings.baseUrl) || Option.isSome(settings.apiKey)
    if (external && Option.isNone(settings.apiKey) && Option.isNone(settings.baseUrl)) {
      return yield* new UsageError({ description: "demo needs --base-url or --api-key" })
    }
    const steps: Array<StepResult> = []
    const started = performance.now()
    let n = 0

    const step = <A, E, R>(
      title: string,
      explain: string,
      effect: Effect.Effect<readonly [A, ReadonlyArray<string>, Record<string, unknown>], E, R>
    ) =>
      Effect.gen(function*() {
        n++
        yield* Output.human(`\n${Output.bold(color, `${n}. ${title}`)}\n${Output.dim(color, wrapText(explain, "   "))}`)
        const start = performance.now()
        const [value, details, data] = yield* Output.withSpinner(title, effect)
        const millis = performance.now() - start
        steps.push({ title, millis, details, data })
        yield* Output.human(
          [...details.map((line) => `   ${line}`), `   ${Output.green(color, "✓")} ${Output.formatMillis(millis)}`]
            .join("\n")
        )
        return value
      })

    const requests = Effect.flatMap(recorder.ref.get, (all) => Effect.succeed(all))

    yield* Output.human(
      `${Output.bold(color, "effect-bunq demo")}: a guided tour of the bunq API client.\n` +
        (external
          ? `Against ${targetUrl(settings)} (client rate limits on).`
          : "Against the embedded bunq emulator (a local bunq: it verifies request signatures and signs every " +
            "response).\nClient rate limits are off here, since the emulator does not enforce them; against bunq " +
            "they stay on.")
    )

    // 1. The server: the embedded emulator, or the one given.
    let emulator: Option.Option<BunqEmulator.Emulator["Type"]> = Option.none()
    let baseUrl = targetUrl(settings)
    if (!external) {
      const started = yield* step(
        "Start the embedded emulator",
        "A bunq-compatible server over HTTP on 127.0.0.1 (a free port), with its own RSA server key.",
        Effect.gen(function*() {
          const context = yield* Layer.build(BunqEmulatorServer.layer({}).pipe(Layer.provide(NodeSigner.layer)))
          const service = Context.get(context, BunqEmulator.Emulator)
          const url = yield* service.url
          return [[service, url] as const, [`listening on ${url}`], { url }] as const
        })
      )
      emulator = Option.some(started[0])
      baseUrl = started[1]
    }
    const target: Settings = {
      ...settings,
      baseUrl: Option.some(baseUrl),
      passphrase: Option.none()
    }
    const limits = external ? {} : { rateLimits: false as const }

    // 2. A sandbox user, unless a key was given.
    let apiKey: Redacted.Redacted<string>
    if (Option.isSome(settings.apiKey)) {
      apiKey = settings.apiKey.value
    } else {
      if (external && Option.isNone(settings.baseUrl) && settings.environment === "production") {
        return yield* new UsageError({ description: "demo in production needs --api-key" })
      }
      apiKey = yield* step(
        "Create a sandbox user",
        "POST /sandbox-user-person returns a new API key. It is kept Redacted: it goes into the device registration " +
          "and is never printed or saved (the context stores only its SHA-256 fingerprint).",
        Effect.map(
          SandboxUser.create().pipe(Effect.provide(clientLayer(target, limits))),
          (key) => [key, ["got an API key: sandbox_… (redacted)"], {}] as const
        )
      )
    }

    // A context file in a temporary directory (removed at the end).
    const directory = yield* fs.makeTempDirectoryScoped({ prefix: "effect-bunq-demo-" })
    const contextFile = NodePath.join(directory, "context.json")
    const demoSettings: Settings = { ...target, contextFile }
    const layerOptions = { ...limits, permittedIps: ["*"], description: "effect-bunq demo" }

    // 3. Build the context.
    const firstScope = yield* Scope.make()
    const first = yield* step(
      "Build the API context",
      "Generate an RSA-2048 key pair; POST /installation (sends the public key, gets an installation token and " +
        "bunq's server public key); POST /device-server (registers this device for the API key, wildcard IP \"*\"); " +
        "POST /session-server (opens a session, signed with the private key). From here on every response is " +
        "checked against bunq's server key.",
      Effect.gen(function*() {
        const context = yield* Layer.buildWithScope(apiLayer(demoSettings, apiKey, layerOptions), firstScope)
        const snapshot = yield* Effect.flatMap(ApiContext.ApiContext, (c) => c.snapshot).pipe(
          Effect.provide(context)
        )
        const calls = (yield* requests).filter(isRegistration)
        const session = Option.getOrUndefined(snapshot.session)
        return [[context, snapshot] as const, [
          ...calls.map((e) => `${describe(e)}  ${Output.dim(color, Output.formatMillis(e.millis))}`),
          `installation ${Option.getOrElse(snapshot.installation.id, () => "?")}, device ${
            Option.getOrElse(snapshot.deviceId, () => "?")
          }, session ${session === undefined ? "none" : Option.getOrElse(session.id, () => "?")} for user ${
            session?.userId ?? "?"
          }`
        ], {
          installationId: Option.getOrNull(snapshot.installation.id),
          deviceId: Option.getOrNull(snapshot.deviceId),
          sessionId: session === undefined ? null : Option.getOrNull(session.id),
          userId: session?.userId ?? null,
          registrationRequests: calls.map(describe)
        }] as const
      })
    )
    const [firstContext] = first

    // 4. bunq's tutorial: user, sandbox money, accounts, a payment with an attachment, payments, events, a callback.
    yield* DemoMoney.run({
      step,
      context: firstContext,
      settings: demoSettings,
      secondContextFile: NodePath.join(directory, "second-user.json"),
      layerOptions,
      clientOptions: limits,
      webhook: !external,
      scope: firstScope
    })

    // 6. Save.
    yield* step(
      "Save the context",
      "The context was saved after each change (atomic write, file mode 0600): key pair, installation, device and " +
        "session — everything needed to come back without registering.",
      Effect.gen(function*() {
        const info = yield* fs.stat(contextFile)
        const mode = (info.mode & 0o777).toString(8).padStart(4, "0")
        return [undefined, [`${contextFile} (${info.size} bytes, mode ${mode})`], {
          file: contextFile,
          mode
        }] as const
      })
    )
    yield* Scope.close(firstScope, Exit.void)

    // 7. Restore.
    const clientMark = (yield* requests).length
    const emulatorMark = yield* Option.match(emulator, {
      onNone: () => Effect.succeed(0),
      onSome: (e) => Effect.map(e.log, (log) => log.length)
    })
    const secondScope = yield* Scope.make()
    const secondContext = yield* step(
      "Restore it in a fresh layer",
      "A new ApiContext layer reads the saved file: no installation, no device registration, no new session. " +
        "Then GET /user/{id} with the restored session.",
      Effect.gen(function*() {
        const context = yield* Layer.buildWithScope(apiLayer(demoSettings, apiKey, layerOptions), secondScope)
        const user = yield* User.get().pipe(Effect.provide(context))
        const since = (yield* requests).slice(clientMark)
        const registrations = since.filter(isRegistration)
        const details = [
          `user ${user.id} (${user._tag}${
            Option.match(UserSchema.displayName(user), { onNone: () => "", onSome: (name) => `, ${name}` })
          })`,
          `requests since restoring: ${since.map(describe).join(", ")}`
        ]
        let emulatorProof: ReadonlyArray<string> | null = null
        if (Option.isSome(emulator)) {
          const log = (yield* emulator.value.log).slice(emulatorMark)
          emulatorProof = log.map((e) => `${e.method} ${e.path} ${e.status}`)
          const again = log.filter(isRegistration)
          details.push(
            again.length === 0
              ? Output.green(
                color,
                `the emulator's request log confirms it: ${log.length} request(s) since, none to POST /installation, ` +
                  "/device-server or /session-server — restored without re-registering"
              )
              : Output.red(color, `the emulator saw ${again.length} registration request(s): NOT restored`)
          )
          if (again.length > 0) return yield* Effect.dieMessage("the restored context registered again")
        } else {
          details.push(
            registrations.length === 0
              ? Output.green(color, "no POST /installation, /device-server or /session-server: restored")
              : Output.red(color, "registration requests were sent: NOT restored")
          )
        }
        return [context, details, {
          userId: user.id,
          requestsSinceRestore: since.map(describe),
          emulatorLogSinceRestore: emulatorProof,
          reRegistered: registrations.length > 0
        }] as const
      })
    )

    // 8. Close the session.
    yield* step(
      "Close the session",
      "DELETE /session/{id}: bunq ends the session; the context forgets it (the next call would open a new one).",
      Effect.gen(function*() {
        yield* Session.delete().pipe(Effect.provide(secondContext))
        const last = (yield* requests).filter((e) => e.method === "DELETE")
        return [undefined, last.map(describe), { requests: last.map(describe) }] as const
      })
    )
    yield* Scope.close(secondScope, Exit.void)

    // Summary.
    const all = yield* requests
    const unverifiable = all.filter((e) =>
      e.method === "POST" && (/\/installation$/.test(e.path) || /\/sandbox-user-(person|company)$/.test(e.path))
    )
    const totalMillis = performance.now() - started
    const summary = {
      baseUrl,
      embeddedEmulator: !external,
      clientRateLimits: external,
      requests: all.length,
      verifiedResponses: all.length - unverifiable.length,
      totalMillis: Math.round(totalMillis),
      restoredWithoutRegistering: steps.some((s) => s.data["reRegistered"] === false)
    }
    if (output.json) {
      yield* Output.printJson({
        steps: steps.map((s) => ({ title: s.title, millis: Math.round(s.millis), ...s.data })),
        summary
      })
    } else {
      yield* Output.writeOut(
        `\n${Output.bold(color, "Summary")}\n` + Output.table(
          ["STEP", "TIME"],
          steps.map((s) => [s.title, Output.formatMillis(s.millis)]),
          color
        ) +
          `\n\n${all.length} HTTP requests in ${Output.formatMillis(totalMillis)}. ` +
          `${summary.verifiedResponses} responses were verified with bunq's server key (the ` +
          `${unverifiable.length} before it — ${unverifiable.map((e) => `${e.method} ${e.path}`).join(", ")} — ` +
          "cannot be: there is no key yet).\nRestored from the saved file without registering again; the session " +
          "is closed and the temporary context file removed.\n" +
          Output.dim(
            color,
            [
              `Next: ${nextCommand} --help, and repeat each step yourself against the emulator:`,
              `  ${nextCommand} emulator   (in another terminal; then add --base-url http://127.0.0.1:8080/v1)`,
              `  ${nextCommand} sandbox create-user · ${nextCommand} sandbox top-up · ${nextCommand} account list`,
              `  ${nextCommand} payment create --amount 12.34 --to <IBAN|email> · ${nextCommand} payment list · ${nextCommand} event list`,
              `  ${nextCommand} webhook listen`,
              "The same steps in code: docs/first-payment.md; the commands: docs/cli.md."
            ].join("\n")
          )
      )
    }
  }))

// The command that works where the demo was started: `pnpm -s bunq` in a checkout (run through pnpm), else `bunq`.
const nextCommand = process.env["npm_package_name"] === "@effect-bunq/cli" ? "pnpm -s bunq" : "bunq"

const wrapText = (text: string, indent: string, width = 100): string => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(" ")) {
    if (line.length > 0 && line.length + word.length + 1 > width) {
      lines.push(line)
      line = word
    } else {
      line = line.length === 0 ? word : `${line} ${word}`
    }
  }
  if (line.length > 0) lines.push(line)
  return lines.map((l) => indent + l).join("\n")
}

/** @internal */
export type { Exchange }
