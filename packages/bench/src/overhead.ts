/**
 * The client's own CPU per signed request, with no network and no server: ``pnpm --filter @effect-bunq/bench overhead [count] [rounds]``.
 *
 * The emulator (in process) answers the first `GET /device-server/{id}` and `POST /device-server`; after that a
 * replaying `HttpClient` serves the recorded bytes and headers again (echoing the request id; bunq signs only the
 * body, so the recorded server signature still verifies). Each round times, interleaved:
 * - `protocol`: what any client must do: sign with `node:crypto`, verify the recorded body, `JSON.parse` it;
 * - `DeviceServer.get` and `DeviceServer.create` through `BunqNode.layerWithoutHttpClient` (rate limits and retries
 *   off), run from a `ManagedRuntime` as an app does.
 * The replaying client answers from memory with no socket, so the difference is the cost of effect-bunq's own
 * pipeline (programs, `ApiContext`, `BunqClient`, Schema decoding, the Effect runtime) around the crypto; the
 * transport's share is measured by `pnpm bench`, against the emulator over loopback.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as DeviceServer from "@effect-bunq/device-server/DeviceServer"
import type * as Installation from "@effect-bunq/device-server/Installation"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqNode from "@effect-bunq/platform-node/BunqNode"
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"

const count = Number(process.argv[2] ?? 2000)
const rounds = Number(process.argv[3] ?? 3)

interface Recorded {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: Uint8Array
}

const recorded = new Map<string, Recorded>()
const replaying = { on: false }

const emulatorRuntime = ManagedRuntime.make(
  BunqEmulator.layerTest({ rateLimits: false }).pipe(Layer.provide(NodeSigner.layer))
)
const emulator = await emulatorRuntime.runPromise(BunqEmulator.Emulator)
const apiKey = Redacted.value((await emulatorRuntime.runPromise(emulator.createSandboxUser())).apiKey)
const live = BunqEmulator.makeHttpClient(emulator)

/** A response served from memory: status, headers and bytes, nothing else is read by `BunqClient`. */
const stubResponse = (
  request: HttpClientRequest.HttpClientRequest,
  status: number,
  headers: Record<string, string>,
  body: Uint8Array
): HttpClientResponse.HttpClientResponse => {
  const buffer = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer
  return {
    [HttpClientResponse.TypeId]: HttpClientResponse.TypeId,
    request,
    status,
    headers: Headers.unsafeFromRecord(headers),
    arrayBuffer: Effect.succeed(buffer)
  } as unknown as HttpClientResponse.HttpClientResponse
}

const replayClient = HttpClient.makeWith(
  Effect.flatMap((request) => {
    const url = new URL(request.url)
    const key = `${request.method} ${url.pathname}`
    const saved = replaying.on ? recorded.get(key) : undefined
    if (saved === undefined) {
      return live.execute(request).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.arrayBuffer, (buffer) => {
            const entry = { status: response.status, headers: { ...response.headers }, body: new Uint8Array(buffer) }
            recorded.set(key, entry)
            return stubResponse(request, entry.status, entry.headers, entry.body)
          })
        ),
        Effect.orDie
      )
    }
    const headers = { ...saved.headers, "x-bunq-client-request-id": request.headers["x-bunq-client-request-id"]! }
    return Effect.succeed(stubResponse(request, saved.status, headers, saved.body))
  }),
  Effect.succeed as HttpClient.HttpClient.Preprocess<never, never>
)

const secret = Redacted.make(apiKey)
const runtime = ManagedRuntime.make(
  BunqNode.layerWithoutHttpClient({
    apiKey: secret,
    baseUrl: "http://127.0.0.1:1/v1",
    contextFile: false,
    permittedIps: ["*"],
    description: "overhead",
    rateLimits: false,
    retry: false
  }).pipe(Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, replayClient)))
)
const context = await runtime.runPromise(ApiContext.ApiContext)
const snapshot = await runtime.runPromise(context.snapshot)
const deviceId = Option.getOrThrow(snapshot.deviceId)
const credentials: Installation.Credentials = {
  token: snapshot.installation.token,
  privateKey: snapshot.keyPair.privateKey,
  serverPublicKey: snapshot.installation.serverPublicKey
}
const createOptions: DeviceServer.CreateOptions = { description: "overhead", secret, permittedIps: ["*"] }
// Each call builds its program afresh, as an app does.
const get = () => runtime.runPromise(Effect.asVoid(DeviceServer.get(deviceId)))
const post = () => runtime.runPromise(Effect.asVoid(DeviceServer.create(credentials, createOptions)))
await get()
await post()
replaying.on = true

// The protocol alone, on the same keys and the same recorded responses.
const privateKey = Crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey
const getResponse = recorded.get(`GET /v1/device-server/${deviceId}`)!
const postResponse = recorded.get("POST /v1/device-server")!
const installation = JSON.parse(new TextDecoder().decode(recorded.get("POST /v1/installation")!.body))
const serverKey = Crypto.createPublicKey(
  installation.Response.find((item: any) => "ServerPublicKey" in item).ServerPublicKey.server_public_key
)
const protocol = (response: Recorded, body: unknown) => {
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), "utf8")
  Crypto.sign("sha256", bytes, privateKey).toString("base64")
  Crypto.randomUUID()
  const signature = Buffer.from(response.headers["x-bunq-server-signature"]!, "base64")
  if (!Crypto.verify("sha256", response.body, serverKey, signature)) throw new Error("protocol: verification failed")
  return JSON.parse(Buffer.from(response.body).toString("utf8"))
}

const measure = async (name: string, run: () => Promise<unknown> | unknown) => {
  for (let i = 0; i < 300; i++) await run()
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let i = 0; i < count; i++) await run()
  const used = process.cpuUsage(cpu)
  const wall = (performance.now() - start) / count
  return { name, wall, cpu: (used.user + used.system) / 1000 / count }
}

const results = new Map<string, Array<number>>()
for (let round = 0; round < rounds; round++) {
  for (
    const result of [
      await measure("protocol GET", () => protocol(getResponse, undefined)),
      await measure("ours GET", get),
      await measure(
        "protocol POST",
        () => protocol(postResponse, { description: "overhead", secret: apiKey, permitted_ips: ["*"] })
      ),
      await measure("ours POST", post)
    ]
  ) {
    results.set(result.name, [...(results.get(result.name) ?? []), result.cpu])
  }
}
const median = (values: Array<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
for (const [name, values] of results) {
  console.log(`${name.padEnd(14)} ${median(values).toFixed(3)} ms CPU/req (rounds: ${values.map((v) => v.toFixed(3))})`)
}
for (const op of ["GET", "POST"]) {
  if (!results.has(`ours ${op}`)) continue
  const ours = median(results.get(`ours ${op}`)!)
  const base = median(results.get(`protocol ${op}`)!)
  console.log(`${op}: effect-bunq adds ${(ours - base).toFixed(3)} ms CPU per request (${(ours / base).toFixed(2)}×)`)
}
await runtime.dispose()
await emulatorRuntime.dispose()
