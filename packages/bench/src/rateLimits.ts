/**
 * `pnpm bench` (last part): the client's rate limiter against a server that enforces bunq's limits (the emulator with
 * `bunqRateLimits`: GET 3, POST 5, PUT 2 per 3 s per endpoint, `POST /session-server` 1 per 30 s), over loopback,
 * real time. Two runs, as in the hardening issue: 12 concurrent `POST /device-server`, and 30 concurrent GETs.
 *
 * Printed per run: 429s that reached the caller (target 0), 429s the server sent (target ≤ 1 per 100 requests; a
 * 429 is retried after bunq's window, so it costs time but not the call), and the achieved rate against the
 * allowed one, as the shortest time bunq's limit allows for the batch (`ceil(n / limit) - 1` windows) over the
 * measured time (target ≥ 0.9).
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as User from "@effect-bunq/device-server/User"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqEmulatorServer from "@effect-bunq/emulator/BunqEmulatorServer"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"

interface Run {
  readonly name: string
  readonly requests: number
  readonly callerTooMany: number
  readonly serverTooMany: number
  readonly millis: number
  readonly idealMillis: number
}

const measure = <A, E, R>(
  name: string,
  limit: { readonly calls: number; readonly seconds: number },
  path: (entry: BunqEmulator.LogEntry) => boolean,
  requests: ReadonlyArray<Effect.Effect<A, E, R>>
) =>
  Effect.gen(function*() {
    const emulator = yield* BunqEmulator.Emulator
    yield* emulator.clearLog
    const started = performance.now()
    const results = yield* Effect.all(requests.map(Effect.either), { concurrency: "unbounded" })
    const millis = performance.now() - started
    const log = (yield* emulator.log).filter(path)
    const run: Run = {
      name,
      requests: requests.length,
      callerTooMany: results.filter((r) => Either.isLeft(r) && (r.left as { status?: number }).status === 429).length,
      serverTooMany: log.filter((e) => e.status === 429).length,
      millis,
      idealMillis: (Math.ceil(requests.length / limit.calls) - 1) * limit.seconds * 1000
    }
    const failures = results.filter(Either.isLeft)
    if (failures.length > 0) {
      process.stderr.write(`  ${name}: ${failures.length} calls failed: ${String(failures[0]!.left)}\n`)
    }
    return run
  })

const program = Effect.gen(function*() {
  const emulator = yield* BunqEmulator.Emulator
  const user = yield* emulator.createSandboxUser()
  const url = yield* emulator.url
  const limits = BunqEmulator.bunqRateLimits
  return yield* Effect.gen(function*() {
    const context = yield* ApiContext.ApiContext
    const snapshot = yield* context.snapshot
    const credentials = {
      token: snapshot.installation.token,
      privateKey: snapshot.keyPair.privateKey,
      serverPublicKey: snapshot.installation.serverPublicKey
    }
    const posts = yield* measure(
      "12 concurrent POST /device-server",
      limits.POST,
      (e) => e.method === "POST" && e.path === "/device-server",
      Array.from(
        { length: 12 },
        (_, i) =>
          DeviceServer.create(credentials, { description: `bench ${i}`, secret: user.apiKey, permittedIps: ["*"] })
      )
    )
    const gets = yield* measure(
      "30 concurrent GET /user/{id}",
      limits.GET,
      (e) => e.method === "GET" && e.path.startsWith("/user/"),
      Array.from({ length: 30 }, () => User.get())
    )
    return [posts, gets]
  }).pipe(
    Effect.provide(BunqNode.layer({ apiKey: user.apiKey, baseUrl: url, contextFile: false, permittedIps: ["*"] }))
  )
}).pipe(
  Effect.provide(
    BunqEmulatorServer.layer({ rateLimits: BunqEmulator.bunqRateLimits }).pipe(Layer.provide(NodeSigner.layer))
  )
)

const runs = await Effect.runPromise(program)
const pad = (text: string, width: number) => text.padEnd(width)
const lines = [
  "",
  "Rate limits against bunq's limits enforced by the emulator (loopback, real time)",
  "",
  `${pad("run", 36)} ${pad("429s at caller", 15)} ${pad("429s at server", 15)} ${pad("time", 9)} ${
    pad("bunq's minimum", 15)
  } achieved/allowed`,
  ...runs.map((run) =>
    `${pad(run.name, 36)} ${pad(`${run.callerTooMany} (target 0)`, 15)} ${
      pad(`${run.serverTooMany}/${run.requests}`, 15)
    } ${pad(`${(run.millis / 1000).toFixed(2)} s`, 9)} ${pad(`${(run.idealMillis / 1000).toFixed(0)} s`, 15)} ${
      (run.idealMillis / run.millis).toFixed(3)
    } (target ≥ 0.9)`
  ),
  ""
]
process.stdout.write(lines.join("\n") + "\n")
