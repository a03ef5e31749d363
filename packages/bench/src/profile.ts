/**
 * Profile one contender's signed requests: `pnpm build && node --cpu-prof dist/profile.js ours GET 500 [inFlight]`
 * (or from source: `node --cpu-prof --import tsx src/profile.ts ...`).
 * The emulator runs in another process, so the profile holds only the client.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Contenders from "./contenders.js"
import * as Emulator from "./emulator.js"

const [name = "ours", operation = "GET", count = "500", inFlight = "1"] = process.argv.slice(2)
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-bunq-profile-"))
const emulator = await Emulator.start()
const client = await Contenders.make(name as Contenders.Name, dir).bootstrap(emulator, await emulator.createUser())
const call = Contenders.call(client, operation as "GET" | "POST")
const cpu = process.cpuUsage()
const t = performance.now()
let started = 0
let done = 0
const watchdog = setInterval(() => console.error(`${name}: ${done}/${count} done, ${started - done} in flight`), 5000)
await Promise.all(Array.from({ length: Number(inFlight) }, async () => {
  while (started < Number(count)) {
    started++
    await call()
    done++
  }
}))
clearInterval(watchdog)
const used = process.cpuUsage(cpu)
console.log(
  `${name} ${operation}: ${((performance.now() - t) / Number(count)).toFixed(2)} ms/req wall, ` +
    `${((used.user + used.system) / 1000 / Number(count)).toFixed(2)} ms/req CPU`
)
await client.close()
await emulator.close()
Fs.rmSync(dir, { recursive: true, force: true })
