import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Redacted, TestClock } from "effect"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Encryption from "../src/internal/encryption.js"
import * as FileLock from "../src/internal/fileLock.js"
import * as SecureFile from "../src/internal/secureFile.js"
import { untilSomeFiberSleeps } from "./fixtures/clock.js"

const tempDir = () => Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-securefile-"))

describe("secureFile", () => {
  it.effect("writes atomically with mode 0600 and reads back", () =>
    Effect.gen(function*() {
      const path = Path.join(tempDir(), "nested", "context.json")
      assert.deepStrictEqual(yield* SecureFile.readText(path), Option.none())
      yield* SecureFile.writeAtomic(path, "{\"a\":1}")
      yield* SecureFile.writeAtomic(path, "{\"a\":\"€ two\"}")
      assert.deepStrictEqual(yield* SecureFile.readText(path), Option.some("{\"a\":\"€ two\"}"))
      assert.strictEqual(Fs.statSync(path).mode & 0o777, 0o600)
      // No temp files are left behind.
      assert.deepStrictEqual(Fs.readdirSync(Path.dirname(path)), ["context.json"])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("encrypts with AES-256-GCM and rejects a wrong passphrase with a typed error", () =>
    Effect.gen(function*() {
      const secret = "{\"token\":\"session-token-value\"}"
      const passphrase = Redacted.make("correct horse battery staple")
      const text = yield* Encryption.encrypt(secret, passphrase, "p")
      assert.isTrue(Encryption.isEncrypted(text))
      assert.notInclude(text, "session-token-value")
      // A fresh salt and IV each time.
      assert.notStrictEqual(text, yield* Encryption.encrypt(secret, passphrase, "p"))
      assert.strictEqual(yield* Encryption.decrypt(text, Option.some(passphrase), "p"), secret)
      const wrong = yield* Effect.flip(Encryption.decrypt(text, Option.some(Redacted.make("wrong")), "p"))
      assert.strictEqual(wrong.reason, "WrongPassphrase")
      const missing = yield* Effect.flip(Encryption.decrypt(text, Option.none(), "p"))
      assert.strictEqual(missing.reason, "PassphraseRequired")
      // A flipped ciphertext byte is detected, never decrypted to garbage.
      const envelope = JSON.parse(text)
      const bytes = Buffer.from(envelope.ciphertext, "base64")
      bytes[0] = bytes[0]! ^ 1
      const tampered = JSON.stringify({ ...envelope, ciphertext: bytes.toString("base64") })
      const altered = yield* Effect.flip(Encryption.decrypt(tampered, Option.some(passphrase), "p"))
      assert.strictEqual(altered.reason, "WrongPassphrase")
      // Absurd KDF parameters from disk are refused before any work.
      const absurd = JSON.stringify({ ...envelope, N: 2 ** 30 })
      assert.strictEqual(
        (yield* Effect.flip(Encryption.decrypt(absurd, Option.some(passphrase), "p"))).reason,
        "Corrupt"
      )
    }))

  it.effect("the lock excludes a second holder until the first releases it", () =>
    Effect.gen(function*() {
      const path = Path.join(tempDir(), "context.json")
      const order: Array<string> = []
      const firstInside = yield* Deferred.make<void>()
      const firstMayLeave = yield* Deferred.make<void>()
      const first = yield* Effect.scoped(
        Effect.gen(function*() {
          yield* FileLock.acquireLock(path)
          order.push("first in")
          yield* Deferred.succeed(firstInside, undefined)
          yield* Deferred.await(firstMayLeave)
          order.push("first out")
        })
      ).pipe(Effect.fork)
      yield* Deferred.await(firstInside)
      const second = yield* Effect.scoped(Effect.gen(function*() {
        yield* FileLock.acquireLock(path)
        order.push("second in")
      })).pipe(Effect.fork)
      // The second found the lock file and backs off (sleeping on the TestClock): it must not be inside.
      yield* untilSomeFiberSleeps
      assert.deepStrictEqual(order, ["first in"])
      yield* Deferred.succeed(firstMayLeave, undefined)
      yield* Fiber.join(first)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(second)
      assert.deepStrictEqual(order, ["first in", "first out", "second in"])
      assert.isFalse(Fs.existsSync(`${path}.lock`))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.live("the lock is taken over from a dead owner, and a live owner makes the waiter time out", () =>
    Effect.gen(function*() {
      const path = Path.join(tempDir(), "context.json")
      // A lock whose pid is not running is stale.
      Fs.writeFileSync(`${path}.lock`, `999999999 ${Date.now()}\n`)
      yield* Effect.scoped(FileLock.acquireLock(path, { timeout: "2 seconds" }))

      // A live owner (this process) that never releases: the waiter times out with a typed error.
      Fs.writeFileSync(`${path}.lock`, `${process.pid} ${Date.now()}\n`)
      const error = yield* Effect.flip(Effect.scoped(FileLock.acquireLock(path, { timeout: "200 millis" })))
      assert.strictEqual(error.reason, "Locked")
      assert.include(error.message, "locked by another process")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect(
    "encryption at rest: scrypt parameters from the file are bounded, a newer envelope is UnsupportedVersion",
    () =>
      Effect.gen(function*() {
        const passphrase = Redacted.make("pass")
        const text = yield* Encryption.encrypt("{}", passphrase, "p")
        const envelope = JSON.parse(text)
        // New files use N >= 2^17.
        assert.isAtLeast(envelope.N, 2 ** 17)
        assert.strictEqual(yield* Encryption.decrypt(text, Option.some(passphrase), "p"), "{}")
        const bad = [
          { N: 2 ** 14 },
          { N: 2 ** 15 + 1 },
          { N: 2 ** 21 },
          { r: 0 },
          { r: 17 },
          { p: 0 },
          { p: 5 },
          { N: 2 ** 20, r: 16 }, // 2 GiB of memory
          { N: "32768" },
          { r: 1.5 }
        ]
        for (const params of bad) {
          const error = yield* Effect.flip(
            Encryption.decrypt(JSON.stringify({ ...envelope, ...params }), Option.some(passphrase), "p")
          )
          assert.strictEqual(error.reason, "Corrupt", JSON.stringify(params))
        }
        const newer = yield* Effect.flip(
          Encryption.decrypt(JSON.stringify({ ...envelope, version: 2 }), Option.some(passphrase), "p")
        )
        assert.strictEqual(newer.reason, "UnsupportedVersion")
        // With a passphrase set, a plain file is refused, not used.
        const plain = yield* Effect.flip(Encryption.decrypt("{\"a\":1}", Option.some(passphrase), "p"))
        assert.strictEqual(plain.reason, "NotEncrypted")
      }),
    60_000
  )

  it.effect("temp files left by a crashed writer are removed; a live writer's are kept", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const path = Path.join(dir, "context.json")
      const dead = [".context.json.999999999.aaaaaaaaaaaa.tmp", "context.json.lock.999999999.bbbbbbbbbbbb.tmp"]
      const live = `.context.json.${process.pid}.cccccccccccc.tmp`
      const unrelated = ".other.json.999999999.dddddddddddd.tmp"
      for (const name of [...dead, live, unrelated]) Fs.writeFileSync(Path.join(dir, name), "x")
      yield* SecureFile.writeAtomic(path, "{}")
      assert.deepStrictEqual(Fs.readdirSync(dir).sort(), [live, unrelated, "context.json"].sort())
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("a symlink at the file or its lock, or a directory others can write to, is Unsafe", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const path = Path.join(dir, "context.json")
      const elsewhere = Path.join(dir, "elsewhere.json")
      Fs.writeFileSync(elsewhere, "{}")
      Fs.symlinkSync(elsewhere, path)
      assert.strictEqual((yield* Effect.flip(SecureFile.readText(path))).reason, "Unsafe")
      assert.strictEqual((yield* Effect.flip(SecureFile.writeAtomic(path, "{\"x\":1}"))).reason, "Unsafe")
      assert.strictEqual(Fs.readFileSync(elsewhere, "utf8"), "{}")
      Fs.unlinkSync(path)

      Fs.symlinkSync(elsewhere, `${path}.lock`)
      const locked = yield* Effect.flip(Effect.scoped(FileLock.acquireLock(path, { timeout: "200 millis" })))
      assert.strictEqual(locked.reason, "Unsafe")
      assert.strictEqual(Fs.readFileSync(elsewhere, "utf8"), "{}")
      Fs.unlinkSync(`${path}.lock`)

      // A FIFO (or a device) at the path is refused without blocking on it: it is opened non-blocking and checked.
      execFileSync("mkfifo", [path])
      const fifo = yield* Effect.flip(SecureFile.readText(path))
      assert.strictEqual(fifo.reason, "Unsafe")
      assert.include(fifo.message, "not a regular file")
      Fs.unlinkSync(path)

      Fs.chmodSync(dir, 0o777)
      const open = yield* Effect.flip(SecureFile.readText(path))
      assert.strictEqual(open.reason, "Unsafe")
      assert.include(open.message, "writable by other users")
      Fs.chmodSync(dir, 0o700)
      assert.deepStrictEqual(yield* SecureFile.readText(path), Option.none())
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
