/**
 * Access granted to others, checked against the protocol with plain `fetch` and `node:crypto`: PSD2 credentials
 * (the certificate and `client_public_key_signature` verified with its key) and the OAuth host (the authorization page,
 * both token endpoints, codes that work once and expire). Certificates are made at test time, never committed.
 */
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as Certificate from "@effect-bunq/signer/Certificate"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClientRequest } from "@effect/platform"
import { afterAll, assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Redacted, TestClock } from "effect"
import { call, makeKeys, signBytes } from "./utils/raw.js"
import type { Running } from "./utils/server.js"
import { startServer } from "./utils/server.js"

const encoder = new TextEncoder()

describe("PSD2 credentials and the OAuth host over loopback", () => {
  let server: Running
  let root: Certificate.TestCertificate
  let leaf: Certificate.TestCertificate
  let expired: Certificate.TestCertificate
  beforeAll(async () => {
    server = await startServer()
    root = await Effect.runPromise(Certificate.makeTest({ commonName: "Emulated QTSP Root", country: "NL" }))
    leaf = await Effect.runPromise(
      Certificate.makeTest({ commonName: "Test App PISP AISP", country: "NL", issuer: root })
    )
    expired = await Effect.runPromise(Certificate.makeTest({
      commonName: "Old App PISP",
      issuer: root,
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000)
    }))
  })
  afterAll(() => server.close())

  /** A fresh installation; the credential request signed by the installation key, its signature by `signer`. */
  const credential = async (
    certificate: Certificate.TestCertificate,
    signer: string,
    options: { sign?: boolean } = {}
  ) => {
    const keys = makeKeys()
    const installation = await call(`${server.url}/installation`, {
      method: "POST",
      body: { client_public_key: keys.publicKeyPem }
    })
    const token: string = installation.json.Response[1].Token.token
    const signature = signBytes(signer, encoder.encode(`${keys.publicKeyPem}\n${token}`))
    const response = await call(`${server.url}/payment-service-provider-credential`, {
      method: "POST",
      body: {
        client_payment_service_provider_certificate: certificate.certificatePem,
        client_payment_service_provider_certificate_chain: root.certificatePem,
        client_public_key_signature: signature
      },
      token,
      ...(options.sign === false ? {} : { signWith: keys.privateKeyPem })
    })
    return { response, keys, token }
  }

  it("a signed credential request with the certificate's signature: an API key for a UserPaymentServiceProvider", async () => {
    const { keys, response, token } = await credential(leaf, Redacted.value(leaf.privateKeyPem))
    expect(response.status).toBe(200)
    const created = response.json.Response[0].CredentialPasswordIp
    expect(created.status).toBe("PENDING_FIRST_USE")
    expect(created.token_value).toMatch(/^[0-9a-f]{64}$/)
    const device = await call(`${server.url}/device-server`, {
      method: "POST",
      body: { description: "psd2", secret: created.token_value },
      token,
      signWith: keys.privateKeyPem
    })
    expect(device.status).toBe(200)
    const session = await call(`${server.url}/session-server`, {
      method: "POST",
      body: { secret: created.token_value },
      token,
      signWith: keys.privateKeyPem
    })
    expect(session.status).toBe(200)
    const user = session.json.Response[2].UserPaymentServiceProvider
    expect(user.certificate_distinguished_name).toBe("C=NL, CN=Test App PISP AISP")
  })

  it("refused: a signature by another key, an expired certificate, no request signature, not a certificate", async () => {
    const otherKey = await credential(leaf, Redacted.value(root.privateKeyPem))
    expect(otherKey.response.status).toBe(400)
    expect(otherKey.response.json.Error[0].error_description).toContain("could not be verified")
    const old = await credential(expired, Redacted.value(expired.privateKeyPem))
    expect(old.response.status).toBe(400)
    expect(old.response.json.Error[0].error_description).toContain("expired")
    const unsigned = await credential(leaf, Redacted.value(leaf.privateKeyPem), { sign: false })
    expect(unsigned.response.status).toBe(466)
    const garbage = await credential({
      ...leaf,
      certificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    }, Redacted.value(leaf.privateKeyPem))
    expect(garbage.response.status).toBe(400)
  })

  it("the authorization page, then each token endpoint: plain JSON, unsigned; a code works once", async () => {
    const owner = await server.run(server.emulator.createSandboxUser())
    const alice = await server.run(server.emulator.createSandboxUser())
    const client = await server.run(
      server.emulator.createOAuthClient({ owner, redirectUris: ["https://app.example/cb"] })
    )
    const origin = new URL(server.url).origin
    const authorize = new URL(`${origin}/oauth/auth`)
    for (
      const [key, value] of Object.entries({
        response_type: "code",
        client_id: client.clientId,
        redirect_uri: "https://app.example/cb",
        state: "s-1"
      })
    ) authorize.searchParams.set(key, value)
    const page = await fetch(authorize)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain(`user ${alice.id}`)
    const accept = html.match(new RegExp(`user ${alice.id}: <a href="([^"]+)"`))![1]!.replaceAll("&#38;", "&")
    const decided = await fetch(new URL(accept, authorize), { redirect: "manual" })
    expect(decided.status).toBe(302)
    const back = new URL(decided.headers.get("location")!)
    expect(`${back.origin}${back.pathname}`).toBe("https://app.example/cb")
    expect(back.searchParams.get("state")).toBe("s-1")
    const code = back.searchParams.get("code")!

    const query = new URL(`${origin}/oauth/v1/token`)
    for (
      const [key, value] of Object.entries({
        grant_type: "authorization_code",
        code,
        redirect_uri: "https://app.example/cb",
        client_id: client.clientId,
        client_secret: Redacted.value(client.clientSecret)
      })
    ) query.searchParams.set(key, value)
    const token = await fetch(query, { method: "POST" })
    expect(token.status).toBe(200)
    expect(token.headers.get("x-bunq-server-signature")).toBeNull()
    const body = await token.json()
    expect(body).toMatchObject({ token_type: "bearer", state: "s-1" })
    expect(body.access_token).toMatch(/^[0-9a-f]{64}$/)
    // the log keeps the request, never the code or the client secret
    const logged = (await server.run(server.emulator.log)).filter((entry) => entry.path === "/oauth/v1/token")
    expect(logged.map((entry) => entry.status)).toEqual([200])
    expect(logged[0]!.query).toContain("client_secret=REDACTED")
    expect(logged[0]!.query).not.toContain(code)
    expect(logged[0]!.query).not.toContain(Redacted.value(client.clientSecret))
    const again = await fetch(query, { method: "POST" })
    expect(again.status).toBe(400)
    expect(await again.json()).toEqual({
      error: "invalid_grant",
      error_description: "The authorization code is invalid or expired."
    })

    // the form endpoint, with a new code; a bad page request is a 400
    const form = await server.run(server.emulator.authorizeOAuth({ url: authorize.toString(), user: alice }))
    const formCode = new URL(form).searchParams.get("code")!
    const formToken = await fetch(`${origin}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...Object.fromEntries(query.searchParams), code: formCode }).toString()
    })
    expect(formToken.status).toBe(200)
    authorize.searchParams.set("redirect_uri", "https://evil.example/")
    expect((await fetch(authorize)).status).toBe(400)
  })
})

describe("OAuth codes expire", () => {
  it.effect("a code is refused ten minutes after consent, by the emulator's Clock", () =>
    Effect.gen(function*() {
      const signer = yield* WebCryptoSigner.make
      const emulator = yield* BunqEmulator.make().pipe(Effect.provideService(Signer.Signer, signer))
      const http = BunqEmulator.makeHttpClient(emulator)
      const alice = yield* emulator.createSandboxUser()
      const client = yield* emulator.createOAuthClient({ redirectUris: ["https://app.example/cb"] })
      const url = `http://bunq-emulator.localhost/oauth/auth?response_type=code&client_id=${client.clientId}` +
        `&redirect_uri=${encodeURIComponent("https://app.example/cb")}&state=x`
      const exchange = (code: string) =>
        Effect.flatMap(
          http.execute(
            HttpClientRequest.post("http://bunq-emulator.localhost/oauth/v1/token").pipe(
              HttpClientRequest.setUrlParams({
                grant_type: "authorization_code",
                code,
                redirect_uri: "https://app.example/cb",
                client_id: client.clientId,
                client_secret: Redacted.value(client.clientSecret)
              })
            )
          ),
          (response) => Effect.map(response.json, (json) => ({ status: response.status, json }))
        )
      const codeOf = (redirect: string) => new URL(redirect).searchParams.get("code")!
      const fresh = codeOf(yield* emulator.authorizeOAuth({ url, user: alice }))
      const stale = codeOf(yield* emulator.authorizeOAuth({ url, user: alice }))
      yield* TestClock.adjust(Duration.minutes(9))
      assert.strictEqual((yield* exchange(fresh)).status, 200)
      yield* TestClock.adjust(Duration.minutes(2))
      const refused = yield* exchange(stale)
      assert.strictEqual(refused.status, 400)
      assert.deepStrictEqual(refused.json, {
        error: "invalid_grant",
        error_description: "The authorization code is invalid or expired."
      })
      // a URL that is not an authorization URL is refused
      const denied = yield* Effect.flip(emulator.authorizeOAuth({ url: "not a url", user: alice }))
      assert.strictEqual(denied._tag, "OAuthAuthorizationError")
    }))
})
