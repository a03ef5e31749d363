import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures")

/** Every fixture file name (`*.json`). */
export const fixtureNames: ReadonlyArray<string> = fs.readdirSync(dir).filter((name) => name.endsWith(".json")).sort()

/** The raw text of a fixture. */
export const fixtureText = (name: string): string => fs.readFileSync(path.join(dir, name), "utf8")

/** A fixture parsed as JSON. */
export const fixture = (name: string): any => JSON.parse(fixtureText(name))
