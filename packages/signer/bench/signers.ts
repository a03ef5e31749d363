/**
 * Benchmark of the two Signer implementations in Node (run by hand; not a test):
 *
 *   pnpm exec tsx packages/signer/bench/signers.ts [seconds-per-case] [rounds]
 *
 * Measures sign, verify and PEM import operations per second through the service (sequential, and sign with 8
 * operations in flight), and key generation time. Implementations alternate case by case over several rounds and
 * the median round is reported, so a load spike from other processes hits both alike. `raw node:crypto` is the
 * bare `crypto.sign` / `crypto.verify` loop without Effect, for reference. NodeSigner lives in
 * `@effect-bunq/platform-node`; it is imported by relative path because the signer package does not depend on it.
 */
import { Effect, Redacted } from "effect"
import * as Crypto from "node:crypto"
import * as Os from "node:os"
import * as NodeSigner from "../../platform-node/src/NodeSigner.js"
import type * as Signer from "../src/Signer.js"
import * as WebCryptoSigner from "../src/WebCryptoSigner.js"
import vectors from "../test/fixtures/signing-test-vectors.json" with { type: "json" }

const seconds = Number(process.argv[2] ?? "2")
const rounds = Number(process.argv[3] ?? "5")
const keygenRuns = 10
const body = new TextEncoder().encode(JSON.stringify({ description: "x".repeat(1000), amount: "12.50" }))
const pem = Redacted.make(vectors.keys.client_private_key_pem_pkcs1)

const opsPerSecond = (run: Effect.Effect<unknown, unknown>, opsPerRun = 1) =>
  Effect.gen(function*() {
    for (let i = 0; i < 20; i++) yield* run
    const start = performance.now()
    let ops = 0
    while (performance.now() - start < seconds * 1000) {
      for (let i = 0; i < 20; i++) yield* run
      ops += 20 * opsPerRun
    }
    return ops / ((performance.now() - start) / 1000)
  })

const rawOpsPerSecond = (f: () => unknown) =>
  Effect.sync(() => {
    const start = performance.now()
    let ops = 0
    while (performance.now() - start < seconds * 1000) {
      for (let i = 0; i < 20; i++) f()
      ops += 20
    }
    return ops / ((performance.now() - start) / 1000)
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
    const run: Record<Case, Effect.Effect<number>> = {
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
  const key = Crypto.createPrivateKey(vectors.keys.client_private_key_pem_pkcs1)
  const pub = Crypto.createPublicKey(vectors.keys.client_public_key_pem_spki)
  const rawSignature = Crypto.sign("sha256", body, key)
  const raw: Partial<Record<Case, Effect.Effect<number>>> = {
    sign: rawOpsPerSecond(() => Crypto.sign("sha256", body, key)),
    verify: rawOpsPerSecond(() => Crypto.verify("sha256", body, pub, rawSignature))
  }
  const results: Record<string, Record<string, Array<number>>> = {}
  const record = (name: string, c: string, value: number) => {
    ;((results[name] ??= {})[c] ??= []).push(value)
  }
  for (let round = 0; round < rounds; round++) {
    for (const c of ["sign", "sign x8", "verify", "import"] as const) {
      for (const [name, run] of Object.entries(signers)) record(name, c, yield* run[c])
      const r = raw[c]
      if (r !== undefined) record("raw node:crypto", c, yield* r)
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
      `RSA-2048; median of ${rounds} rounds of ${seconds}s (ops/s); keygen: median (min–max) of ${keygenRuns} runs`
  )
  for (const [name, byCase] of Object.entries(results)) {
    const parts = Object.entries(byCase).map(([c, xs]) =>
      c === "keygen ms"
        ? `keygen ${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`
        : `${c} ${median(xs).toFixed(0)}`
    )
    console.log(`${name.padEnd(16)} ${parts.join("   ")}`)
  }
})

Effect.runPromise(program).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
