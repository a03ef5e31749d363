/**
 * Persistence through the public Node layer: a context file that was truncated or edited by hand makes
 * `BunqNode.layer` fail at build with a typed `ContextStoreError` (never a defect, never a new registration), the
 * file's bytes stay exactly as they were, no lock file is left behind, and `ApiContext.reset` clears the way. The
 * store-level cases (SIGKILL during writes, `BUNQ_STRESS_KILLS`, wrong passphrase) are in
 * packages/platform-node/test/NodeContextStore.test.ts.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as User from "@effect-bunq/device-server/User"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option, Redacted } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { makeEmulator, nodeLayer } from "./utils/setup.js"

const tempFile = () => Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-reliability-")), "context.json")

/** Edits of a valid plain context file; each must be refused. */
const edits: ReadonlyArray<{ name: string; reason: string; edit: (bytes: Buffer) => Buffer }> = [
  { name: "truncated to half", reason: "Corrupt", edit: (bytes) => bytes.subarray(0, bytes.length >> 1) },
  { name: "truncated by one byte", reason: "Corrupt", edit: (bytes) => bytes.subarray(0, bytes.length - 2) },
  { name: "binary garbage", reason: "Corrupt", edit: () => Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]) },
  { name: "not a context file", reason: "Corrupt", edit: () => Buffer.from("{\"hello\":\"world\"}\n") },
  { name: "a JSON array", reason: "Corrupt", edit: () => Buffer.from("[]") },
  {
    name: "installation token made a number",
    reason: "Corrupt",
    edit: (bytes) => editJson(bytes, (doc) => (doc.installation.token = 42))
  },
  {
    name: "session expiry not a date",
    reason: "Corrupt",
    edit: (bytes) => editJson(bytes, (doc) => (doc.session.expiresAt = "next tuesday"))
  },
  {
    name: "device id removed",
    reason: "Corrupt",
    edit: (bytes) => editJson(bytes, (doc) => delete doc.deviceId)
  },
  {
    name: "private key PEM damaged",
    reason: "Corrupt",
    edit: (bytes) =>
      editJson(bytes, (doc) => {
        const pem: string = doc.privateKeyPem
        doc.privateKeyPem = pem.slice(0, 60) + "!!!!" + pem.slice(64)
      })
  },
  {
    name: "private key PEM empty",
    reason: "Corrupt",
    edit: (bytes) => editJson(bytes, (doc) => (doc.privateKeyPem = ""))
  },
  {
    name: "a future version",
    reason: "UnsupportedVersion",
    edit: (bytes) => editJson(bytes, (doc) => (doc.version = 99))
  },
  {
    name: "another API key's context",
    reason: "Foreign",
    edit: (bytes) => editJson(bytes, (doc) => (doc.apiKeyFingerprint = `sha256:${"0".repeat(64)}`))
  }
]

/** Edit the `default` context inside the file document. */
const editJson = (bytes: Buffer, f: (doc: any) => void): Buffer => {
  const file = JSON.parse(bytes.toString("utf8"))
  f(file.contexts.default)
  return Buffer.from(JSON.stringify(file, null, 2))
}

describe("persistence", () => {
  it.live("a truncated or hand-edited context file is a typed error at BunqNode.layer build, the file kept", () =>
    Effect.gen(function*() {
      const emulator = yield* makeEmulator()
      const user = yield* emulator.createSandboxUser()
      const baseUrl = yield* emulator.url
      const path = tempFile()
      // A real context file: registered against the emulator and saved by the Node file store.
      yield* Effect.provide(User.get(), nodeLayer(emulator, user.apiKey, { contextFile: path }))
      const original = Fs.readFileSync(path)
      assert.isTrue(Redacted.value(user.apiKey).length > 0)
      assert.notInclude(original.toString("utf8"), Redacted.value(user.apiKey))
      yield* emulator.clearLog

      // The real Node layer (undici): the emulator is in process, so any request it sent would fail as a transport
      // error — the expected failure comes from the store, before any request.
      const layer = BunqNode.layer({ apiKey: user.apiKey, baseUrl, contextFile: path, permittedIps: ["*"] })
      for (const { edit, name, reason } of edits) {
        const edited = edit(original)
        Fs.writeFileSync(path, edited)
        const exit = yield* Effect.exit(Layer.build(layer).pipe(Effect.scoped))
        assert.isTrue(Exit.isFailure(exit), name)
        if (Exit.isFailure(exit)) {
          assert.isFalse(Cause.isDie(exit.cause), `${name}: ${Cause.pretty(exit.cause)}`)
          const error = Option.getOrThrow(Cause.failureOption(exit.cause))
          assert.strictEqual(error._tag, "ContextStoreError", `${name}: ${Cause.pretty(exit.cause)}`)
          assert.strictEqual((error as { reason: string }).reason, reason, name)
          // No secret of the intact file reaches the message.
          assert.notInclude(error.message, Redacted.value(user.apiKey))
        }
        assert.isTrue(Fs.readFileSync(path).equals(edited), `${name}: the file was changed`)
        assert.isFalse(Fs.existsSync(`${path}.lock`), `${name}: a lock file was left`)
      }
      assert.deepStrictEqual(yield* emulator.log, [], "a request was sent for a corrupt context")

      // After ApiContext.reset the layer registers again (in process, so the emulator sees it).
      yield* ApiContext.reset().pipe(
        Effect.provide(BunqNode.layerContextStore({ contextFile: path })),
        Effect.provide(NodeSigner.layer)
      )
      yield* Effect.provide(User.get(), nodeLayer(emulator, user.apiKey, { contextFile: path }))
      assert.strictEqual(yield* Effect.map(emulator.log, (l) => l.filter((e) => e.path === "/installation").length), 1)
    }))

  it.live("an encrypted context file with a flipped byte is a typed error and is kept", () =>
    Effect.gen(function*() {
      const emulator = yield* makeEmulator()
      const user = yield* emulator.createSandboxUser()
      const path = tempFile()
      const passphrase = Redacted.make("correct horse battery staple")
      yield* Effect.provide(User.get(), nodeLayer(emulator, user.apiKey, { contextFile: path, passphrase }))
      const original = Fs.readFileSync(path)
      for (const at of [0.5, 0.9]) {
        const edited = Buffer.from(original)
        const i = Math.floor(edited.length * at)
        edited[i] = edited[i] === 0x41 ? 0x42 : 0x41
        Fs.writeFileSync(path, edited)
        yield* emulator.clearLog
        const exit = yield* Effect.exit(
          Layer.build(nodeLayer(emulator, user.apiKey, { contextFile: path, passphrase })).pipe(Effect.scoped)
        )
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) {
          assert.isFalse(Cause.isDie(exit.cause), Cause.pretty(exit.cause))
          const error = Option.getOrThrow(Cause.failureOption(exit.cause))
          assert.strictEqual(error._tag, "ContextStoreError", Cause.pretty(exit.cause))
        }
        assert.isTrue(Fs.readFileSync(path).equals(edited))
        assert.deepStrictEqual(yield* emulator.log, [])
      }
    }))
})
