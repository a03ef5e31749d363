/**
 * `bunq callback parse [FILE|-]`: read one body that bunq POSTed to a notification filter URL and print its category,
 * event type, object type and id. No API key, no network.
 */
import * as Callback from "@effect-bunq/api/Callback"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { CliError } from "./errors.js"
import * as Output from "./output.js"

/** All of standard input as text, decoded as a file is (UTF-8, a byte order mark dropped). */
const readStandardInput = Effect.tryPromise({
  try: async () => {
    const chunks: Array<Uint8Array> = []
    for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array)
    return new TextDecoder().decode(Buffer.concat(chunks))
  },
  catch: () => new CliError({ description: "standard input cannot be read" })
})

const read = (file: string) =>
  file === "-" ?
    readStandardInput :
    Effect.flatMap(FileSystem.FileSystem, (fs) =>
      Effect.mapError(fs.readFileString(file), () => new CliError({ description: `${file}: it cannot be read` })))

/** @internal */
export const summary = (callback: Callback.Callback) => ({
  category: callback.category,
  eventType: callback.eventType,
  objectType: Callback.objectType(callback) ?? null,
  id: Callback.objectId(callback) ?? null
})

/** What the command does, given the CLI's handler (settings, output, error reporting). @internal */
export const parse = (file: string) =>
  Effect.gen(function*() {
    const decoded = Callback.decodeJson(yield* read(file))
    if (Either.isLeft(decoded)) return yield* decoded.left
    const s = summary(decoded.right)
    yield* Output.result(s, (color) =>
      Output.table(
        ["CATEGORY", "EVENT TYPE", "OBJECT TYPE", "ID"],
        [[s.category, s.eventType, s.objectType ?? "", s.id === null ? "" : String(s.id)]],
        color
      ))
  })

/**
 * The `callback` command, run through the CLI's `offlineHandler` (passed in, so that this file needs nothing else
 * from `commands.ts`): it reads no setting but `--json`, so an unrelated bad one does not stop it.
 *
 * @internal
 */
export const command = <E, R>(
  handler: (
    body: (args: { readonly file: string }) => ReturnType<typeof parse>
  ) => (args: { readonly file: string }) => Effect.Effect<void, E, R>
) =>
  Command.make("callback").pipe(
    Command.withDescription("bunq callbacks: parse"),
    Command.withSubcommands([
      Command.make("parse", {
        file: Args.text({ name: "FILE" }).pipe(
          Args.withDescription("A callback body bunq POSTed to a notification filter URL; - (the default) reads stdin"),
          Args.withDefault("-")
        )
      }).pipe(
        Command.withDescription("Print a callback body's category, event type, object type and id"),
        Command.withHandler(handler(({ file }) => parse(file)))
      )
    ])
  )
