/**
 * The OAuth steps against a recording transport: the authorization URL and its state, the redirect checks, both
 * token request forms as bunq documents them, bunq's OAuth errors, and no secret in a span or an error.
 * (The whole round trip on the emulator is in `OAuth.emulator.test.ts`.)
 */
import { FetchHttpClient, HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Inspectable, Layer, Redacted, TestClock } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { makeRecordingTracer } from "../../http/test/utils/recordingTracer.js"
import * as OAuth from "../src/OAuth.js"

interface Sent {
  readonly method: string
  readonly url: URL
  readonly contentType: string | undefined
  readonly body: string
}

/** An `HttpClient` that records each request and answers with `reply`. */
const recording = (reply: (sent: Sent) => Response | "fail") => {
  const sent: Array<Sent> = []
  const client = HttpClient.make((request: HttpClientRequest.HttpClientRequest, url) =>
    Effect.gen(function*() {
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      const entry = { method: request.method, url, contentType: request.headers["content-type"], body }
      sent.push(entry)
      const answer = reply(entry)
      if (answer === "fail") {
        return yield* new HttpClientError.RequestError({ request, reason: "Transport", description: "refused" })
      }
      return HttpClientResponse.fromWeb(request, answer)
    })
  )
  return { sent, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

const secret = "184f969765f6f74f53bf563ae3e9f891aec9179157601d25221d57f2f1151fd5"
const code = "7d272be434a75933f40c13d56aef6c31496005b653074f7d6ac57029d9995d30"
const token = "8baec0ac1aafca3345d5b811042feecfe0272514c5d09a69b5fbc84cb1c06029"

const client = (tokenRequest: OAuth.TokenRequest = "query"): OAuth.Client => ({
  clientId: "1cc540b6e7a4fa3a862620d0751771500ed453b0bef89cd60e36b7db6260f813",
  clientSecret: Redacted.make(secret),
  redirectUri: "https://www.bunq.com/",
  endpoints: OAuth.endpoints("production", tokenRequest)
})

describe("OAuth", () => {
  it("bunq's endpoints per environment and token request form", () => {
    assert.deepStrictEqual(OAuth.endpoints("production"), {
      authorizeUrl: "https://oauth.bunq.com/auth",
      tokenUrl: "https://api.oauth.bunq.com/v1/token",
      tokenRequest: "query"
    })
    assert.deepStrictEqual(OAuth.endpoints("sandbox"), {
      authorizeUrl: "https://oauth.sandbox.bunq.com/auth",
      tokenUrl: "https://api-oauth.sandbox.bunq.com/v1/token",
      tokenRequest: "query"
    })
    assert.strictEqual(OAuth.endpoints("production", "form").tokenUrl, "https://oauth.bunq.com/token")
    assert.deepStrictEqual(OAuth.customEndpoints("http://127.0.0.1:8080/oauth/", "form"), {
      authorizeUrl: "http://127.0.0.1:8080/oauth/auth",
      tokenUrl: "http://127.0.0.1:8080/oauth/token",
      tokenRequest: "form"
    })
  })

  it.effect("authorize: the documented parameters and a fresh 256-bit state each time", () =>
    Effect.gen(function*() {
      const first = yield* OAuth.authorize(client())
      const second = yield* OAuth.authorize(client())
      assert.match(first.state, /^[0-9a-f]{64}$/)
      assert.notStrictEqual(first.state, second.state)
      const url = new URL(first.url)
      assert.strictEqual(url.origin + url.pathname, "https://oauth.bunq.com/auth")
      assert.deepStrictEqual(Object.fromEntries(url.searchParams), {
        response_type: "code",
        client_id: client().clientId,
        redirect_uri: "https://www.bunq.com/",
        state: first.state
      })
    }))

  it.effect("parseCallback: the code when the state is ours; a typed error for anything else", () =>
    Effect.gen(function*() {
      const state = "594f5548-6dfb-4b02-8620-08e03a9469e6"
      const ok = yield* OAuth.parseCallback(`https://www.bunq.com/?code=${code}&state=${state}`, state)
      assert.strictEqual(Redacted.value(ok), code)
      assert.strictEqual(Redacted.value(yield* OAuth.parseCallback(`?code=${code}&state=${state}`, state)), code)
      assert.strictEqual(
        Redacted.value(yield* OAuth.parseCallback(new URL(`https://x.example/cb?state=${state}&code=abc`), state)),
        "abc"
      )
      const reasonOf = (callback: string, expected = state) =>
        Effect.map(Effect.flip(OAuth.parseCallback(callback, expected)), (error) => error.reason)
      assert.strictEqual(yield* reasonOf(`https://www.bunq.com/?code=${code}&state=${state}x`), "StateMismatch")
      assert.strictEqual(yield* reasonOf(`https://www.bunq.com/?code=${code}`), "StateMismatch")
      assert.strictEqual(yield* reasonOf(`https://www.bunq.com/?code=${code}&state=`, ""), "StateMismatch")
      // a forged redirect reporting a denial is still a state mismatch: nothing of it is trusted
      assert.strictEqual(yield* reasonOf(`https://www.bunq.com/?error=access_denied&state=other`), "StateMismatch")
      assert.strictEqual(
        yield* reasonOf(`https://www.bunq.com/?error=access_denied&state=${state}`),
        "AuthorizationDenied"
      )
      assert.strictEqual(yield* reasonOf(`https://www.bunq.com/?state=${state}`), "MissingCode")
      const mismatch = yield* Effect.flip(OAuth.parseCallback(`?code=${code}&state=nope`, state))
      assert.notInclude(mismatch.message, code)
    }))

  it.effect("parseCallback: a request path (Node's req.url), a bare query string, a fragment", () =>
    Effect.gen(function*() {
      const state = "594f5548-6dfb-4b02-8620-08e03a9469e6"
      const codeOf = (callback: string) => Effect.map(OAuth.parseCallback(callback, state), Redacted.value)
      // the path's first parameter is `code`, not `/cb?code`
      assert.strictEqual(yield* codeOf(`/bunq/callback?code=${code}&state=${state}`), code)
      assert.strictEqual(yield* codeOf(`/cb?state=${state}&code=${code}`), code)
      assert.strictEqual(yield* codeOf(`cb?code=${code}&state=${state}`), code)
      assert.strictEqual(yield* codeOf(`code=${code}&state=${state}`), code)
      assert.strictEqual(yield* codeOf(`  https://app.example/cb?code=${code}&state=${state}#done \n`), code)
      assert.strictEqual(yield* codeOf(`/cb?code=${code}&state=${state}#frag`), code)
      const reasonOf = (callback: string) =>
        Effect.map(Effect.flip(OAuth.parseCallback(callback, state)), (error) => error.reason)
      assert.strictEqual(yield* reasonOf(`/cb?state=${state}`), "MissingCode")
      assert.strictEqual(yield* reasonOf(`/cb?error=access_denied&state=${state}`), "AuthorizationDenied")
      assert.strictEqual(yield* reasonOf(`/cb?code=${code}&state=other`), "StateMismatch")
      // a path or URL without a query carries nothing
      assert.strictEqual(yield* reasonOf("/cb"), "StateMismatch")
      assert.strictEqual(yield* reasonOf("https://app.example/cb"), "StateMismatch")
    }))

  it.effect("exchange, query form: POST api.oauth.bunq.com/v1/token with query variables and no body", () =>
    Effect.gen(function*() {
      const { layer, sent } = recording(() => json(200, { access_token: token, token_type: "bearer", state: "s" }))
      const result = yield* Effect.provide(OAuth.exchange(client(), Redacted.make(code)), layer)
      assert.strictEqual(Redacted.value(result.accessToken), token)
      assert.strictEqual(result.tokenType, "bearer")
      assert.strictEqual(sent.length, 1)
      const request = sent[0]!
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.url.origin + request.url.pathname, "https://api.oauth.bunq.com/v1/token")
      assert.deepStrictEqual(Object.fromEntries(request.url.searchParams), {
        grant_type: "authorization_code",
        code,
        redirect_uri: "https://www.bunq.com/",
        client_id: client().clientId,
        client_secret: secret
      })
      assert.strictEqual(request.body, "")
    }))

  it.effect("exchange, form: POST oauth.bunq.com/token with a form body and no query", () =>
    Effect.gen(function*() {
      const { layer, sent } = recording(() => json(200, { access_token: token, token_type: "bearer" }))
      const result = yield* Effect.provide(OAuth.exchange(client("form"), Redacted.make(code)), layer)
      assert.strictEqual(Redacted.value(result.accessToken), token)
      const request = sent[0]!
      assert.strictEqual(request.url.toString(), "https://oauth.bunq.com/token")
      assert.strictEqual(request.contentType, "application/x-www-form-urlencoded")
      assert.deepStrictEqual(Object.fromEntries(new URLSearchParams(request.body)), {
        grant_type: "authorization_code",
        code,
        redirect_uri: "https://www.bunq.com/",
        client_id: client().clientId,
        client_secret: secret
      })
    }))

  it.effect("bunq's OAuth errors, a bad answer and no answer are typed errors without a secret in them", () =>
    Effect.gen(function*() {
      const failWith = (reply: Response | "fail") =>
        Effect.flip(Effect.provide(OAuth.exchange(client(), Redacted.make(code)), recording(() => reply).layer))
      const grant = yield* failWith(
        json(400, { error: "invalid_grant", error_description: "The authorization code is invalid or expired." })
      )
      assert.strictEqual(grant.reason, "InvalidGrant")
      assert.strictEqual(grant.status, 400)
      assert.strictEqual(grant.error, "invalid_grant")
      assert.include(grant.message, "The authorization code is invalid or expired.")
      assert.strictEqual((yield* failWith(json(401, { error: "invalid_client" }))).reason, "InvalidClient")
      assert.strictEqual((yield* failWith(json(400, { error: "unsupported_grant_type" }))).reason, "Rejected")
      const html = yield* failWith(new Response("<html>bad gateway</html>", { status: 502 }))
      assert.strictEqual(html.reason, "UnexpectedResponse")
      assert.strictEqual(html.status, 502)
      assert.strictEqual((yield* failWith(json(200, { token_type: "bearer" }))).reason, "UnexpectedResponse")
      const transport = yield* failWith("fail")
      assert.strictEqual(transport.reason, "Transport")
      for (const error of [grant, html, transport]) {
        const printed = `${error.message} ${Inspectable.format(error)} ${JSON.stringify(error)}`
        assert.notInclude(printed, secret)
        assert.notInclude(printed, code)
      }
    }))

  it.effect("an empty client id, secret or code, or an endpoint that is not a URL: refused before anything is sent", () =>
    Effect.gen(function*() {
      const { layer, sent } = recording(() => json(200, { access_token: token }))
      const refusal = (client: OAuth.Client, given = code) =>
        Effect.flip(Effect.provide(OAuth.exchange(client, Redacted.make(given)), layer))
      const emptySecret = yield* refusal({ ...client(), clientSecret: Redacted.make("") })
      assert.strictEqual(emptySecret.reason, "InvalidClient")
      assert.include(emptySecret.message, "the client secret is empty")
      assert.strictEqual((yield* refusal({ ...client(), clientSecret: Redacted.make(" \n") })).reason, "InvalidClient")
      assert.include((yield* refusal({ ...client(), clientId: "" })).message, "the client id is empty")
      assert.strictEqual((yield* refusal(client(), "")).reason, "MissingCode")
      const badEndpoint = yield* refusal({ ...client(), endpoints: OAuth.customEndpoints("not a url") })
      assert.strictEqual(badEndpoint.reason, "InvalidEndpoint")
      assert.deepStrictEqual(sent, [])

      // authorize with an authorization endpoint that is not a URL: a typed error, not a thrown TypeError
      const authorize = yield* Effect.flip(OAuth.authorize({ ...client(), endpoints: OAuth.customEndpoints("nope") }))
      assert.strictEqual(authorize.reason, "InvalidEndpoint")
      assert.include(authorize.message, "nope/auth")
    }))

  it.scoped("a token endpoint that sends its headers and stalls in the body: Transport after 30 s (127.0.0.1)", () =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.async<Http.Server>((resume) => {
          const server = Http.createServer((_request, response) => {
            response.writeHead(200, { "content-type": "application/json" })
            response.write("{\"access_token\": \"") // and never more
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) =>
          Effect.async<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      const port = (server.address() as AddressInfo).port
      // Completed when the response's headers have arrived: the clock moves only once the exchange reads the body.
      const headers = yield* Deferred.make<void>()
      const http = yield* Effect.map(
        HttpClient.HttpClient,
        (client) => HttpClient.tap(client, () => Deferred.succeed(headers, undefined))
      ).pipe(Effect.provide(FetchHttpClient.layer))
      const stalled: OAuth.Client = { ...client(), endpoints: OAuth.customEndpoints(`http://127.0.0.1:${port}/oauth`) }
      const fiber = yield* OAuth.exchange(stalled, Redacted.make(code)).pipe(
        Effect.provideService(HttpClient.HttpClient, http),
        Effect.fork
      )
      yield* Deferred.await(headers)
      yield* TestClock.adjust("29 seconds")
      assert.isNull(fiber.unsafePoll(), "still waiting for the body")
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error.reason, "Transport")
      assert.include(error.message, "did not answer in full within 30s")
    }))

  it.effect("the exchange's spans record the endpoint, never the code, the secret or the token", () =>
    Effect.gen(function*() {
      const { spans, tracer } = makeRecordingTracer()
      const { layer } = recording(() => json(200, { access_token: token, token_type: "bearer" }))
      yield* OAuth.exchange(client(), Redacted.make(code)).pipe(Effect.provide(layer), Effect.withTracer(tracer))
      assert.deepStrictEqual(spans.map((span) => span.name), ["OAuth.exchange"])
      assert.strictEqual(spans[0]!.attributes.get("oauth.token_endpoint"), "https://api.oauth.bunq.com/v1/token")
      const printed = Inspectable.format(spans.map((span) => [span.name, [...span.attributes], span.events]))
      for (const value of [secret, code, token]) assert.notInclude(printed, value)
    }))

  it.effect("storeKey: one key per access token, derived from its hash, not containing it", () =>
    Effect.gen(function*() {
      const a = yield* OAuth.storeKey(Redacted.make(token))
      const b = yield* OAuth.storeKey(Redacted.make(secret))
      assert.match(a, /^oauth-[0-9a-f]{16}$/)
      assert.notStrictEqual(a, b)
      assert.strictEqual(a, yield* OAuth.storeKey(Redacted.make(token)))
      assert.notInclude(token, a.slice("oauth-".length))
    }))
})
