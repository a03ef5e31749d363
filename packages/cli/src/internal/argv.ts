/** Global options that take a value. */
const valued = new Set([
  "--base-url",
  "--environment",
  "--api-key",
  "--api-key-file",
  "--context",
  "--passphrase",
  "--passphrase-file",
  "--store-key"
])
/** Global flags. */
const flags = new Set(["--json", "--verbose"])

/**
 * Move the global options to the front, so they may be written anywhere (`bunq device list --json` as well as
 * `bunq --json device list`): `@effect/cli` reads a parent command's options only before the subcommand. Stops at
 * `--`. A valued option without a value is left where it is, for the parser to report.
 *
 * @internal
 */
export const hoistGlobalOptions = (args: ReadonlyArray<string>): Array<string> => {
  const globals: Array<string> = []
  const rest: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === "--") {
      rest.push(...args.slice(i))
      break
    }
    const name = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg
    if (flags.has(arg)) {
      globals.push(arg)
    } else if (valued.has(name) && name !== arg) {
      globals.push(arg)
    } else if (valued.has(arg) && i + 1 < args.length) {
      globals.push(arg, args[i + 1])
      i++
    } else {
      rest.push(arg)
    }
  }
  return [...globals, ...rest]
}

/**
 * The words of a command line that name commands (and values of a command's own options), without the global
 * options and their values; stops at `--`. Help uses them to name the whole command (`bunq device get`).
 *
 * @internal
 */
export const commandWords = (args: ReadonlyArray<string>): Array<string> => {
  const words: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === "--") break
    if (valued.has(arg)) i++
    else if (!arg.startsWith("-")) words.push(arg)
  }
  return words
}
