import { defineConfig } from "vitest/config"
import projects from "./vitest.workspace.js"

export default defineConfig({
  test: {
    projects,
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
