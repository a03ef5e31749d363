/**
 * Effect operations per signed call, quickly: `pnpm --filter @effect-bunq/bench ops [n]`. Bootstraps ours
 * (`BunqNode.layer`) against the emulator process and prints the operations the fiber runtime evaluates per signed
 * `GET /device-server/{id}` and `POST /device-server` (the same count `pnpm bench` reports, without its timed rounds).
 * The count does not depend on the machine's load, so it is the quick check of a change to the request path.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Ours from "./clients/ours.js"
import * as Emulator from "./emulator.js"

const n = Number(process.argv[2] ?? 200)
const emulator = await Emulator.start()
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-ops-"))
try {
  const client = await Ours.make(dir).bootstrap(
    { url: emulator.url, origin: emulator.origin },
    await emulator.createUser()
  )
  try {
    // warm up: the first calls import keys and fill caches
    for (let i = 0; i < 20; i++) await client.get(client.deviceId)
    const get = await client.effectOps!("GET", n)
    const post = await client.effectOps!("POST", Math.max(1, Math.round(n / 4)))
    process.stdout.write(`Effect operations per call: signed GET ${Math.round(get)}, signed POST ${Math.round(post)}\n`)
  } finally {
    await client.close()
  }
} finally {
  await emulator.close()
  Fs.rmSync(dir, { recursive: true, force: true })
}
