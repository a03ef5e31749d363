/**
 * `bunq context create|show|refresh|forget|import-sdk`: the saved API context, shown by its ids, environment and
 * expiry (never a token or key).
 *
 * @internal
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as SdkContext from "@effect-bunq/device-server/SdkContext"
import * as NodeContextStore from "@effect-bunq/platform-node/NodeContextStore"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { handler } from "./command.js"
import { CliError } from "./errors.js"
import * as Output from "./output.js"
import { apiLayer, Recorder, requireApiKey, type Settings, storeLayer } from "./settings.js"

/** A bunq time as ISO 8601 to the second (`2026-12-07T03:19:15Z`), or empty. @internal */
export const formatTime = (value: DateTime.Utc | undefined | null): string =>
  value === undefined || value === null ? "" : DateTime.formatIso(value).replace(/\.\d{3}Z$/, "Z")

/** What `context show` prints: ids, environment, expiry; never a token or key. */
const contextSummary = (file: string, context: ContextStore.SavedContext) => ({
  file,
  environment: context.environment,
  apiKeyFingerprint: context.apiKeyFingerprint,
  installationId: Option.getOrNull(context.installation.id),
  deviceId: Option.getOrNull(context.deviceId),
  session: Option.match(context.session, {
    onNone: () => null,
    onSome: (session) => ({
      id: Option.getOrNull(session.id),
      userId: session.userId,
      expiresAt: formatTime(session.expiresAt)
    })
  })
})

const contextText = (summary: ReturnType<typeof contextSummary>, color: boolean): string =>
  Output.fields([
    ["file", summary.file],
    ["environment", summary.environment],
    ["api key", `${summary.apiKeyFingerprint.slice(0, 19)}… (fingerprint)`],
    ["installation", summary.installationId === null ? "(id unknown)" : String(summary.installationId)],
    ["device", summary.deviceId === null ? "(id unknown)" : String(summary.deviceId)],
    [
      "session",
      summary.session === null
        ? Output.painted(Output.dim, "none (one is opened on the next call)")
        : `${
          summary.session.id ?? "(id unknown)"
        } for user ${summary.session.userId}, expires ${summary.session.expiresAt}`
    ]
  ], color)

/** The saved context of the settings' store key, if any. @internal */
export const loadSaved = (settings: Settings) =>
  Effect.flatMap(ContextStore.ContextStore, (store) => store.load(settings.storeKey)).pipe(
    Effect.provide(storeLayer(settings))
  )

const registeredNow = Effect.map(
  Recorder,
  ({ ref }) => ref
).pipe(
  Effect.flatMap((ref) => ref.get),
  Effect.map((all) => all.some((e) => e.method === "POST" && e.path.endsWith("/installation")))
)

const contextCreate = Command.make("create", {}).pipe(
  Command.withDescription(
    "Register (installation, device, session) and save the context, or restore the saved one for this API key"
  ),
  Command.withHandler(handler((settings) =>
    Effect.gen(function*() {
      const apiKey = yield* requireApiKey(settings)
      const context = yield* Output.withSpinner(
        "registering with bunq (installation → device → session)",
        Effect.flatMap(ApiContext.ApiContext, (ctx) => ctx.snapshot).pipe(Effect.provide(apiLayer(settings, apiKey)))
      )
      const registered = yield* registeredNow
      const summary = contextSummary(settings.contextFile, context)
      yield* Output.result(
        { ...summary, registered },
        (color) =>
          `${
            registered
              ? Output.green(color, "Registered a new device and saved the context.")
              : "Restored the saved context (nothing registered)."
          }\n${contextText(summary, color)}`
      )
    })
  ))
)

const contextShow = Command.make("show", {}).pipe(
  Command.withDescription("Show the saved context: ids, environment, session expiry (never tokens or keys)"),
  Command.withHandler(handler((settings) =>
    Effect.gen(function*() {
      const saved = yield* loadSaved(settings)
      if (Option.isNone(saved)) {
        return yield* noContext(settings.contextFile)
      }
      const summary = contextSummary(settings.contextFile, saved.value)
      yield* Output.result(summary, (color) => contextText(summary, color))
    })
  ))
)

const noContext = (file: string) =>
  new CliError({
    description: `no context saved in ${file}: run \`bunq context create\` (or any command) with an API key`
  })

const contextRefresh = Command.make("refresh", {}).pipe(
  Command.withDescription("Open a new session now (POST /session-server) and save it"),
  Command.withHandler(handler((settings) =>
    Effect.gen(function*() {
      const apiKey = yield* requireApiKey(settings)
      const context = yield* Effect.gen(function*() {
        const ctx = yield* ApiContext.ApiContext
        yield* Output.withSpinner("opening a new session", ctx.refreshSession)
        return yield* ctx.snapshot
      }).pipe(Effect.provide(apiLayer(settings, apiKey)))
      const summary = contextSummary(settings.contextFile, context)
      yield* Output.result(summary, (color) => `Opened a new session.\n${contextText(summary, color)}`)
    })
  ))
)

const contextForget = Command.make("forget", {
  force: Options.boolean("force").pipe(
    Options.withDescription(
      "Move the whole context file aside to a .bak copy, whatever is in it (corrupt, foreign, another passphrase)"
    )
  )
}).pipe(
  Command.withDescription(
    "Delete the saved context (the session is not closed on the server: use `session close`); --force moves the file aside"
  ),
  Command.withHandler(handler((settings, { force }) =>
    Effect.gen(function*() {
      if (force) {
        const backup = yield* NodeContextStore.moveAside({ contextFile: settings.contextFile })
        return yield* Output.result(
          { file: settings.contextFile, forgotten: Option.isSome(backup), backup: Option.getOrNull(backup) },
          () =>
            Option.match(backup, {
              onNone: () => `Nothing saved in ${settings.contextFile}.`,
              onSome: (path) =>
                `Moved ${settings.contextFile} aside to ${path} (kept, mode 0600). The next command registers anew.`
            })
        )
      }
      const existed = yield* ContextStore.ContextStore.pipe(
        Effect.flatMap((store) =>
          Effect.flatMap(
            Effect.either(store.load(settings.storeKey)),
            // An entry that does not decode (corrupt, foreign) still counts as there: forgetting it is the way out.
            (loaded) => Effect.as(store.remove(settings.storeKey), Either.isLeft(loaded) || Option.isSome(loaded.right))
          )
        ),
        Effect.provide(storeLayer(settings))
      )
      yield* Output.result(
        { file: settings.contextFile, forgotten: existed },
        () => existed ? `Forgot the context in ${settings.contextFile}.` : `Nothing saved in ${settings.contextFile}.`
      )
    })
  ))
)

const contextImportSdk = Command.make("import-sdk", {
  file: Args.file({ name: "FILE", exists: "yes" }).pipe(
    Args.withDescription("A bunq.conf written by the official Python, Java, PHP or C# SDK")
  )
}).pipe(
  Command.withDescription("Import an official SDK's context file (bunq.conf), so no new registration is needed"),
  Command.withHandler(handler((settings, { file }) =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const text = yield* fs.readFileString(file)
      yield* SdkContext.importToStore(text, {
        storeKey: settings.storeKey,
        ...Option.match(settings.baseUrl, { onNone: () => ({}), onSome: (baseUrl) => ({ baseUrl }) })
      }).pipe(Effect.provide(storeLayer(settings)))
      const saved = yield* loadSaved(settings)
      if (Option.isNone(saved)) return yield* noContext(settings.contextFile)
      const summary = contextSummary(settings.contextFile, saved.value)
      yield* Output.result(
        { ...summary, imported: file },
        (color) =>
          `Imported ${file}. Use it with the same API key (--api-key-file FILE or BUNQ_API_KEY).\n${
            contextText(summary, color)
          }`
      )
    })
  ))
)

/** `bunq context`. @internal */
export const context = Command.make("context").pipe(
  Command.withDescription("The saved API context: create, show, refresh, forget, import-sdk"),
  Command.withSubcommands([contextCreate, contextShow, contextRefresh, contextForget, contextImportSdk])
)
