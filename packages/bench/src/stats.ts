/**
 * Small statistics helpers.
 */

export const sorted = (values: ReadonlyArray<number>): Array<number> => [...values].sort((a, b) => a - b)

/** The `q` quantile (0..1) by nearest rank. */
export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return Number.NaN
  const s = sorted(values)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}

export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const s = sorted(values)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export const sum = (values: ReadonlyArray<number>): number => values.reduce((a, b) => a + b, 0)

export const ms = (value: number): string =>
  Number.isNaN(value) ? "n/a" : value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)

export const ratio = (value: number): string => (Number.isNaN(value) ? "n/a" : `${value.toFixed(2)}×`)

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`

/** A Markdown table (also readable as plain text). */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`
  const rule = `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ")} |`
  return [line(header), rule, ...rows.map(line)].join("\n")
}
