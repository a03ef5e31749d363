/**
 * Ours: `BunqNode.layer` (undici, NodeSigner, rate limits and retries off) and the `@effect-bunq/device-server`
 * programs, run from a `ManagedRuntime` the way an app calls effect-bunq from Promise-based code.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import type * as Installation from "@effect-bunq/device-server/Installation"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as RuntimeFlagsPatch from "effect/RuntimeFlagsPatch"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import * as Path from "node:path"
import type { Client, Contender, Target } from "./types.js"

/** Counts the operations the fiber runtime evaluates in the fibers it supervises (with `OpSupervision` on). */
class OpCounter extends Supervisor.AbstractSupervisor<void> {
  count = 0
  get value(): Effect.Effect<void> {
    return Effect.void
  }
  override onEffect(): void {
    this.count++
  }
}

const counted = <A, E, R>(counter: OpCounter, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  effect.pipe(
    Effect.supervised(counter),
    Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision))
  )

const open = async (target: Target, apiKey: string, contextFile: string | false, restore: boolean): Promise<Client> => {
  const secret = Redacted.make(apiKey)
  const runtime = ManagedRuntime.make(BunqNode.layer({
    apiKey: secret,
    baseUrl: target.url,
    contextFile,
    permittedIps: ["*"],
    description: "bench",
    rateLimits: false,
    retry: false
  }))
  try {
    // One program, as an app would write it: the context (restored or registered), then its first verified GET
    // (restore) or its session (bootstrap).
    const snapshot = await runtime.runPromise(Effect.gen(function*() {
      const context = yield* ApiContext.ApiContext
      const snapshot = yield* context.snapshot
      if (restore) yield* DeviceServer.get(Option.getOrThrow(snapshot.deviceId))
      else yield* context.session
      return snapshot
    }))
    const deviceId = Option.getOrThrow(snapshot.deviceId)
    const credentials: Installation.Credentials = {
      token: snapshot.installation.token,
      privateKey: snapshot.keyPair.privateKey,
      serverPublicKey: snapshot.installation.serverPublicKey
    }
    const createOptions: DeviceServer.CreateOptions = { description: "bench", secret, permittedIps: ["*"] }
    const get = (id: number) => Effect.asVoid(DeviceServer.get(id))
    const post = () => Effect.asVoid(DeviceServer.create(credentials, createOptions))
    return {
      deviceId,
      get: (id) => runtime.runPromise(get(id)),
      post: () => runtime.runPromise(post()),
      // Built per call, not up front: building a stream's span captures a stack trace (≈ 80 µs), which the restore
      // row would otherwise count.
      listAll: () => runtime.runPromise(Stream.runCount(DeviceServer.list({ count: 200 }))),
      effectOps: async (operation, n) => {
        const counter = new OpCounter()
        // What counting adds by itself, measured around nothing, is taken off.
        await runtime.runPromise(counted(counter, Effect.void))
        const overhead = counter.count
        counter.count = 0
        for (let i = 0; i < n; i++) {
          await (operation === "GET"
            ? runtime.runPromise(counted(counter, get(deviceId)))
            : runtime.runPromise(counted(counter, post())))
        }
        return counter.count / n - overhead
      },
      close: () => runtime.dispose()
    }
  } catch (error) {
    await runtime.dispose()
    throw error
  }
}

export const make = (dir: string): Contender => {
  const file = Path.join(dir, "ours-context.json")
  return {
    name: "ours",
    // The bootstrap keeps the context in memory (`contextFile: false`), like the baseline.
    bootstrap: (target, apiKey) => open(target, apiKey, false, false),
    // Bootstrap once into the context file that `restore` reads (plain JSON, mode 0600, as `BunqNode` saves it).
    prepareRestore: async (target, apiKey) => {
      const client = await open(target, apiKey, file, false)
      await client.close()
    },
    restore: (target, apiKey) => open(target, apiKey, file, true)
  }
}
