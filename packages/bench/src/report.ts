/**
 * Turn the measurements into the console tables and `docs/performance.md` (its "Method" section, the prose that
 * explains the tables, is in `method.ts`).
 */
import type { BrowserResult } from "./browser.js"
import type * as Contenders from "./contenders.js"
import { methodNotes } from "./method.js"
import * as Phases from "./phases.js"
import { kb, mb, median, ms, quantile, ratio, table } from "./stats.js"

export interface Batch {
  readonly latencies: Array<number>
  readonly wallMillis: number
  readonly cpuMicros: number
  readonly requests: number
  /** Requests that had not settled after 30 s (left behind; not in the latencies or the throughput). */
  readonly stalled: number
  /** Requests that failed (rejected); not in the latencies. */
  readonly failed: number
}

export type Operation = "GET" | "POST"
export type Mode = "sequential" | "16 in flight"

export interface RequestResult {
  readonly operation: Operation
  readonly mode: Mode
  /** Per contender, one batch per round. */
  readonly batches: Record<Contenders.Name, Array<Batch>>
}

/** The phases of sequential requests, ours and the baseline, over all rounds. */
export interface PhaseResult {
  readonly operation: Operation
  readonly timelines: Record<Phases.Contender, Array<Phases.Timeline>>
}

export interface Listing {
  readonly devices: number
  readonly millis: number
  readonly baseHeap: number
  readonly peakHeapGrowth: number
  readonly retainedGrowth: number
}

export interface Input {
  readonly quick: boolean
  readonly started: Date
  readonly finished: Date
  readonly commit: string
  readonly machine: { nproc: number; cpu: string; node: string; os: string; load: string }
  readonly config: Record<string, number>
  readonly requests: ReadonlyArray<RequestResult>
  readonly phases: ReadonlyArray<PhaseResult>
  /** Effect operations evaluated per call by ours (`Client.effectOps`). */
  readonly effectOps: Record<Operation, number>
  readonly bootstrap: Record<Contenders.Name, Array<number>>
  readonly restore: Record<Contenders.Name, Array<number>>
  readonly listing: Record<Contenders.Name, Listing>
  readonly browser: BrowserResult
}

const names: ReadonlyArray<Contenders.Name> = ["baseline", "ours", "bunqJSClient"]

const summarize = (all: ReadonlyArray<Batch>) => {
  const batches = all.filter((b) => b.stalled === 0)
  const latencies = batches.flatMap((b) => b.latencies)
  const requests = batches.reduce((a, b) => a + b.requests, 0)
  const wall = batches.reduce((a, b) => a + b.wallMillis, 0)
  const cpu = batches.reduce((a, b) => a + b.cpuMicros, 0)
  return {
    requests,
    stalled: all.reduce((a, b) => a + b.stalled, 0),
    failed: all.reduce((a, b) => a + b.failed, 0),
    median: median(latencies),
    p99: quantile(latencies, 0.99),
    throughput: (requests / wall) * 1000,
    cpuMillis: cpu / requests / 1000
  }
}

/** The time one request costs in a batch: its median latency when sequential, wall time / requests in flight. */
const perRequest = (batch: Batch, mode: Mode) =>
  mode === "sequential" ? median(batch.latencies) : batch.wallMillis / batch.requests

/** Median over rounds of the per-round ratio a/b (each round ran both back to back). */
const roundRatio = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): Spread => {
  const ratios = a.slice(0, Math.min(a.length, b.length)).map((x, i) => x / b[i]!).filter((r) => !Number.isNaN(r))
  return { median: median(ratios), low: quantile(ratios, 0.25), high: quantile(ratios, 0.75) }
}

/** A median over rounds with the interquartile range of the rounds around it. */
interface Spread {
  readonly median: number
  readonly low: number
  readonly high: number
}

/** `1.23× (1.10–1.31)`: the median, then the middle half of the rounds. */
const spread = (r: Spread): string =>
  Number.isNaN(r.median) ? "n/a" : `${ratio(r.median)} (${r.low.toFixed(2)}–${r.high.toFixed(2)})`

const cpuOf = (batch: Batch) => batch.cpuMicros / batch.requests

export interface Target {
  readonly target: string
  readonly value: string
  readonly holds: boolean
}

export const render = (input: Input): { console: string; markdown: string } => {
  const requestRows: Array<Array<string>> = []
  const ratioRows: Array<Array<string>> = []
  const ratios = new Map<
    string,
    { oursBaseline: Spread; bunqOurs: Spread; cpuOursBaseline: Spread; cpuBunqOurs: Spread }
  >()
  for (const result of input.requests) {
    for (const name of names) {
      const s = summarize(result.batches[name])
      requestRows.push([
        `${result.operation} ${result.mode}`,
        name,
        String(s.requests) + (s.failed === 0 ? "" : ` (+${s.failed} failed)`) +
        (s.stalled === 0 ? "" : ` (+${s.stalled} stalled)`),
        ms(s.median),
        ms(s.p99),
        s.throughput.toFixed(0),
        ms(s.cpuMillis)
      ])
    }
    // Round by round; a stalled batch (and the rounds the client then sat out) leaves a gap that is skipped.
    const clean = (name: Contenders.Name, f: (batch: Batch) => number) =>
      Array.from({ length: result.batches.baseline.length }, (_, i) => {
        const batch = result.batches[name][i]
        return batch === undefined || batch.stalled > 0 ? Number.NaN : f(batch)
      })
    const time = (name: Contenders.Name) => clean(name, (b) => perRequest(b, result.mode))
    const cpu = (name: Contenders.Name) => clean(name, cpuOf)
    const r = {
      oursBaseline: roundRatio(time("ours"), time("baseline")),
      bunqOurs: roundRatio(time("bunqJSClient"), time("ours")),
      cpuOursBaseline: roundRatio(cpu("ours"), cpu("baseline")),
      cpuBunqOurs: roundRatio(cpu("bunqJSClient"), cpu("ours"))
    }
    ratios.set(`${result.operation} ${result.mode}`, r)
    ratioRows.push([
      `${result.operation} ${result.mode}`,
      spread(r.oursBaseline),
      spread(r.bunqOurs),
      spread(r.cpuOursBaseline),
      spread(r.cpuBunqOurs)
    ])
  }

  const phaseRows = input.phases.flatMap((result) => {
    const medians = (name: Phases.Contender) => {
      const timelines = result.timelines[name]
      return [
        ...Phases.names.map((phase) => median(timelines.map((t) => t[phase]))),
        median(timelines.map((t) => Phases.names.reduce((total, phase) => total + t[phase], 0)))
      ]
    }
    const baseline = medians("baseline")
    const ours = medians("ours")
    const n = (name: Phases.Contender) => String(result.timelines[name].length)
    return [
      [result.operation, "baseline", n("baseline"), ...baseline.map(ms)],
      [result.operation, "ours", n("ours"), ...ours.map(ms)],
      [result.operation, "ours − baseline", "", ...ours.map((value, i) => ms(value - baseline[i]!))]
    ]
  })

  const lifecycleRows = (["bootstrap", "restore"] as const).map((what) => {
    const data = input[what]
    return [
      what,
      ...names.map((name) => `${ms(median(data[name]))} (n=${data[name].length})`),
      spread(roundRatio(data.ours, data.baseline)),
      ratio(median(data.bunqJSClient) / median(data.ours))
    ]
  })

  const listingRows = names.map((name) => {
    const l = input.listing[name]
    return [name, String(l.devices), ms(l.millis), mb(l.peakHeapGrowth), mb(l.retainedGrowth)]
  })

  const browserRows = (["ours", "bunqJSClient", "floor"] as const).map((name) => {
    const b = input.browser[name]
    const label = name === "floor" ? "floor: `@effect/platform` `FetchHttpClient` alone" : name
    return [label, kb(b.bytes), kb(b.gzipBytes), b.stubbed.length === 0 ? "none" : b.stubbed.join(", ")]
  })
  const ownGzip = input.browser.ours.gzipBytes - input.browser.floor.gzipBytes

  const get = ratios.get("GET sequential")!
  const post = ratios.get("POST sequential")!
  const getC = ratios.get("GET 16 in flight")!
  const postC = ratios.get("POST 16 in flight")!
  const bootstrapRatio = roundRatio(input.bootstrap.ours, input.bootstrap.baseline)
  const restoreRatio = roundRatio(input.restore.ours, input.restore.baseline)
  const targets: Array<Target> = [
    {
      target: "signed GET, sequential: ours ≤ 1.3 × baseline",
      value: spread(get.oursBaseline),
      holds: get.oursBaseline.median <= 1.3
    },
    {
      target: "signed POST, sequential: ours ≤ 1.3 × baseline",
      value: spread(post.oursBaseline),
      holds: post.oursBaseline.median <= 1.3
    },
    {
      target: "signed GET, 16 in flight: ours ≤ 1.3 × baseline",
      value: spread(getC.oursBaseline),
      holds: getC.oursBaseline.median <= 1.3
    },
    {
      target: "signed POST, 16 in flight: ours ≤ 1.3 × baseline",
      value: spread(postC.oursBaseline),
      holds: postC.oursBaseline.median <= 1.3
    },
    {
      target: "Effect operations per signed GET ≤ 120",
      value: input.effectOps.GET.toFixed(0),
      holds: input.effectOps.GET <= 120
    },
    {
      target: "restore: ours ≤ 1.5 × baseline",
      value: spread(restoreRatio),
      holds: restoreRatio.median <= 1.5
    },
    {
      target: "signed POST, sequential: ≥ 20 × faster than bunqJSClient",
      value: spread(post.bunqOurs),
      holds: post.bunqOurs.median >= 20
    },
    {
      target: "signed POST, 16 in flight: ≥ 20 × faster than bunqJSClient",
      value: spread(postC.bunqOurs),
      holds: postC.bunqOurs.median >= 20
    },
    {
      target: "bootstrap: ours ≤ 1.2 × baseline",
      value: spread(bootstrapRatio),
      holds: bootstrapRatio.median <= 1.2
    },
    {
      target: "browser bundle ≤ 100 KB gzipped",
      value: kb(input.browser.ours.gzipBytes),
      holds: input.browser.ours.gzipBytes <= 100 * 1024
    },
    {
      target: "browser bundle smaller than bunqJSClient's",
      value: `${kb(input.browser.ours.gzipBytes)} vs ${kb(input.browser.bunqJSClient.gzipBytes)}`,
      holds: input.browser.ours.gzipBytes < input.browser.bunqJSClient.gzipBytes
    },
    {
      target: `listing ${input.listing.ours.devices} devices: peak heap growth < 30 MB`,
      value: mb(input.listing.ours.peakHeapGrowth),
      holds: input.listing.ours.peakHeapGrowth < 30 * 1024 * 1024
    }
  ]
  const targetRows = targets.map((t) => [t.target, t.value, t.holds ? "holds" : "MISSED"])

  const tables = [
    "## Signed requests (client latency in ms, throughput in requests/s, client CPU ms per request)\n",
    table(["request", "client", "n", "median", "p99", "req/s", "CPU ms/req"], requestRows),
    "\n## Ratios from interleaved rounds (median of per-round ratios, and in brackets the middle half of the rounds; time = median latency sequentially, wall time per request at 16 in flight)\n",
    table(
      ["request", "ours/baseline time", "bunqJSClient/ours time", "ours/baseline CPU", "bunqJSClient/ours CPU"],
      ratioRows
    ),
    "\n## Where a sequential request's time goes (ms, median per phase; undici's diagnostics channels, ours and the baseline)\n",
    table(["request", "client", "n", ...Phases.names, "total"], phaseRows),
    `\nEffect operations the fiber runtime evaluates per call of ours (counted by a supervisor; independent of the ` +
    `machine's load): signed GET ${input.effectOps.GET.toFixed(0)}, signed POST ${input.effectOps.POST.toFixed(0)}.\n`,
    "\n## API context (ms, median)\n",
    table(["", "baseline", "ours", "bunqJSClient", "ours/baseline", "bunqJSClient/ours"], lifecycleRows),
    "\n## Listing every device page by page (200 per page), one child process per client\n",
    table(["client", "devices", "time ms", "peak heap growth", "retained after GC"], listingRows),
    "\n## Browser weight (esbuild, minified, gzip -9)\n",
    table(["app", "minified", "gzipped", "Node built-ins stubbed"], browserRows),
    `\neffect-bunq's own share (ours − floor): ${kb(ownGzip)} gzipped.\n`,
    "\n## Targets (a ratio is the median of the rounds; in brackets, the middle half of the rounds)\n",
    table(["target", "measured", ""], targetRows)
  ].join("\n")

  const m = input.machine
  const header = [
    "# Performance",
    "",
    "<!-- Generated by `pnpm bench` (packages/bench/src/main.ts); edit the generator, not this file. -->",
    "",
    `effect-bunq (\`BunqNode.layer\` + \`@effect-bunq/device-server\` programs) against a hand-written baseline ` +
    "that does only what the protocol requires, and against bunqJSClient 1.1.2 (`@bunq-community/bunq-js-client`), " +
    "all talking to the same emulator over loopback.",
    "",
    `- Command: \`${input.quick ? "BENCH_QUICK=1 " : ""}pnpm bench\`${
      input.quick ? " (quick smoke run: few iterations, numbers are rough)" : ""
    }`,
    `- Date: ${input.started.toISOString()} (took ${
      ((input.finished.getTime() - input.started.getTime()) / 1000).toFixed(0)
    } s), commit ${input.commit}`,
    `- Machine: ${m.nproc} × ${m.cpu} (\`nproc\` ${m.nproc}), ${m.os}, Node ${m.node}, load average at the end ${m.load}`,
    `- Iterations: ${Object.entries(input.config).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    ""
  ].join("\n")

  return {
    console: `${header}\n${tables}\n`,
    markdown: `${header}\n${tables}\n\n${methodNotes}\n`
  }
}
