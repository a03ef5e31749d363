// Extracts every ```ts / ```typescript code block of docs/**/*.md and packages/*/README.md into
// docs/.snippets/, one module per block, so that `pnpm check` (tsc -b) type-checks the documentation against the
// code. A block whose info string contains `no-check` (```ts no-check) is skipped: use it only for fragments.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { basename, dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const out = join(root, "docs", ".snippets")

const markdownFiles = []
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    if (name.startsWith(".") || name === "node_modules") continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (name.endsWith(".md")) markdownFiles.push(path)
  }
}
walk(join(root, "docs"))
for (const pkg of readdirSync(join(root, "packages"))) {
  const readme = join(root, "packages", pkg, "README.md")
  try {
    statSync(readme)
    markdownFiles.push(readme)
  } catch {
    // no README
  }
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
let count = 0
for (const file of markdownFiles) {
  const text = readFileSync(file, "utf8")
  const fence = /^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```/gm
  let match
  let index = 0
  while ((match = fence.exec(text)) !== null) {
    index++
    if (match[2].includes("no-check")) continue
    const line = text.slice(0, match.index).split("\n").length
    const name = relative(root, file).replace(/[\\/]/g, "__").replace(/\.md$/, "") + `__${index}.ts`
    const header = `// Extracted from ${
      relative(root, file)
    }:${line} by scripts/extract-doc-snippets.mjs. Do not edit.\n`
    writeFileSync(join(out, name), header + match[3] + "\nexport {}\n")
    count++
  }
}
// Keep the project non-empty so tsc -b has something to build.
writeFileSync(join(out, "_index.ts"), "export {}\n")
console.log(`[docs] ${count} code blocks from ${markdownFiles.length} Markdown files extracted to ${basename(out)}/`)
