/**
 * SHA-256 (FIPS 180-4) over bytes, synchronous and dependency-free, so fingerprints work the same in Node and in
 * browsers without a Promise (WebCrypto's `digest`) in the way.
 */

/**
 * The round constants `K` (fractional parts of the cube roots of the first 64 primes) and the initial hash value
 * (square roots of the first 8), FIPS 180-4 §4.2.2 and §5.3.3, derived on first use rather than written out: 72
 * literals cost more bundle bytes than this. The tests pin the result against `node:crypto` on random inputs.
 */
let constants: { readonly k: Uint32Array; readonly h0: Uint32Array } | undefined

const fraction32 = (x: number): number => ((x - Math.floor(x)) * 0x1_0000_0000) >>> 0

const getConstants = (): { readonly k: Uint32Array; readonly h0: Uint32Array } => {
  if (constants !== undefined) return constants
  const primes: Array<number> = []
  for (let n = 2; primes.length < 64; n++) {
    if (primes.every((p) => n % p !== 0)) primes.push(n)
  }
  return constants = {
    k: Uint32Array.from(primes, (p) => fraction32(Math.cbrt(p))),
    h0: Uint32Array.from(primes.slice(0, 8), (p) => fraction32(Math.sqrt(p)))
  }
}

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

/** @internal */
export const sha256 = (data: Uint8Array): Uint8Array => {
  const bitLength = data.length * 8
  const paddedLength = Math.ceil((data.length + 9) / 64) * 64
  const padded = new Uint8Array(paddedLength)
  padded.set(data)
  padded[data.length] = 0x80
  const view = new DataView(padded.buffer)
  view.setUint32(paddedLength - 8, Math.floor(bitLength / 0x1_0000_0000))
  view.setUint32(paddedLength - 4, bitLength >>> 0)

  const { h0, k: K } = getConstants()
  const h = h0.slice()
  const w = new Uint32Array(64)
  for (let offset = 0; offset < paddedLength; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4)
    for (let i = 16; i < 64; i++) {
      const w15 = w[i - 15]!
      const w2 = w[i - 2]!
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3)
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10)
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!
    for (let i = 0; i < 64; i++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
      const ch = (e & f) ^ (~e & g)
      const t1 = (hh + S1 + ch + K[i]! + w[i]!) >>> 0
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (S0 + maj) >>> 0
      hh = g
      g = f
      f = e
      e = (d + t1) >>> 0
      d = c
      c = b
      b = a
      a = (t1 + t2) >>> 0
    }
    h[0] = (h[0]! + a) >>> 0
    h[1] = (h[1]! + b) >>> 0
    h[2] = (h[2]! + c) >>> 0
    h[3] = (h[3]! + d) >>> 0
    h[4] = (h[4]! + e) >>> 0
    h[5] = (h[5]! + f) >>> 0
    h[6] = (h[6]! + g) >>> 0
    h[7] = (h[7]! + hh) >>> 0
  }
  const out = new Uint8Array(32)
  const outView = new DataView(out.buffer)
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, h[i]!)
  return out
}

/** @internal */
export const sha256Hex = (text: string): string =>
  Array.from(sha256(new TextEncoder().encode(text)), (byte) => byte.toString(16).padStart(2, "0")).join("")
