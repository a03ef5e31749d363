/**
 * Where the client CPU of a signed `GET /device-server/{id}` goes, layer by layer, over loopback against the emulator
 * (in another process): `pnpm --filter @effect-bunq/bench layers [count] [rounds]`.
 *
 * Each round times every layer in turn, from the whole program down to bare undici and bare `node:crypto`:
 * - `DeviceServer.get`: the program (`Effect.fn` span, `ApiContext`, `BunqClient`, Schema decoding of the device);
 * - `ApiContext.request`: the session check and `BunqClient.execute`, no decoding of the device;
 * - `BunqClient.execute`: signing, the span, the timeout, the transport, verification, the envelope;
 * - `HttpClient`: `BunqNode`'s `UndiciHttpClient` alone (GET and body read, unsigned: the emulator answers 466);
 * - `undici`: `undici.request` and the body read (unsigned);
 * - `sign + verify`: one `node:crypto` RSA-2048 sign and one verify, what every signed request costs.
 * All run from the same `ManagedRuntime` as an app does; the CPU is the process's (`process.cpuUsage`).
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import { Agent, request } from "undici"
import * as Emulator from "./emulator.js"

const count = Number(process.argv[2] ?? 1000)
const rounds = Number(process.argv[3] ?? 6)

const emulator = await Emulator.start()
const apiKey = Redacted.make(await emulator.createUser())
const runtime = ManagedRuntime.make(BunqNode.layer({
  apiKey,
  baseUrl: emulator.url,
  contextFile: false,
  permittedIps: ["*"],
  rateLimits: false,
  retry: false
}))
const context = await runtime.runPromise(ApiContext.ApiContext)
const snapshot = await runtime.runPromise(context.snapshot)
const session = await runtime.runPromise(context.session)
const deviceId = Option.getOrThrow(snapshot.deviceId)
const bunq = await runtime.runPromise(BunqClient.BunqClient)
const http = await runtime.runPromise(HttpClient.HttpClient)
const path = `/device-server/${deviceId}`
const token = Redacted.value(session.token)

const execute = bunq.execute({
  operation: "DeviceServer.get",
  method: "GET",
  path,
  auth: { _tag: "Session", token: session.token },
  signWith: snapshot.keyPair.privateKey,
  verifyWith: snapshot.installation.serverPublicKey
})
const transport = Effect.flatMap(
  http.get(`${emulator.url}${path}`, { headers: { "x-bunq-client-authentication": token } }),
  (response) => response.arrayBuffer
)
const agent = new Agent({ connections: 32 })
const keys = Crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
const responseBytes = Buffer.alloc(400)

const layers: ReadonlyArray<readonly [string, () => unknown]> = [
  ["DeviceServer.get", () => runtime.runPromise(DeviceServer.get(deviceId))],
  ["ApiContext.request", () => runtime.runPromise(ApiContext.request({ operation: "x", method: "GET", path }))],
  ["BunqClient.execute", () => runtime.runPromise(execute)],
  ["HttpClient", () => runtime.runPromise(transport)],
  ["undici", async () => {
    const response = await request(`${emulator.url}${path}`, {
      headers: { "x-bunq-client-authentication": token },
      dispatcher: agent
    })
    await response.body.arrayBuffer()
  }],
  ["sign + verify", () => {
    const signature = Crypto.sign("sha256", Buffer.alloc(0), keys.privateKey)
    Crypto.verify("sha256", responseBytes, keys.publicKey, signature)
  }]
]

const results = new Map<string, Array<number>>()
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of layers) {
    for (let i = 0; i < 100; i++) await run()
    const cpu = process.cpuUsage()
    for (let i = 0; i < count; i++) await run()
    const used = process.cpuUsage(cpu)
    results.set(name, [...(results.get(name) ?? []), (used.user + used.system) / count])
  }
}
// The first rounds still warm up the JIT: the median of the second half is reported.
const settled = (values: ReadonlyArray<number>) => {
  const tail = [...values.slice(Math.floor(values.length / 2))].sort((a, b) => a - b)
  return tail[Math.floor(tail.length / 2)]!
}
for (const [name, values] of results) {
  console.log(
    `${name.padEnd(20)} ${settled(values).toFixed(0).padStart(6)} µs CPU/req  (rounds: ${
      values.map((v) => v.toFixed(0)).join(" ")
    })`
  )
}
await agent.close()
await runtime.dispose()
await emulator.close()
