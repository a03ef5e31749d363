import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as SandboxUser from "@effect-bunq/device-server/SandboxUser"
import * as SdkContext from "@effect-bunq/device-server/SdkContext"
import * as Session from "@effect-bunq/device-server/Session"
import * as User from "@effect-bunq/device-server/User"
import * as NodeContextStore from "@effect-bunq/platform-node/NodeContextStore"
import type * as DeviceServerSchema from "@effect-bunq/schema/DeviceServer"
import * as UserSchema from "@effect-bunq/schema/User"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as CallbackCommand from "./callback.js"
import { bunq, handler, idArg, withApi } from "./command.js"
import { CliError, UsageError } from "./errors.js"
import * as Money from "./money.js"
import * as OAuthCommands from "./oauth.js"
import * as Output from "./output.js"
import { apiLayer, clientLayer, Recorder, requireApiKey, type Settings, storeLayer, targetUrl } from "./settings.js"

// ---------------------------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------------------------

const formatTime = (value: DateTime.Utc | undefined | null): string =>
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
        ? Output.dim(color, "none (one is opened on the next call)")
        : `${
          summary.session.id ?? "(id unknown)"
        } for user ${summary.session.userId}, expires ${summary.session.expiresAt}`
    ]
  ], color)

/** @internal */
export const deviceJson = (device: DeviceServerSchema.DeviceServer) => ({
  id: device.id,
  description: device.description,
  ip: device.ip ?? null,
  status: device.status,
  created: formatTime(device.created),
  updated: formatTime(device.updated)
})

/** @internal */
export const deviceTable = (devices: ReadonlyArray<DeviceServerSchema.DeviceServer>, color: boolean): string =>
  Output.table(
    ["ID", "DESCRIPTION", "IP", "STATUS", "CREATED"],
    devices.map((d) => {
      const j = deviceJson(d)
      return [
        String(j.id),
        j.description,
        j.ip ?? "",
        j.status === "ACTIVE" ? Output.green(color, j.status) : j.status,
        j.created
      ]
    }),
    color
  )

const userJson = (user: UserSchema.User) => ({
  id: user.id,
  type: user._tag,
  displayName: Option.getOrNull(UserSchema.displayName(user)),
  status: user._tag === "UserApiKey" ? null : user.status ?? null,
  sessionTimeout: Option.getOrNull(UserSchema.sessionTimeout(user))
})

// ---------------------------------------------------------------------------------------------------------------
// context
// ---------------------------------------------------------------------------------------------------------------

const loadSaved = (settings: Settings) =>
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

const context = Command.make("context").pipe(
  Command.withDescription("The saved API context: create, show, refresh, forget, import-sdk"),
  Command.withSubcommands([contextCreate, contextShow, contextRefresh, contextForget, contextImportSdk])
)

// ---------------------------------------------------------------------------------------------------------------
// device, session, user
// ---------------------------------------------------------------------------------------------------------------

const deviceList = Command.make("list", {
  limit: Options.integer("limit").pipe(
    Options.withPseudoName("N"),
    Options.withDescription("At most this many devices (default: all, newest first)"),
    Options.optional
  )
}).pipe(
  Command.withDescription("List the device servers of this API key"),
  Command.withHandler(handler((settings, { limit }) =>
    Effect.gen(function*() {
      if (Option.isSome(limit) && limit.value < 1) {
        return yield* new UsageError({ description: "--limit must be at least 1" })
      }
      const stream = DeviceServer.list({ count: Math.min(Option.getOrElse(limit, () => 200), 200) })
      const devices = yield* withApi(
        settings,
        Stream.runCollect(Option.isSome(limit) ? Stream.take(stream, limit.value) : stream)
      )
      const all = Array.from(devices)
      yield* Output.result(
        { devices: all.map(deviceJson) },
        (color) => all.length === 0 ? "No devices." : deviceTable(all, color)
      )
    })
  ))
)

const deviceGet = Command.make("get", { id: idArg("ID") }).pipe(
  Command.withDescription("Show one device server"),
  Command.withHandler(handler((settings, { id }) =>
    Effect.gen(function*() {
      const device = yield* withApi(settings, DeviceServer.get(id))
      yield* Output.result(deviceJson(device), (color) => deviceTable([device], color))
    })
  ))
)

const device = Command.make("device").pipe(
  Command.withDescription("Device servers: list, get"),
  Command.withSubcommands([deviceList, deviceGet])
)

const sessionClose = Command.make("close", {}).pipe(
  Command.withDescription("Close the current session (DELETE /session/{id}) and forget it in the context"),
  Command.withHandler(handler((settings) =>
    Effect.gen(function*() {
      const saved = yield* loadSaved(settings)
      if (Option.isNone(saved)) {
        return yield* Output.result(
          { closed: false, sessionId: null },
          () => `No context saved in ${settings.contextFile}: no session to close.`
        )
      }
      const closed = yield* withApi(
        settings,
        Effect.gen(function*() {
          const ctx = yield* ApiContext.ApiContext
          const before = (yield* ctx.snapshot).session
          yield* Session.delete()
          return before
        }),
        "closing the session"
      )
      const sessionId = Option.isSome(closed) ? Option.getOrNull(closed.value.id) : null
      yield* Output.result(
        { closed: Option.isSome(closed), sessionId },
        () => Option.isSome(closed) ? `Closed session ${sessionId ?? "(current)"}.` : "No open session to close."
      )
    })
  ))
)

const session = Command.make("session").pipe(
  Command.withDescription("The session: close"),
  Command.withSubcommands([sessionClose])
)

const userShow = Command.make("show", {}).pipe(
  Command.withDescription("Show the user of the session"),
  Command.withHandler(handler((settings) =>
    Effect.gen(function*() {
      const user = userJson(yield* withApi(settings, User.get()))
      yield* Output.result(user, (color) =>
        Output.fields([
          ["id", String(user.id)],
          ["type", user.type],
          ["name", user.displayName ?? ""],
          ["status", user.status ?? ""],
          ["session timeout", user.sessionTimeout === null ? "" : `${user.sessionTimeout} s`]
        ], color))
    })
  ))
)

const user = Command.make("user").pipe(
  Command.withDescription("The user: show"),
  Command.withSubcommands([userShow])
)

// ---------------------------------------------------------------------------------------------------------------
// sandbox, emulator, demo
// ---------------------------------------------------------------------------------------------------------------

const sandboxCreateUser = Command.make("create-user", {}).pipe(
  Command.withDescription("Create a sandbox user and print its new API key (sandbox or a custom --base-url only)"),
  Command.withHandler(handler((settings) =>
    Effect.gen(function*() {
      if (Option.isNone(settings.baseUrl) && settings.environment === "production") {
        return yield* new UsageError({ description: "sandbox create-user works against the sandbox only" })
      }
      const apiKey = yield* SandboxUser.create().pipe(Effect.provide(clientLayer(settings)))
      // The one place a secret is printed: the user asked for a new key.
      yield* Output.result(
        { apiKey: Redacted.value(apiKey), baseUrl: targetUrl(settings) },
        (color) =>
          `${Redacted.value(apiKey)}\n${
            Output.dim(color, `a new sandbox API key for ${targetUrl(settings)}; keep it like a password`)
          }`
      )
    })
  ))
)

const sandbox = Command.make("sandbox").pipe(
  Command.withDescription("The sandbox: create-user, top-up"),
  Command.withSubcommands([sandboxCreateUser, Money.sandboxTopUp])
)

const emulator = Command.make("emulator", {
  port: Options.integer("port").pipe(
    Options.withPseudoName("N"),
    Options.withDescription("Port to listen on, on 127.0.0.1 (0 picks a free one)"),
    Options.withDefault(8080)
  ),
  control: Options.boolean("control").pipe(
    Options.withDescription("Serve the control endpoints under /_emulator (users, log, faults, expiry, reset)")
  ),
  rateLimits: Options.boolean("rate-limits").pipe(Options.withDescription("Enforce bunq's classic rate limits"))
}).pipe(
  Command.withDescription("Run the bunq emulator until Ctrl-C"),
  Command.withHandler(handler((settings, { control, port, rateLimits }) =>
    Effect.gen(function*() {
      if (port < 0 || port > 65535) return yield* new UsageError({ description: "--port must be 0 to 65535" })
      // Loaded on demand: the emulator's modules are only needed by `emulator` and `demo`.
      const Serve = yield* Effect.promise(() => import("./serve.js"))
      return yield* Serve.serve({ port, control, rateLimits })
    })
  ))
)

const demo = Command.make("demo", {}).pipe(
  Command.withDescription(
    "A guided tour: embedded emulator (or --base-url/--api-key), sandbox user, context, devices, restore, close"
  ),
  Command.withHandler(
    handler((settings) => Effect.flatMap(Effect.promise(() => import("./demo.js")), (Demo) => Demo.run(settings)))
  )
)

/**
 * The `bunq` command.
 *
 * @internal
 */
export const command = bunq.pipe(
  Command.withDescription("The bunq API from the command line (effect-bunq)"),
  Command.withSubcommands([
    context,
    device,
    session,
    user,
    Money.account,
    Money.payment,
    Money.request,
    Money.event,
    OAuthCommands.command,
    sandbox,
    emulator,
    demo,
    CallbackCommand.command(handler),
    Money.webhook
  ])
)
