/// <reference types="@vitest/browser/providers/playwright" />
import type { TestProjectConfiguration } from "vitest/config"

/** Node projects, one per package. Files named `*.browser.test.ts` run only in the browser project. */
const packages = [
  "schema",
  "signer",
  "http",
  "device-server",
  "emulator",
  "platform-node",
  "platform-browser",
  "cli"
] as const

/** Chromium from Debian (see scripts/ensure-chromium.mjs); never a downloaded browser build. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

const nodeProjects: Array<TestProjectConfiguration> = packages.map((name) => ({
  extends: true,
  test: {
    name,
    root: `packages/${name}`,
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.browser.test.ts", "**/node_modules/**"],
    environment: "node"
  }
}))

const browserProject: TestProjectConfiguration = {
  extends: true,
  test: {
    name: "browser",
    include: ["packages/*/test/**/*.browser.test.ts"],
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
