// Makes sure the browser test project has a Chromium to drive: Debian's `chromium` package, never a downloaded build.
// If it is missing and this process may install it (root with apt-get), it installs it; otherwise it fails with a
// message saying how. It never lets the browser tests be skipped silently.
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

const works = () => {
  if (!existsSync(path)) return false
  const r = spawnSync(path, ["--version"], { encoding: "utf8" })
  return r.status === 0
}

if (!works()) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0
  const hasApt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" }).status === 0
  if (isRoot && hasApt && path === "/usr/bin/chromium") {
    console.log("[ensure-chromium] Chromium not found at /usr/bin/chromium: installing Debian's chromium package…")
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env })
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env })
  }
  if (!works()) {
    console.error(
      [
        `[ensure-chromium] No working Chromium at ${path}; the browser test project cannot run.`,
        "Install Debian's package as root: apt-get update && apt-get install -y chromium",
        "or point CHROMIUM_PATH at an existing Chromium binary."
      ].join("\n")
    )
    process.exit(1)
  }
}
const version = spawnSync(path, ["--version"], { encoding: "utf8" }).stdout.trim()
console.log(`[ensure-chromium] ${version} at ${path}`)
