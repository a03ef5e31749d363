import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as SecureFile from "../src/internal/secureFile.js"

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
      const text = yield* SecureFile.encrypt(secret, passphrase, "p")
      assert.isTrue(SecureFile.isEncrypted(text))
      assert.notInclude(text, "session-token-value")
      // A fresh salt and IV each time.
      assert.notStrictEqual(text, yield* SecureFile.encrypt(secret, passphrase, "p"))
      assert.strictEqual(yield* SecureFile.decrypt(text, Option.some(passphrase), "p"), secret)
      const wrong = yield* Effect.flip(SecureFile.decrypt(text, Option.some(Redacted.make("wrong")), "p"))
      assert.strictEqual(wrong.reason, "WrongPassphrase")
      const missing = yield* Effect.flip(SecureFile.decrypt(text, Option.none(), "p"))
      assert.strictEqual(missing.reason, "PassphraseRequired")
      // A flipped ciphertext byte is detected, never decrypted to garbage.
      const envelope = JSON.parse(text)
      const bytes = Buffer.from(envelope.ciphertext, "base64")
      bytes[0] = bytes[0]! ^ 1
      const tampered = JSON.stringify({ ...envelope, ciphertext: bytes.toString("base64") })
      const altered = yield* Effect.flip(SecureFile.decrypt(tampered, Option.some(passphrase), "p"))
      assert.strictEqual(altered.reason, "WrongPassphrase")
      // Absurd KDF parameters from disk are refused before any work.
      const absurd = JSON.stringify({ ...envelope, N: 2 ** 30 })
      assert.strictEqual(
        (yield* Effect.flip(SecureFile.decrypt(absurd, Option.some(passphrase), "p"))).reason,
        "Corrupt"
      )
    }))

  it.live("the lock excludes a second holder until released, and takes over a dead owner's lock", () =>
    Effect.gen(function*() {
      const path = Path.join(tempDir(), "context.json")
      const order: Array<string> = []
      const first = yield* Effect.scoped(
        Effect.gen(function*() {
          yield* SecureFile.acquireLock(path)
          order.push("first in")
          yield* Effect.sleep("150 millis")
          order.push("first out")
        })
      ).pipe(Effect.fork)
      yield* Effect.sleep("30 millis")
      yield* Effect.scoped(Effect.gen(function*() {
        yield* SecureFile.acquireLock(path)
        order.push("second in")
      }))
      yield* Fiber.join(first)
      assert.deepStrictEqual(order, ["first in", "first out", "second in"])
      assert.isFalse(Fs.existsSync(`${path}.lock`))

      // A lock whose pid is not running is stale.
      Fs.writeFileSync(`${path}.lock`, `999999999 ${Date.now()}\n`)
      yield* Effect.scoped(SecureFile.acquireLock(path, { timeout: "2 seconds" }))

      // A live owner (this process) that never releases: the waiter times out with a typed error.
      Fs.writeFileSync(`${path}.lock`, `${process.pid} ${Date.now()}\n`)
      const error = yield* Effect.flip(Effect.scoped(SecureFile.acquireLock(path, { timeout: "200 millis" })))
      assert.strictEqual(error.reason, "Locked")
      assert.include(error.message, "locked by another process")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
