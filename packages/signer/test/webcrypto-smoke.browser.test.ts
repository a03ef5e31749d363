import { describe, expect, it } from "vitest"

// Smoke test of the platform itself: Chromium's WebCrypto does RSASSA-PKCS1-v1_5/SHA-256 in a secure context.
describe("WebCrypto in Chromium", () => {
  it("signs and verifies RSASSA-PKCS1-v1_5 SHA-256, and rejects a flipped bit", async () => {
    expect(globalThis.isSecureContext).toBe(true)
    const algorithm = {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256"
    }
    const pair = await crypto.subtle.generateKey(algorithm, false, ["sign", "verify"])
    const body = new TextEncoder().encode("{\"description\":\"Café €\"}")
    const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pair.privateKey, body))
    expect(signature.length).toBe(256)
    expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", pair.publicKey, signature, body)).toBe(true)
    const flipped = body.slice()
    flipped[0] = flipped[0]! ^ 1
    expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", pair.publicKey, signature, flipped)).toBe(false)
    expect(pair.privateKey.extractable).toBe(false)
  })
})
