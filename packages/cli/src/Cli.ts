/**
 * The `bunq` command, built with `@effect/cli` on `BunqNode`: `context`, `device`, `session`, `user`, `sandbox`,
 * `emulator` and a guided `demo`. `bin.ts` runs it; `run` is exported for embedding and tests.
 *
 * Exit codes: 0 success, 1 a failure (a bunq error, an unverifiable response, a transport or file problem), 2 a usage
 * error (unknown command or option, a bad value, a missing API key).
 *
 * @since 0.1.0
 */
import * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { commandWords, hoistGlobalOptions } from "./internal/argv.js"
import * as Command_ from "./internal/command.js"
import * as Commands from "./internal/commands.js"
import * as Help from "./internal/help.js"
import * as Output from "./internal/output.js"

/**
 * The CLI's version.
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = "0.1.0"

/**
 * Exit codes.
 *
 * @since 0.1.0
 * @category constants
 */
export const ExitCode: { readonly Ok: 0; readonly Failure: 1; readonly Usage: 2 } = {
  Ok: 0,
  Failure: 1,
  Usage: 2
}

const ansi = /\u001b\[[0-9;]*m/g

const cli = Command.run(Commands.command, { name: "bunq", version })

/**
 * Run the CLI with the arguments after the executable and script (`process.argv.slice(2)`); succeeds with the exit
 * code. Global options (`--json`, `--api-key`, …) may appear anywhere before a `--`.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (args: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> => {
  const hoisted = hoistGlobalOptions(args)
  const end = hoisted.indexOf("--")
  const before = end === -1 ? hoisted : hoisted.slice(0, end)
  const json = before.includes("--json")
  // Help: `@effect/cli`'s text is collected and rewritten (see internal/help.ts), always without colors.
  const help = before.includes("--help") || before.includes("-h")
  const collected: Array<string> = []
  // `@effect/cli` prints help and parse errors through `Console`, always with colors: strip them unless stdout is a
  // terminal (and NO_COLOR is unset). With --json, the parser's error text is replaced by a JSON object on stderr.
  const plain = process.stdout.isTTY !== true || (process.env.NO_COLOR ?? "") !== ""
  const strip = (args: ReadonlyArray<unknown>) =>
    plain ? args.map((arg) => typeof arg === "string" ? arg.replace(ansi, "") : arg) : args
  const parse = Effect.flatMap(Effect.console, (console) =>
    Effect.withConsole(cli(["node", "bunq", ...hoisted]), {
      ...console,
      log: (...args) =>
        help
          ? Effect.sync(() => collected.push(args.map((arg) => String(arg).replace(ansi, "")).join(" ")))
          : console.log(...strip(args)),
      error: (...args) => json ? Effect.void : console.error(...strip(args))
    }).pipe(
      Effect.zipRight(Effect.suspend(() => {
        if (!help || collected.length === 0) return Effect.void
        const text = collected.join("\n")
        const root = /^\$ bunq\b/m.test(text)
        return console.log(root ? Help.overview(text, version) : Help.command(text, commandWords(args)))
      }))
    ))
  return parse.pipe(
    Effect.as(ExitCode.Ok as number),
    Effect.catchAll((error) => {
      if (error instanceof Command_.Reported) return Effect.succeed(error.exitCode)
      if (ValidationError.isValidationError(error)) {
        if (!json || !("error" in error)) return Effect.succeed(ExitCode.Usage as number)
        const message = HelpDoc.toAnsiText(error.error).replace(ansi, "").trim()
        return Effect.as(
          Output.writeErr(JSON.stringify({ error: "UsageError", reason: error._tag, message })),
          ExitCode.Usage as number
        )
      }
      return Effect.as(Output.writeErr(`error: ${String(error)}`), ExitCode.Failure as number)
    }),
    Effect.catchAllDefect((defect) =>
      Effect.as(
        Output.writeErr(`internal error (a bug, please report it): ${Cause.pretty(Cause.die(defect))}`),
        ExitCode.Failure as number
      )
    )
  )
}
