/**
 * Where the benchmark's own files are. `pnpm bench` runs the esbuild build in `dist/` (`src/build.ts`) on plain
 * `node`, the way an application ships; the tools (`overhead`, `layers`, `profile`) and a direct `tsx src/main.ts`
 * run the sources. Child processes follow the parent: a built script forks built children, a source one forks
 * sources under tsx.
 */
import { fileURLToPath } from "node:url"

const built = import.meta.url.endsWith(".js")

/** The path of the script `name` (`"emulatorProcess"`, `"listChild"`) in the same form as the running one. */
export const script = (name: string): string =>
  fileURLToPath(new URL(built ? `../dist/${name}.js` : `../src/${name}.ts`, import.meta.url))

/** The `node` flags a child script needs: none when built, tsx's loader for sources. */
export const execArgv: ReadonlyArray<string> = built ? [] : ["--import", "tsx"]

/** A source file (the browser apps are bundled from their sources either way). */
export const source = (path: string): string => fileURLToPath(new URL(`../src/${path}`, import.meta.url))
