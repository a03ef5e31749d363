#!/usr/bin/env node
/**
 * Entry point of the `bunq` command: `pnpm bunq <args>` from a checkout, `bunq <args>` once installed.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cli from "./Cli.js"

// pnpm passes a leading `--` separator through; drop it.
const args = process.argv.slice(2)
if (args[0] === "--") args.shift()

// `pnpm bunq` / `pnpm start` run this script inside packages/cli; relative paths (`--context ./ctx.json`) belong to
// the directory the user typed the command in, which pnpm passes as INIT_CWD.
if (process.env["npm_package_name"] === "@effect-bunq/cli" && process.env["INIT_CWD"] !== undefined) {
  process.chdir(process.env["INIT_CWD"])
}

// A reader that closes early (`bunq device list --json | head -1`) ends the command quietly, as a Unix tool does,
// instead of an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0)
    throw error
  })
}

// Which signal stopped the command: the exit code says so (128 + its number), as shells expect.
let stoppedBy: "SIGINT" | "SIGTERM" | undefined
process.once("SIGINT", () => stoppedBy = "SIGINT")
process.once("SIGTERM", () => stoppedBy = "SIGTERM")

NodeRuntime.runMain(Cli.run(args).pipe(Effect.provide(NodeContext.layer)), {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) {
      onExit(typeof exit.value === "number" ? exit.value : 0)
    } else {
      // Ctrl-C (the emulator runs until interrupted) is 130, SIGTERM 143; anything else is a failure.
      onExit(Cause.isInterruptedOnly(exit.cause) ? stoppedBy === "SIGTERM" ? 143 : 130 : 1)
    }
  }
})
