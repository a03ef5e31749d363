import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as NodeContextStore from "@effect-bunq/platform-node/NodeContextStore"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import type * as Signer from "@effect-bunq/signer/Signer"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { untilSomeFiberSleeps } from "./fixtures/clock.js"
import { makeContext, markerOf } from "./fixtures/contexts.js"

const tempPath = () => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-store-")), "ctx", "context.json")

const withStore = <A, E>(
  options: NodeContextStore.FileOptions,
  f: (store: ContextStore.ContextStore.Service) => Effect.Effect<A, E, Signer.Signer>
) =>
  Effect.flatMap(ContextStore.ContextStore, f).pipe(
    Effect.provide(NodeContextStore.layerFile(options).pipe(Layer.provideMerge(NodeSigner.layer)))
  )

describe("NodeContextStore", () => {
  it.effect("saves and loads a context, mode 0600, private key and tokens intact", () =>
    withStore({ path: tempPath() }, (store) =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* store.load("default"), Option.none())
        const context = yield* makeContext("one")
        yield* store.save("default", context)
        yield* store.save("other", yield* makeContext("two"))
        const loaded = (yield* store.load("default")).pipe(Option.getOrThrow)
        assert.strictEqual(markerOf(loaded), "one")
        assert.strictEqual(loaded.keyPair.publicKeyPem, context.keyPair.publicKeyPem)
        assert.strictEqual(Redacted.value(loaded.installation.token), "installation-token-one")
        assert.strictEqual(markerOf((yield* store.load("other")).pipe(Option.getOrThrow)), "two")
        // The restored private key signs; the saved public key verifies it.
        const signer = yield* NodeSigner.make
        const signature = yield* signer.sign(loaded.keyPair.privateKey, new TextEncoder().encode("x"))
        yield* signer.verify(context.keyPair.publicKeyPem, new TextEncoder().encode("x"), signature)
        yield* store.remove("default")
        assert.deepStrictEqual(yield* store.load("default"), Option.none())
        assert.isTrue(Option.isSome(yield* store.load("other")))
      })).pipe(Effect.provide(NodeSigner.layer)))

  it.effect("creates the file with mode 0600", () => {
    const path = tempPath()
    return withStore({ path }, (store) =>
      Effect.gen(function*() {
        yield* store.save("default", yield* makeContext("m"))
        assert.strictEqual(Fs.statSync(path).mode & 0o777, 0o600)
        assert.strictEqual(Fs.statSync(Path.dirname(path)).mode & 0o777, 0o700)
      })).pipe(Effect.provide(NodeSigner.layer))
  })

  it.effect("encrypted at rest: round trip, no secret in the file, wrong passphrase is typed and leaves the file", () => {
    const path = tempPath()
    const passphrase = Redacted.make("a long passphrase")
    return Effect.gen(function*() {
      const context = yield* makeContext("secret")
      yield* withStore({ path, passphrase }, (store) => store.save("default", context))
      const bytes = Fs.readFileSync(path, "utf8")
      assert.notInclude(bytes, "session-token-secret")
      assert.notInclude(bytes, "PRIVATE KEY")
      const loaded = yield* withStore({ path, passphrase }, (store) => store.load("default"))
      assert.strictEqual(markerOf(Option.getOrThrow(loaded)), "secret")

      const wrong = yield* Effect.flip(
        withStore({ path, passphrase: Redacted.make("wrong") }, (store) => store.load("default"))
      )
      assert.strictEqual(wrong.reason, "WrongPassphrase")
      assert.notInclude(wrong.message, "wrong")
      const wrongSave = yield* Effect.flip(
        withStore({ path, passphrase: Redacted.make("wrong") }, (store) => store.save("default", context))
      )
      assert.strictEqual(wrongSave.reason, "WrongPassphrase")
      const missing = yield* Effect.flip(withStore({ path }, (store) => store.load("default")))
      assert.strictEqual(missing.reason, "WrongPassphrase")
      assert.strictEqual(Fs.readFileSync(path, "utf8"), bytes)
    }).pipe(Effect.provide(NodeSigner.layer))
  })

  it.effect("a truncated or hand-edited file is Corrupt and kept as it was, also on save", () => {
    const path = tempPath()
    return Effect.gen(function*() {
      yield* withStore({ path }, (store) => Effect.flatMap(makeContext("c"), (c) => store.save("default", c)))
      const full = Fs.readFileSync(path, "utf8")
      const cases = [
        full.slice(0, Math.floor(full.length / 2)),
        full.replace(/"userId": \d+/, "\"userId\": \"me\""),
        full.replace("BEGIN PRIVATE KEY", "BEGIN PRIVATE KEX"),
        "[]",
        ""
      ]
      for (const text of cases) {
        Fs.writeFileSync(path, text)
        const error = yield* Effect.flip(withStore({ path }, (store) => store.load("default")))
        assert.strictEqual(error.reason, "Corrupt", text.slice(0, 40))
        assert.notInclude(error.message, "session-token")
        const saveError = yield* Effect.flip(
          withStore({ path }, (store) => Effect.flatMap(makeContext("new"), (c) => store.save("default", c)))
        )
        assert.strictEqual(saveError.reason, "Corrupt")
        assert.strictEqual(Fs.readFileSync(path, "utf8"), text)
      }
      // Forgetting clears it.
      yield* withStore({ path }, (store) => store.remove("default"))
      assert.isFalse(Fs.existsSync(path))
    }).pipe(Effect.provide(NodeSigner.layer))
  })

  it.effect("with a passphrase set, a plain file is refused (NotEncrypted) and left as it is", () => {
    const path = tempPath()
    return Effect.gen(function*() {
      yield* withStore({ path }, (store) => Effect.flatMap(makeContext("plain"), (c) => store.save("default", c)))
      const bytes = Fs.readFileSync(path, "utf8")
      const passphrase = Redacted.make("a passphrase")
      const error = yield* Effect.flip(withStore({ path, passphrase }, (store) => store.load("default")))
      assert.strictEqual(error.reason, "NotEncrypted")
      const saveError = yield* Effect.flip(
        withStore({ path, passphrase }, (store) => Effect.flatMap(makeContext("new"), (c) => store.save("default", c)))
      )
      assert.strictEqual(saveError.reason, "NotEncrypted")
      assert.strictEqual(Fs.readFileSync(path, "utf8"), bytes)
    }).pipe(Effect.provide(NodeSigner.layer))
  })

  it.effect("an empty passphrase is Unsafe on every operation, before anything is read or written", () => {
    const path = tempPath()
    return Effect.gen(function*() {
      const empty = { path, passphrase: Redacted.make("") }
      const loadError = yield* Effect.flip(withStore(empty, (store) => store.load("default")))
      assert.strictEqual(loadError.reason, "Unsafe")
      assert.include(loadError.message, "the passphrase is empty")
      const saveError = yield* Effect.flip(
        withStore(empty, (store) => Effect.flatMap(makeContext("new"), (c) => store.save("default", c)))
      )
      assert.strictEqual(saveError.reason, "Unsafe")
      assert.isFalse(Fs.existsSync(path))
      // an existing file is refused too, and kept as it was (also by remove)
      yield* withStore({ path }, (store) => Effect.flatMap(makeContext("plain"), (c) => store.save("default", c)))
      const bytes = Fs.readFileSync(path, "utf8")
      assert.strictEqual((yield* Effect.flip(withStore(empty, (store) => store.load("default")))).reason, "Unsafe")
      assert.strictEqual((yield* Effect.flip(withStore(empty, (store) => store.remove("default")))).reason, "Unsafe")
      assert.strictEqual(Fs.readFileSync(path, "utf8"), bytes)
    }).pipe(Effect.provide(NodeSigner.layer))
  })

  it.effect("remove on a file it cannot parse never deletes the other keys: the file is moved aside (0600)", () => {
    const path = tempPath()
    return Effect.gen(function*() {
      yield* withStore({ path }, (store) =>
        Effect.gen(function*() {
          yield* store.save("default", yield* makeContext("a"))
          yield* store.save("other", yield* makeContext("b"))
        }))
      const full = Fs.readFileSync(path, "utf8")
      const truncated = full.slice(0, full.length - 10)
      Fs.writeFileSync(path, truncated)
      yield* withStore({ path }, (store) => store.remove("default"))
      assert.isFalse(Fs.existsSync(path))
      const backups = Fs.readdirSync(Path.dirname(path)).filter((name) => name.endsWith(".bak"))
      assert.strictEqual(backups.length, 1)
      const backup = Path.join(Path.dirname(path), backups[0]!)
      // Every byte of the other key's entry is kept.
      assert.strictEqual(Fs.readFileSync(backup, "utf8"), truncated)
      assert.include(truncated, "session-token-b")
      assert.strictEqual(Fs.statSync(backup).mode & 0o777, 0o600)
    }).pipe(Effect.provide(NodeSigner.layer))
  })

  it.effect("two stores on one file take turns under withLock", () => {
    const path = tempPath()
    return Effect.gen(function*() {
      const order: Array<string> = []
      const aInside = yield* Deferred.make<void>()
      const aMayLeave = yield* Deferred.make<void>()
      const a = yield* Effect.fork(withStore({ path }, (store) =>
        store.withLock(
          "default",
          Effect.gen(function*() {
            order.push("a in")
            yield* Deferred.succeed(aInside, undefined)
            yield* Deferred.await(aMayLeave)
            yield* store.save("default", yield* makeContext("a"))
            order.push("a out")
          })
        )))
      yield* Deferred.await(aInside)
      const b = yield* Effect.fork(withStore({ path }, (store) =>
        store.withLock(
          "default",
          Effect.gen(function*() {
            order.push("b in")
            yield* store.save("default", yield* makeContext("b"))
            order.push("b out")
          })
        )))
      // b found the file locked and backs off (sleeping on the TestClock): it must not be inside.
      yield* untilSomeFiberSleeps
      assert.deepStrictEqual(order, ["a in"])
      yield* Deferred.succeed(aMayLeave, undefined)
      yield* Fiber.join(a)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(b)
      assert.deepStrictEqual(order, ["a in", "a out", "b in", "b out"])
    }).pipe(Effect.provide(NodeSigner.layer))
  })

  it.live("crash safety: SIGKILL during writes always leaves a file that decodes to a saved context", () => {
    const path = tempPath()
    const kills = Number(process.env.BUNQ_STRESS_KILLS ?? 5)
    const writer = Path.join(import.meta.dirname, "fixtures", "crash-writer.ts")
    return Effect.gen(function*() {
      yield* withStore({ path }, (store) => Effect.flatMap(makeContext("seed"), (c) => store.save("default", c)))
      let last = -1
      for (let i = 0; i < kills; i++) {
        const seen = yield* Effect.async<number, Error>((resume) => {
          const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", writer, path, "-", String(i * 1000)], {
            stdio: ["ignore", "pipe", "pipe"]
          })
          let written = 0
          let stderr = ""
          child.stdout.on("data", (chunk: Buffer) => {
            written += chunk.toString().split("\n").filter((l) => l !== "").length
            // Kill after a few writes, at a moment that varies from run to run.
            if (written >= 2 + (i % 5)) child.kill("SIGKILL")
          })
          child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
          child.on("exit", (code, signal) => {
            if (signal === "SIGKILL") resume(Effect.succeed(written))
            else resume(Effect.fail(new Error(`writer exited ${code}: ${stderr}`)))
          })
        })
        assert.isAtLeast(seen, 2)
        const loaded = yield* withStore({ path }, (store) => store.load("default"))
        const marker = Number(markerOf(Option.getOrThrow(loaded)))
        // The file holds the last save the writer confirmed, or the one it was writing when killed.
        assert.isAtLeast(marker, i * 1000 + seen - 1)
        assert.isAtMost(marker, i * 1000 + seen)
        assert.isAbove(marker, last)
        last = marker
      }
      assert.strictEqual(Fs.statSync(path).mode & 0o777, 0o600)
    }).pipe(Effect.provide(NodeSigner.layer))
    // Each kill starts a writer process (about a second on a loaded machine): 200 kills need more than 2 minutes.
  }, Math.max(120_000, Number(process.env.BUNQ_STRESS_KILLS ?? 5) * 5_000))
})
