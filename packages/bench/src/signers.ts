/**
 * Benchmark of the two Signer implementations in Node (run by hand; not a test):
 *
 *   pnpm --filter @effect-bunq/bench signers [seconds-per-case] [rounds]
 *
 * Measures sign, verify and PEM import operations per second through the service (sequential, and sign with 8
 * operations in flight), and key generation time. Implementations alternate case by case over several rounds and
 * the median round is reported, so a load spike from other processes hits both alike. `raw node:crypto` is the
 * bare `crypto.sign` / `crypto.verify` loop without Effect, for reference. The key is a fresh 2048-bit RSA key in
 * PKCS#1 PEM, the form bunq's SDK files hold (so `import` includes the PKCS#1 → PKCS#8 wrapping).
 */
import * as NodeSigner from "@effect-bunq/platform-node/NodeSigner"
import type * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import * as Os from "node:os"

const seconds = Number(process.argv[2] ?? "2")
const rounds = Number(process.argv[3] ?? "5")
const keygenRuns = 10
const body = new TextEncoder().encode(JSON.stringify({ description: "x".repeat(1000), amount: "12.50" }))
const testKey = Crypto.generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs1", format: "pem" }
})
const pem = Redacted.make(testKey.privateKey)

/** Operations per wall-clock second and per CPU second of this process (all threads: WebCrypto signs on libuv's
 * thread pool). The CPU figure is robust to other load on the machine; the wall-clock figure is what a caller sees. */
interface Rate {
  readonly wall: number
  readonly cpu: number
}

const cpuSeconds = (): number => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}

const opsPerSecond = (run: Effect.Effect<unknown, unknown>, opsPerRun = 1): Effect.Effect<Rate, unknown> =>
  Effect.gen(function*() {
    for (let i = 0; i < 20; i++) yield* run
    const start = performance.now()
    const cpuStart = cpuSeconds()
    let ops = 0
    while (performance.now() - start < seconds * 1000) {
      for (let i = 0; i < 20; i++) yield* run
      ops += 20 * opsPerRun
    }
    return { wall: ops / ((performance.now() - start) / 1000), cpu: ops / (cpuSeconds() - cpuStart) }
  })

const rawOpsPerSecond = (f: () => unknown): Effect.Effect<Rate> =>
  Effect.sync(() => {
    const start = performance.now()
    const cpuStart = cpuSeconds()
    let ops = 0
    while (performance.now() - start < seconds * 1000) {
      for (let i = 0; i < 20; i++) f()
      ops += 20
    }
    return { wall: ops / ((performance.now() - start) / 1000), cpu: ops / (cpuSeconds() - cpuStart) }
  })

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

type Case = "sign" | "sign x8" | "verify" | "import"

const cases = (signer: Signer.Signer.Service) =>
  Effect.gen(function*() {
    const pair = yield* signer.importPrivateKeyPem(pem)
    const signature = yield* signer.sign(pair.privateKey, body)
    const run: Record<Case, Effect.Effect<Rate>> = {
      "sign": opsPerSecond(signer.sign(pair.privateKey, body)).pipe(Effect.orDie),
      "sign x8": opsPerSecond(
        Effect.all(Array.from({ length: 8 }, () => signer.sign(pair.privateKey, body)), { concurrency: 8 }),
        8
      ).pipe(Effect.orDie),
      "verify": opsPerSecond(signer.verify(pair.publicKeyPem, body, signature)).pipe(Effect.orDie),
      "import": opsPerSecond(signer.importPrivateKeyPem(pem)).pipe(Effect.orDie)
    }
    return run
  })

const program = Effect.gen(function*() {
  const signers = {
    WebCryptoSigner: yield* cases(yield* WebCryptoSigner.make),
    NodeSigner: yield* cases(yield* NodeSigner.make)
  }
  const key = Crypto.createPrivateKey(testKey.privateKey)
  const pub = Crypto.createPublicKey(testKey.publicKey)
  const rawSignature = Crypto.sign("sha256", body, key)
  const raw: Partial<Record<Case, Effect.Effect<Rate>>> = {
    sign: rawOpsPerSecond(() => Crypto.sign("sha256", body, key)),
    verify: rawOpsPerSecond(() => Crypto.verify("sha256", body, pub, rawSignature))
  }
  const results: Record<string, Record<string, Array<number>>> = {}
  const record = (name: string, c: string, value: number) => {
    ;((results[name] ??= {})[c] ??= []).push(value)
  }
  const recordRate = (name: string, c: string, rate: Rate) => {
    record(name, c, rate.wall)
    record(name, `${c} /cpu-s`, rate.cpu)
  }
  for (let round = 0; round < rounds; round++) {
    for (const c of ["sign", "sign x8", "verify", "import"] as const) {
      for (const [name, run] of Object.entries(signers)) recordRate(name, c, yield* run[c])
      const r = raw[c]
      if (r !== undefined) recordRate("raw node:crypto", c, yield* r)
    }
  }
  const keygen = { WebCryptoSigner: yield* WebCryptoSigner.make, NodeSigner: yield* NodeSigner.make }
  for (let i = 0; i < keygenRuns; i++) {
    for (const [name, signer] of Object.entries(keygen)) {
      const start = performance.now()
      yield* Effect.orDie(signer.generateKeyPair())
      record(name, "keygen ms", performance.now() - start)
    }
  }
  console.log(
    `Node ${process.version}, ${Os.cpus().length} CPUs, load ${
      Os.loadavg()[0]!.toFixed(1)
    }, body ${body.length} bytes, ` +
      `RSA-2048; median of ${rounds} rounds of ${seconds}s: ops per wall-clock second and (/cpu-s) per CPU second; ` +
      `keygen: median (min–max) of ${keygenRuns} runs`
  )
  for (const [name, byCase] of Object.entries(results)) {
    const parts: Array<string> = []
    for (const [c, xs] of Object.entries(byCase)) {
      if (c.endsWith(" /cpu-s")) continue
      if (c === "keygen ms") {
        parts.push(`keygen ${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`)
      } else {
        parts.push(`${c} ${median(xs).toFixed(0)} (${median(byCase[`${c} /cpu-s`]!).toFixed(0)}/cpu-s)`)
      }
    }
    console.log(`${name.padEnd(16)} ${parts.join("   ")}`)
  }
})

Effect.runPromise(program).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
