/**
 * One contender lists every device of a user, in its own process (run with `--expose-gc`), so its heap holds
 * nothing else: restore the saved context, force a GC, then list page by page while sampling `heapUsed` every
 * millisecond the event loop is free (between and during page requests). Prints one JSON line:
 * `{ devices, millis, baseHeap, peakHeapGrowth, retainedGrowth }`.
 */
import * as Contenders from "./contenders.js"

const [name, dir, url, apiKey] = process.argv.slice(2) as [Contenders.Name, string, string, string]
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc")

const contender = Contenders.make(name, dir)
const client = await contender.restore({ url, origin: new URL(url).origin }, apiKey)
// A first walk warms up the JIT and the connection pool.
await client.listAll()
gc()
gc()
const baseHeap = process.memoryUsage().heapUsed
let peak = baseHeap
const sample = () => {
  const used = process.memoryUsage().heapUsed
  if (used > peak) peak = used
}
const timer = setInterval(sample, 1)
const start = performance.now()
const devices = await client.listAll()
const millis = performance.now() - start
clearInterval(timer)
sample()
gc()
gc()
const retainedGrowth = process.memoryUsage().heapUsed - baseHeap
await client.close()
process.stdout.write(
  JSON.stringify({ devices, millis, baseHeap, peakHeapGrowth: peak - baseHeap, retainedGrowth }) + "\n"
)
process.exit(0)
