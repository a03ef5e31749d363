import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"

/**
 * How the CLI writes: JSON or human text, colors and spinners only on a TTY (and never with `NO_COLOR`).
 *
 * @internal
 */
export class Output extends Context.Tag("@effect-bunq/cli/Output")<Output, {
  readonly json: boolean
  readonly verbose: boolean
  /** Colors on stdout. */
  readonly color: boolean
  /** Spinners on stderr. */
  readonly interactive: boolean
}>() {}

/** @internal */
export const layer = (options: { readonly json: boolean; readonly verbose: boolean }): Layer.Layer<Output> =>
  Layer.succeed(Output, {
    json: options.json,
    verbose: options.verbose,
    color: process.stdout.isTTY === true && !hasNoColor(),
    interactive: process.stderr.isTTY === true && !options.json
  })

const hasNoColor = () => process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== ""

/** @internal */
export const stderrColor = (): boolean => process.stderr.isTTY === true && !hasNoColor()

const wrap = (open: number, close: number) => (enabled: boolean, text: string): string =>
  enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text

/** @internal */
export const bold = wrap(1, 22)
/** @internal */
export const dim = wrap(2, 22)
/** @internal */
export const green = wrap(32, 39)
/** @internal */
export const red = wrap(31, 39)
/** @internal */
export const cyan = wrap(36, 39)
/** @internal */
export const yellow = wrap(33, 39)

/** @internal */
export const writeOut = (text: string): Effect.Effect<void> =>
  Effect.sync(() => {
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`)
  })

/** @internal */
export const writeErr = (text: string): Effect.Effect<void> =>
  Effect.sync(() => {
    process.stderr.write(text.endsWith("\n") ? text : `${text}\n`)
  })

/** One JSON document on stdout. @internal */
export const printJson = (value: unknown): Effect.Effect<void> => writeOut(JSON.stringify(value, null, 2))

/** Print human text, or nothing in JSON mode. @internal */
export const human = (text: string): Effect.Effect<void, never, Output> =>
  Effect.flatMap(Output, (output) => output.json ? Effect.void : writeOut(text))

/** Print `value` as JSON in JSON mode, else the human text. @internal */
export const result = (value: unknown, text: (color: boolean) => string): Effect.Effect<void, never, Output> =>
  Effect.flatMap(Output, (output) => output.json ? printJson(value) : writeOut(text(output.color)))

/**
 * Text from bunq or from a callback made safe for a terminal: C0 and C1 control characters and DEL (escape sequences,
 * carriage returns, newlines that would forge a row) are shown as `\xNN`; the Unicode line and paragraph separators
 * and the bidirectional controls (which reorder what a row shows, e.g. U+202E turns `EUR 10.00` around) as `\uNNNN`.
 *
 * @internal
 */
export const printable = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0)
    return code > 0xff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`
  })

/**
 * A table cell in one of this module's colors (`green`, `red`, …): the text is made printable like any other cell,
 * then colored.
 *
 * @internal
 */
export interface Painted {
  readonly text: string
  readonly paint: (enabled: boolean, text: string) => string
}

/** @internal */
export const painted = (paint: Painted["paint"], text: string): Painted => ({ text, paint })

/** A cell: plain text or painted text; either way its control characters are escaped. @internal */
export type Cell = string | Painted

const cellText = (cell: Cell): string => printable(typeof cell === "string" ? cell : cell.text)

const paintCell = (cell: Cell, text: string, color: boolean): string =>
  typeof cell === "string" ? text : cell.paint(color, text)

/** An aligned table; every cell is made printable (see `printable`), colors come from `painted` cells. @internal */
export const table = (
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<Cell>>,
  color: boolean
): string => {
  const texts = rows.map((row) => row.map(cellText))
  const widths = headers.map((header, i) => Math.max(header.length, ...texts.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<Cell>, text: ReadonlyArray<string>) =>
    cells.map((cell, i) =>
      paintCell(cell, text[i]!, color) +
      (i === cells.length - 1 ? "" : " ".repeat(Math.max(0, widths[i]! - text[i]!.length)))
    ).join("  ")
  return [bold(color, line(headers, headers.map(printable))), ...rows.map((row, i) => line(row, texts[i]!))].join("\n")
}

/** `key  value` lines with aligned keys; values are made printable (see `printable`). @internal */
export const fields = (entries: ReadonlyArray<readonly [string, Cell]>, color: boolean): string => {
  const width = Math.max(...entries.map(([key]) => key.length))
  return entries.map(([key, value]) => `${dim(color, key.padEnd(width))}  ${paintCell(value, cellText(value), color)}`)
    .join("\n")
}

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

/**
 * Show a spinner with `label` on stderr while `effect` runs (a TTY only, never in JSON mode). The line is cleared
 * when it ends.
 *
 * @internal
 */
export const withSpinner = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | Output> =>
  Effect.flatMap(Output, (output) => {
    if (!output.interactive) return effect
    let frame = 0
    const draw = Effect.sync(() => {
      process.stderr.write(`\r${frames[frame++ % frames.length]} ${label}`)
    })
    const clear = Effect.sync(() => {
      process.stderr.write("\r\u001b[2K")
    })
    return Effect.acquireUseRelease(
      // Start drawing only after a short delay, so quick steps do not flicker.
      // `acquire` is uninterruptible and a forked fiber inherits that: make the spinner interruptible again.
      Effect.forkDaemon(
        Effect.interruptible(Effect.delay(Effect.repeat(draw, Schedule.spaced("80 millis")), "150 millis"))
      ),
      () => effect,
      (fiber) => Effect.zipRight(Fiber.interrupt(fiber), clear)
    )
  })

/** Milliseconds as `12 ms` or `1.4 s`. @internal */
export const formatMillis = (millis: number): string =>
  millis < 1000 ? `${Math.round(millis)} ms` : `${(millis / 1000).toFixed(2)} s`
