/**
 * One member of the fleet bench (`fleet.ts` forks four): `BunqNode.layerConfig()` from the environment the parent set
 * (the API key, the emulator's URL, and either `BUNQ_REDIS_URL` or a context file of its own), then `FLEET_GETS`
 * signed `GET /user/{id}` (at most `FLEET_CONCURRENCY` in flight). Prints one JSON line: when each GET started and
 * ended, and how many failed (429s that reached the caller, counted apart).
 */
import * as User from "@effect-bunq/device-server/User"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as Effect from "effect/Effect"

const gets = Number(process.env.FLEET_GETS ?? 50)
const concurrency = Number(process.env.FLEET_CONCURRENCY ?? 5)

const one = Effect.gen(function*() {
  const start = Date.now()
  const result = yield* Effect.either(User.get())
  return { start, end: Date.now(), result }
})

const program = Effect.gen(function*() {
  const ready = Date.now()
  const calls = yield* Effect.all(Array.from({ length: gets }, () => one), { concurrency })
  const failures = calls.flatMap((call) => call.result._tag === "Left" ? [call.result.left] : [])
  return {
    ready,
    starts: calls.map((call) => call.start),
    ends: calls.map((call) => call.end),
    tooMany: failures.filter((error) => error._tag === "ApiError" && error.status === 429).length,
    failed: failures.length,
    firstFailure: failures.length > 0 ? String(failures[0]) : undefined
  }
}).pipe(Effect.provide(BunqNode.layerConfig()))

Effect.runPromise(program).then(
  (report) => process.stdout.write(JSON.stringify(report) + "\n"),
  (error) => {
    process.stderr.write(`fleet member failed: ${String(error)}\n`)
    process.exit(1)
  }
)
