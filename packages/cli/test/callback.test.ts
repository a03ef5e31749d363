/**
 * `bunq callback parse` as a child process: a real callback body from a file (table) and from standard input
 * (`--json`), and bodies that are not callbacks (exit 1, one typed line, nothing on stdout); control characters in a
 * body never reach the terminal; a byte order mark is dropped from a file and from stdin alike; and settings the
 * command does not use (a bad BUNQ_TIMEOUT, a missing --api-key-file) do not stop it.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const fixture = fileURLToPath(new URL("../../api/test/fixtures/callbacks/Mutation.json", import.meta.url))

const bunq = (args: ReadonlyArray<string>, input?: string | Uint8Array, extraEnv?: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const env = { ...process.env, NO_COLOR: "1", ...extraEnv }
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

  let dir: string
  beforeAll(() => {
    dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "bunq-callback-"))
  })
  afterAll(() => NodeFs.rmSync(dir, { recursive: true, force: true }))

  it(
    "control characters from the body are shown escaped in the table (no escape sequence, no forged row); --json is exact",
    async () => {
      const category = "MUTATION\u001b[2J\u001b]0;pwned\u0007"
      const eventType = "MUTATION_CREATED\nFORGED  ROW  Payment  1\r"
      const objectType = "Pay\u009b31mment"
      const body = JSON.stringify({
        NotificationUrl: { category, event_type: eventType, object: { [objectType]: { id: 7 } } }
      })
      const file = NodePath.join(dir, "esc.json")
      NodeFs.writeFileSync(file, body)
      const [table, json] = await Promise.all([
        bunq(["callback", "parse", file]),
        bunq(["--json", "callback", "parse", file])
      ])
      expect(table.code).toBe(0)
      expect(table.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
      expect(table.stdout.trimEnd().split("\n").map((line) => line.split(/\s{2,}/))).toEqual([
        ["CATEGORY", "EVENT TYPE", "OBJECT TYPE", "ID"],
        [
          "MUTATION\\x1b[2J\\x1b]0;pwned\\x07",
          "MUTATION_CREATED\\x0aFORGED",
          "ROW",
          "Payment",
          "1\\x0d",
          "Pay\\x9b31mment",
          "7"
        ]
      ])
      expect(json.code).toBe(0)
      expect(JSON.parse(json.stdout)).toEqual({ category, eventType, objectType, id: 7 })
    },
    120_000
  )

  it("a UTF-8 byte order mark is dropped from a file and from standard input alike", async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), NodeFs.readFileSync(fixture)])
    const file = NodePath.join(dir, "bom.json")
    NodeFs.writeFileSync(file, bom)
    const runs = await Promise.all([
      bunq(["--json", "callback", "parse", file]),
      bunq(["--json", "callback", "parse"], bom),
      bunq(["--json", "callback", "parse", "-"], bom)
    ])
    for (const run of runs) {
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({ eventType: "MUTATION_CREATED", id: 108864 })
    }
  }, 120_000)

  it(
    "settings it does not use (BUNQ_TIMEOUT, BUNQ_ENVIRONMENT, --api-key-file, --passphrase-file) do not stop it",
    async () => {
      const expected = [["CATEGORY", "EVENT TYPE", "OBJECT TYPE", "ID"], [
        "MUTATION",
        "MUTATION_CREATED",
        "Payment",
        "108864"
      ]]
      const runs = await Promise.all([
        bunq(["callback", "parse", fixture], undefined, { BUNQ_TIMEOUT: "abc" }),
        bunq(["callback", "parse", fixture], undefined, { BUNQ_ENVIRONMENT: "bogus", BUNQ_CONTEXT_PASSPHRASE: "" }),
        bunq(["--api-key-file", "/nonexistent", "callback", "parse", fixture]),
        bunq(["--api-key-file", "-", "--passphrase-file", "-", "callback", "parse", fixture])
      ])
      for (const run of runs) {
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        expect(run.stdout.trim().split("\n").map((line) => line.split(/\s{2,}/))).toEqual(expected)
      }
      // The same settings still stop a command that uses them.
      const other = await bunq(["device", "list"], undefined, { BUNQ_TIMEOUT: "abc" })
      expect(other.code).toBe(2)
      expect(other.stderr).toContain("BUNQ_TIMEOUT")
    },
    120_000
  )
})
