/**
 * `bunq device list|get`, `bunq session close` and `bunq user show`: what the API context registered, and its user.
 *
 * @internal
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as Session from "@effect-bunq/device-server/Session"
import * as User from "@effect-bunq/device-server/User"
import type * as DeviceServerSchema from "@effect-bunq/schema/DeviceServer"
import * as UserSchema from "@effect-bunq/schema/User"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { handler, idArg, withApi } from "./command.js"
import { formatTime, loadSaved } from "./contextCommands.js"
import { UsageError } from "./errors.js"
import * as Output from "./output.js"

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
        j.status === "ACTIVE" ? Output.painted(Output.green, j.status) : j.status,
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

/** `bunq device`. @internal */
export const device = Command.make("device").pipe(
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

/** `bunq session`. @internal */
export const session = Command.make("session").pipe(
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

/** `bunq user`. @internal */
export const user = Command.make("user").pipe(
  Command.withDescription("The user: show"),
  Command.withSubcommands([userShow])
)
