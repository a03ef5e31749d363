// Makes sure a binary some tests need is there: Debian's package, never a downloaded build. If it is missing and this
// process may install it (root with apt-get), it installs it; otherwise it fails with a message saying how. It never
// lets those tests be skipped silently. Used by ensure-chromium.mjs and ensure-redis.mjs.
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"

/**
 * @param {{ tag: string, path: string, defaultPath: string, pkg: string, envVar: string, purpose: string }} options
 * @returns {string} the binary's `--version` line
 */
export const ensureDebianPackage = ({ defaultPath, envVar, path, pkg, purpose, tag }) => {
  const works = () => {
    if (!existsSync(path)) return false
    const r = spawnSync(path, ["--version"], { encoding: "utf8" })
    return r.status === 0
  }
  if (!works()) {
    const isRoot = typeof process.getuid === "function" && process.getuid() === 0
    const hasApt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" }).status === 0
    if (isRoot && hasApt && path === defaultPath) {
      console.log(`[${tag}] ${pkg} not found at ${defaultPath}: installing Debian's ${pkg} package…`)
      const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
      execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env })
      execFileSync("apt-get", ["install", "-y", "-qq", pkg], { stdio: "inherit", env })
    }
    if (!works()) {
      console.error(
        [
          `[${tag}] No working ${pkg} at ${path}; ${purpose} cannot run.`,
          `Install Debian's package as root: apt-get update && apt-get install -y ${pkg}`,
          `or point ${envVar} at an existing binary.`
        ].join("\n")
      )
      process.exit(1)
    }
  }
  const version = spawnSync(path, ["--version"], { encoding: "utf8" }).stdout.trim()
  console.log(`[${tag}] ${version} at ${path}`)
  return version
}
