import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as FileLock from "../src/internal/fileLock.js"

const tempPath = () => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-lock-")), "context.json")
const fixture = Path.join(import.meta.dirname, "fixtures", "lock-user.ts")

const spawn = (args: ReadonlyArray<string>) =>
  ChildProcess.spawn(process.execPath, ["--import", "tsx", fixture, ...args], { stdio: ["ignore", "pipe", "pipe"] })

const run = (args: ReadonlyArray<string>) =>
  Effect.async<string, Error>((resume) => {
    const child = spawn(args)
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.on("exit", (code) =>
      resume(code === 0 ? Effect.succeed(stdout) : Effect.fail(new Error(`exit ${code}: ${stderr}`))))
  })

/** Starts a child holding the lock; resolves once it has it. */
const holder = (path: string) =>
  Effect.async<ChildProcess.ChildProcess, Error>((resume) => {
    const child = spawn(["hold", path])
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("held")) resume(Effect.succeed(child))
    })
    child.on("exit", (code) => resume(Effect.fail(new Error(`holder exited ${code}: ${stderr}`))))
  })

const killed = (child: ChildProcess.ChildProcess) =>
  Effect.async<void>((resume) => {
    child.on("exit", () => resume(Effect.void))
    child.kill("SIGKILL")
  })

describe("secureFile lock across processes", () => {
  it.live("4 processes × 250 acquisitions: never two holders at once", () =>
    Effect.gen(function*() {
      const path = tempPath()
      Fs.writeFileSync(`${path}.counter`, "0")
      const outputs = yield* Effect.all(
        Array.from({ length: 4 }, () => run(["loop", path, "250"])),
        { concurrency: "unbounded" }
      )
      const overlaps = outputs.reduce((sum, out) => sum + Number(out.trim()), 0)
      assert.strictEqual(overlaps, 0)
      // Every increment survived: no two read-modify-writes interleaved.
      assert.strictEqual(Fs.readFileSync(`${path}.counter`, "utf8"), "1000")
      assert.isFalse(Fs.existsSync(`${path}.lock`))
      // No temp files of the lock are left.
      assert.deepStrictEqual(Fs.readdirSync(Path.dirname(path)).sort(), ["context.json.counter"])
    }), 120_000)

  it.live("a SIGKILLed owner's lock is taken over", () =>
    Effect.gen(function*() {
      const path = tempPath()
      const child = yield* holder(path)
      assert.match(Fs.readFileSync(`${path}.lock`, "utf8"), new RegExp(`^${child.pid} [0-9a-f]{32}\\n$`))
      yield* killed(child)
      yield* Effect.scoped(FileLock.acquireLock(path, { timeout: "5 seconds" }))
      assert.isFalse(Fs.existsSync(`${path}.lock`))
    }).pipe(Effect.provide(NodeFileSystem.layer)), 30_000)

  it.live("a live owner's lock is never taken over, however old", () =>
    Effect.gen(function*() {
      const path = tempPath()
      const child = yield* holder(path)
      const lockText = Fs.readFileSync(`${path}.lock`, "utf8")
      // A day old, and a waiter that calls anything older than 1 ms stale.
      const old = new Date(Date.now() - 86_400_000)
      Fs.utimesSync(`${path}.lock`, old, old)
      const error = yield* Effect.flip(
        Effect.scoped(FileLock.acquireLock(path, { timeout: "600 millis", staleAfter: "1 millis" }))
      )
      assert.strictEqual(error.reason, "Locked")
      assert.strictEqual(Fs.readFileSync(`${path}.lock`, "utf8"), lockText)
      yield* killed(child)
    }).pipe(Effect.provide(NodeFileSystem.layer)), 30_000)

  it.live("release removes only a lock that still names this holder", () =>
    Effect.gen(function*() {
      const path = tempPath()
      yield* Effect.scoped(Effect.gen(function*() {
        yield* FileLock.acquireLock(path)
        // Someone else's lock replaced ours (e.g. removed by hand and retaken): our release must leave it.
        Fs.writeFileSync(`${path}.lock`, "1 0123456789abcdef0123456789abcdef\n")
      }))
      assert.strictEqual(Fs.readFileSync(`${path}.lock`, "utf8"), "1 0123456789abcdef0123456789abcdef\n")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
