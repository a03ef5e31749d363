/**
 * `bunq callback parse` as a child process: a real callback body from a file (table) and from standard input
 * (`--json`), and bodies that are not callbacks (exit 1, one typed line, nothing on stdout).
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const fixture = fileURLToPath(new URL("../../api/test/fixtures/callbacks/Mutation.json", import.meta.url))

const bunq = (args: ReadonlyArray<string>, input?: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const env = { ...process.env, NO_COLOR: "1" }
    const child = spawn(process.execPath, ["--import", "tsx", "src/bin.ts", ...args], { cwd: packageDir, env })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? "")
  })

describe("bunq callback parse", () => {
  it(
    "prints category, event type, object type and id; fails with one line on a body that is not a callback",
    async () => {
      const [table, json, notCallback, notJson, missing] = await Promise.all([
        bunq(["callback", "parse", fixture]),
        bunq(["callback", "parse", "--json"], NodeFs.readFileSync(fixture, "utf8")),
        bunq(["callback", "parse", "-"], `{"Response":[{"Id":{"id":1}}]}`),
        bunq(["--json", "callback", "parse"], "Payment 12.50"),
        bunq(["callback", "parse", "/nonexistent/body.json"])
      ])
      expect(table.code).toBe(0)
      expect(table.stdout.trim().split("\n").map((line) => line.split(/\s{2,}/))).toEqual([
        ["CATEGORY", "EVENT TYPE", "OBJECT TYPE", "ID"],
        ["MUTATION", "MUTATION_CREATED", "Payment", "108864"]
      ])
      expect(json.code).toBe(0)
      expect(JSON.parse(json.stdout)).toEqual({
        category: "MUTATION",
        eventType: "MUTATION_CREATED",
        objectType: "Payment",
        id: 108864
      })
      expect(notCallback.code).toBe(1)
      expect(notCallback.stdout).toBe("")
      expect(notCallback.stderr).toBe("error: not a bunq callback: NotificationUrl is missing\n")
      expect(notJson.code).toBe(1)
      expect(JSON.parse(notJson.stderr)).toEqual({
        error: "CallbackError",
        reason: "InvalidJson",
        message: "not a bunq callback: the body is not JSON"
      })
      expect(missing.code).toBe(1)
      expect(missing.stderr).toBe("error: /nonexistent/body.json: it cannot be read\n")
    },
    120_000
  )
})
