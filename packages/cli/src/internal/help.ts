/**
 * The help the `bunq` command prints: `@effect/cli` renders its help (every option with its type, the built-in
 * options on every page, usage without the program's name); this module rewrites that text into a tool's help: `bunq
 * --help` is a short overview, the commands and the global options once; `bunq <command> --help` names the whole
 * command (`bunq device get <ID>`), its own arguments and options, and refers to `bunq --help` for the global ones.
 *
 * @internal
 */

interface Section {
  readonly title: string
  readonly lines: ReadonlyArray<string>
}

/** The sections of `@effect/cli`'s plain-text help: a line in capitals starts one. */
const sections = (text: string): ReadonlyArray<Section> => {
  const out: Array<{ title: string; lines: Array<string> }> = []
  for (const line of text.split("\n")) {
    if (/^[A-Z][A-Z ]+$/.test(line)) out.push({ title: line, lines: [] })
    else if (out.length > 0) out[out.length - 1].lines.push(line)
  }
  return out
}

const section = (all: ReadonlyArray<Section>, title: string): ReadonlyArray<string> =>
  all.find((s) => s.title === title)?.lines ?? []

/** `@effect/cli`'s sentences about an option's type and optionality, which the short help leaves out. */
const boilerplate =
  /^(A user-defined piece of text|One of the following|A true or false value|An integer|A floating point|A date|A path|This setting is optional|This setting may be repeated|Generate a completion|Sets the minimum log level|Show the help documentation|Start wizard mode|Show the version)/

/** Options `@effect/cli` adds to every command; the overview lists help and version once. */
const builtIn = /^(--completions|--log-level|--wizard|--version|\(-h, --help\))/

interface Entry {
  readonly name: string
  readonly description: string
}

/** Option or argument entries: an unindented name line, then indented paragraphs. */
const entries = (lines: ReadonlyArray<string>): ReadonlyArray<Entry> => {
  const out: Array<{ name: string; description: Array<string> }> = []
  for (const line of lines) {
    if (line.trim() === "") continue
    if (!line.startsWith(" ")) out.push({ name: line.trim(), description: [] })
    else if (out.length > 0 && !boilerplate.test(line.trim())) out[out.length - 1].description.push(line.trim())
  }
  return out.filter((e) => !builtIn.test(e.name)).map((e) => ({ name: e.name, description: e.description.join(" ") }))
}

/** Command entries: `  - name args   description`. */
const commands = (lines: ReadonlyArray<string>): ReadonlyArray<Entry> =>
  lines.flatMap((line) => {
    const match = /^\s*- (.+?)\s{2,}(.*)$/.exec(line) ?? /^\s*- (.+)$/.exec(line)
    return match === null ? [] : [{ name: match[1].trim(), description: (match[2] ?? "").trim() }]
  })

const table = (rows: ReadonlyArray<Entry>, prefix = ""): Array<string> => {
  const width = Math.min(36, Math.max(0, ...rows.map((r) => prefix.length + r.name.length)))
  return rows.map((r) => {
    const name = prefix + r.name
    return r.description === ""
      ? `  ${name}`
      : name.length > width
      ? `  ${name}\n  ${" ".repeat(width)}  ${r.description}`
      : `  ${name.padEnd(width)}  ${r.description}`
  })
}

/**
 * `bunq --help`: the overview, every runnable command and the global options.
 *
 * @internal
 */
export const overview = (text: string, version: string): string => {
  const all = sections(text)
  const description = section(all, "DESCRIPTION").map((l) => l.trim()).filter((l) => l !== "").join(" ")
  // Groups (`context`, `device`) are listed through their subcommands: keep the commands that run something.
  const listed = commands(section(all, "COMMANDS"))
  const runnable = listed.filter((c) => !listed.some((o) => o.name.startsWith(`${c.name} `)))
  return [
    `bunq ${version}: ${description}`,
    "",
    "Usage: bunq <command> [options]",
    "",
    "Commands:",
    ...table(runnable),
    "",
    "Global options (anywhere before `--`, on every command):",
    ...table([
      ...entries(section(all, "OPTIONS")),
      { name: "-h, --help", description: "Show this help, or a command's (`bunq device list --help`)" },
      { name: "--version", description: "Show the version" }
    ]),
    "",
    "Exit codes: 0 success, 1 failure, 2 usage error. Docs: docs/cli.md in the effect-bunq repository."
  ].join("\n")
}

/**
 * `bunq <command> --help`: the command's usage with `bunq` and its parents, its description, its arguments, options
 * and subcommands; the global options are referred to.
 *
 * @internal
 */
export const command = (text: string, words: ReadonlyArray<string>): string => {
  const all = sections(text)
  const usage = section(all, "USAGE").map((l) => l.trim()).find((l) => l.startsWith("$ "))?.slice(2) ?? ""
  const name = usage.split(" ")[0]
  const at = words.lastIndexOf(name)
  const parents = at === -1 ? [] : words.slice(0, at)
  const full = ["bunq", ...parents, usage].join(" ")
  const description = section(all, "DESCRIPTION").map((l) => l.trim()).filter((l) => l !== "").join(" ")
  const args = entries(section(all, "ARGUMENTS"))
  const options = entries(section(all, "OPTIONS"))
  const subcommands = commands(section(all, "COMMANDS"))
  return [
    `Usage: ${full} [global options]`,
    ...(description === "" ? [] : ["", description]),
    ...(args.length === 0 ? [] : ["", "Arguments:", ...table(args)]),
    ...(options.length === 0 ? [] : ["", "Options:", ...table(options)]),
    ...(subcommands.length === 0
      ? []
      : ["", "Commands:", ...table(subcommands, `${["bunq", ...parents, name].join(" ")} `)]),
    "",
    "Global options (--json, --context FILE, --api-key KEY, --base-url URL, …): see `bunq --help`."
  ].join("\n")
}
