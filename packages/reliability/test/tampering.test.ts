/**
 * Tampered responses, end to end through `BunqNode`'s layers against the in-process emulator: for every endpoint
 * family the client verifies, each of the emulator's four tampering faults (a changed body byte, a corrupted
 * signature, no signature, a signature by another key) is rejected with `ResponseVerificationError` — none is
 * accepted — and a rejected response is never answered by sending the request again (counted in the emulator's log,
 * with GET retries on).
 *
 * Not covered on purpose: `POST /installation` (its response carries the server key, so nothing can verify it — bunq
 * works the same way) and `POST /sandbox-user-*` (sandbox only, sent before any installation exists).
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as Installation from "@effect-bunq/device-server/Installation"
import * as Session from "@effect-bunq/device-server/Session"
import * as User from "@effect-bunq/device-server/User"
import type * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import type * as BunqClient from "@effect-bunq/http/BunqClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { makeEmulator, nodeLayer } from "./utils/setup.js"

type Tamper = "TamperedBody" | "TamperedSignature" | "MissingSignature" | "WrongKey"
const tampers: ReadonlyArray<Tamper> = ["TamperedBody", "TamperedSignature", "MissingSignature", "WrongKey"]
const expectedReason: Record<Tamper, string> = {
  TamperedBody: "InvalidSignature",
  TamperedSignature: "InvalidSignature",
  MissingSignature: "MissingSignature",
  WrongKey: "InvalidSignature"
}

interface Family {
  readonly name: string
  readonly method: string
  /** The emulator's log path of the request (relative to the base path). */
  readonly path: (ids: Ids) => string
  readonly run: (ids: Ids) => Effect.Effect<unknown, unknown, ApiContext.ApiContext | BunqClient.BunqClient>
}

interface Ids {
  readonly installationId: number
  readonly deviceId: number
  readonly userId: number
  readonly sessionId: number
}

const families = (apiKey: BunqEmulator.SandboxUser["apiKey"]): ReadonlyArray<Family> => [
  {
    name: "installation list",
    method: "GET",
    path: () => "/installation",
    run: () => Installation.list()
  },
  {
    name: "installation read",
    method: "GET",
    path: (ids) => `/installation/${ids.installationId}`,
    run: (ids) => Installation.get(ids.installationId)
  },
  {
    name: "installation server-public-key",
    method: "GET",
    path: (ids) => `/installation/${ids.installationId}/server-public-key`,
    run: (ids) => Installation.serverPublicKey(ids.installationId)
  },
  {
    name: "device-server create",
    method: "POST",
    path: () => "/device-server",
    run: () =>
      Effect.gen(function*() {
        const snapshot = yield* Effect.flatMap(ApiContext.ApiContext, (context) => context.snapshot)
        return yield* DeviceServer.create({
          token: snapshot.installation.token,
          privateKey: snapshot.keyPair.privateKey,
          serverPublicKey: snapshot.installation.serverPublicKey
        }, { description: "second device", secret: apiKey, permittedIps: ["*"] })
      })
  },
  {
    name: "device-server read",
    method: "GET",
    path: (ids) => `/device-server/${ids.deviceId}`,
    run: (ids) => DeviceServer.get(ids.deviceId)
  },
  {
    name: "device-server list",
    method: "GET",
    path: () => "/device-server",
    run: () => DeviceServer.listPage({ count: 5 })
  },
  {
    name: "session-server create",
    method: "POST",
    path: () => "/session-server",
    run: () => Effect.flatMap(ApiContext.ApiContext, (context) => context.refreshSession)
  },
  {
    name: "user read",
    method: "GET",
    path: (ids) => `/user/${ids.userId}`,
    run: () => User.get()
  },
  {
    name: "user list",
    method: "GET",
    path: () => "/user",
    run: () => User.listPage({ count: 5 })
  },
  {
    name: "session delete",
    method: "DELETE",
    path: (ids) => `/session/${ids.sessionId}`,
    run: () => Session.delete()
  }
]

const currentIds = Effect.gen(function*() {
  const context = yield* ApiContext.ApiContext
  const session = yield* context.session
  const snapshot = yield* context.snapshot
  return {
    installationId: Option.getOrThrow(snapshot.installation.id),
    deviceId: Option.getOrThrow(snapshot.deviceId),
    userId: session.userId,
    sessionId: Option.getOrThrow(session.id)
  } satisfies Ids
})

describe("tampered responses", () => {
  it.live("every endpoint family rejects each of the four tampering faults; no rejected request is sent again", () =>
    Effect.gen(function*() {
      const emulator = yield* makeEmulator()
      const user = yield* emulator.createSandboxUser()
      const outcomes: Array<string> = []
      yield* Effect.gen(function*() {
        for (const family of families(user.apiKey)) {
          for (const tamper of tampers) {
            // A fresh, valid session and ids for each case (a previous case may have closed or replaced it).
            const ids = yield* currentIds
            const path = family.path(ids)
            yield* emulator.clearLog
            yield* emulator.injectFault({ _tag: tamper, method: family.method, path })
            const exit = yield* Effect.exit(family.run(ids))
            const sent = (yield* emulator.log).filter((e) => e.method === family.method && e.path === path)
            yield* emulator.clearFaults
            const label = `${family.name} / ${tamper}`
            assert.isTrue(Exit.isFailure(exit), `${label} was accepted`)
            if (Exit.isFailure(exit)) {
              const error = Option.getOrUndefined(
                Exit.causeOption(exit).pipe(
                  Option.flatMap((cause) => Option.fromNullable(cause._tag === "Fail" ? cause.error : undefined))
                )
              ) as { _tag?: string; reason?: string } | undefined
              assert.strictEqual(error?._tag, "ResponseVerificationError", `${label}: ${String(exit.cause)}`)
              assert.strictEqual(error?.reason, expectedReason[tamper], label)
            }
            // Exactly one request reached the emulator, and the fault was applied to it.
            assert.deepStrictEqual(sent.map((e) => e.fault), [tamper], label)
            outcomes.push(label)
          }
        }
      }).pipe(
        Effect.provide(nodeLayer(emulator, user.apiKey, { retry: { baseDelay: "5 millis", maxAttempts: 4 } }))
      )
      assert.strictEqual(outcomes.length, 40)
    }))
})
