/// <reference types="@vitest/browser/providers/playwright" />
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import type { TestProjectConfiguration } from "vitest/config"

/** Node projects, one per package. Files named `*.browser.test.ts` run only in the browser project. */
const packages = [
  "schema",
  "signer",
  "http",
  "device-server",
  "api",
  "emulator",
  "platform-node",
  "platform-browser",
  "cli",
  "reliability"
] as const

/** Chromium from Debian (see scripts/ensure-chromium.mjs); never a downloaded browser build. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

/**
 * Every Effect module the browser tests may load, found by scanning the sources: Vite pre-bundles them all before
 * the first test instead of discovering them one by one and reloading the page (which makes runs flaky).
 */
const browserDependencies = (): Array<string> => {
  const found = new Set<string>(["effect", "@effect/platform", "@effect/vitest"])
  // Value imports only: a type-only import loads nothing at run time.
  const specifier =
    /^import (?!type )[^\n]*from "((?:effect|@effect\/platform|@effect\/platform-browser)(?:\/[A-Za-z]+)?)"/gm
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === "node_modules" || name.startsWith(".")) continue
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith(".ts")) {
        for (const match of readFileSync(path, "utf8").matchAll(specifier)) found.add(match[1]!)
      }
    }
  }
  for (const name of packages) {
    for (const sub of ["src", "test"]) {
      const dir = join(import.meta.dirname, "packages", name, sub)
      if (existsSync(dir)) walk(dir)
    }
  }
  return [...found].sort()
}

/**
 * The projects whose tests use Redis: a throwaway redis-server (Debian's, see scripts/ensure-redis.mjs) is started for
 * the run on a free loopback port without persistence, `inject("redisUrl")`, and stopped afterwards.
 */
const redisProjects: ReadonlySet<string> = new Set(["platform-node"])

const nodeProjects: Array<TestProjectConfiguration> = packages.map((name) => ({
  extends: true,
  test: {
    name,
    root: `packages/${name}`,
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.browser.test.ts", "**/node_modules/**"],
    environment: "node",
    ...(redisProjects.has(name) ? { globalSetup: [join(import.meta.dirname, "scripts/redis-global-setup.mjs")] } : {})
  }
}))

const browserProject: TestProjectConfiguration = {
  extends: true,
  optimizeDeps: { include: browserDependencies() },
  test: {
    name: "browser",
    include: ["packages/*/test/**/*.browser.test.ts"],
    // Serves a bunq emulator (with control endpoints) on 127.0.0.1 for the browser tests: `inject("bunqEmulatorUrl")`.
    globalSetup: ["packages/platform-browser/test/emulator-global-setup.ts"],
    browser: {
      enabled: true,
      provider: "playwright",
      headless: true,
      screenshotFailures: false,
      api: { host: "127.0.0.1" },
      instances: [
        {
          browser: "chromium",
          launch: {
            executablePath: chromiumPath,
            args: [
              "--headless",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-quic",
              "--no-first-run",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync"
            ]
          }
        }
      ]
    }
  }
}

export default [...nodeProjects, browserProject] satisfies Array<TestProjectConfiguration>
