/** Reads a file of `test/fixtures` as its exact bytes (Node only). */
import { readFileSync } from "node:fs"

export const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)))
