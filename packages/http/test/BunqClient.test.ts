import type { BunqRequest } from "@effect-bunq/http/BunqClient"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { fixture } from "./utils/fixtures.js"
import {
  installationToken,
  makeKeys,
  type Recorded,
  type Reply,
  sessionToken,
  utf8,
  withClient
} from "./utils/recordingTransport.js"

const keys = await Effect.runPromise(makeKeys)

const ok: Reply = { body: fixture("create-id.response.json"), responseId: "resp-ok" }

const signedPost = (body: unknown): BunqRequest => ({
  operation: "Payment.create",
  method: "POST",
  path: "/user/1/monetary-account/2/payment",
  body,
  auth: { _tag: "Session", token: sessionToken },
  signWith: keys.client.privateKey,
  verifyWith: keys.server.publicKeyPem
})

const verifyClientSignature = (recorded: Recorded) =>
  Effect.gen(function*() {
    const signer = yield* WebCryptoSigner.make
    const signature = recorded.headers["x-bunq-client-signature"]
    assert.isString(signature)
    return yield* Effect.either(signer.verify(keys.client.publicKeyPem, recorded.body, signature!))
  })

describe("BunqClient requests", () => {
  it.effect("sends bunq's headers, the base URL and a fresh request id per request", () =>
    withClient(keys, () => ok, {
      baseUrl: "https://bunq.test/v1/",
      userAgent: "test-agent/1.0",
      language: "nl_NL",
      region: "en_US",
      geolocation: "4.89 52.37 12 100 NL"
    }, (client, transport) =>
      Effect.gen(function*() {
        const first = yield* client.execute(signedPost({ amount: 1 }))
        yield* client.execute(signedPost({ amount: 2 }))
        const [a, b] = transport.requests
        assert.strictEqual(a!.method, "POST")
        assert.strictEqual(a!.url.toString(), "https://bunq.test/v1/user/1/monetary-account/2/payment")
        assert.strictEqual(a!.headers["user-agent"], "test-agent/1.0")
        assert.strictEqual(a!.headers["cache-control"], "no-cache")
        assert.strictEqual(a!.headers["x-bunq-language"], "nl_NL")
        assert.strictEqual(a!.headers["x-bunq-region"], "en_US")
        assert.strictEqual(a!.headers["x-bunq-geolocation"], "4.89 52.37 12 100 NL")
        assert.strictEqual(a!.headers["content-type"], "application/json")
        assert.strictEqual(a!.headers["x-bunq-client-authentication"], "SESSION-TOKEN-5ecr3t-0001")
        const id = a!.headers["x-bunq-client-request-id"]!
        assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        assert.notStrictEqual(b!.headers["x-bunq-client-request-id"], id)
        assert.strictEqual(first.requestId, id)
        assert.strictEqual(first.responseId, "resp-ok")
        assert.strictEqual(first.status, 200)
        assert.deepStrictEqual(first.items, [{ Id: { id: 1561 } }])
        assert.isUndefined(first.pagination)
      })))

  it.effect("uses the default headers: effect-bunq user agent, en_US, nl_NL, unknown geolocation", () =>
    withClient(keys, () => ok, {}, (client, transport) =>
      Effect.gen(function*() {
        yield* client.execute({ operation: "User.list", method: "GET", path: "/user", auth: { _tag: "None" } })
        const headers = transport.requests[0]!.headers
        assert.match(headers["user-agent"]!, /^effect-bunq\/\d+\.\d+\.\d+$/)
        assert.strictEqual(headers["x-bunq-language"], "en_US")
        assert.strictEqual(headers["x-bunq-region"], "nl_NL")
        assert.strictEqual(headers["x-bunq-geolocation"], "0 0 0 0 000")
      })))

  it.effect("sends the token the caller names, and none for auth None", () =>
    withClient(keys, () => ok, {}, (client, transport) =>
      Effect.gen(function*() {
        const base = { operation: "x", method: "POST" as const, path: "/installation", body: {} }
        yield* client.execute({ ...base, auth: { _tag: "None" } })
        yield* client.execute({
          ...base,
          path: "/device-server",
          auth: { _tag: "Installation", token: installationToken }
        })
        yield* client.execute({ ...base, path: "/user", auth: { _tag: "Session", token: sessionToken } })
        const tokens = transport.requests.map((r) => r.headers["x-bunq-client-authentication"])
        assert.deepStrictEqual(tokens, [undefined, "INSTALLATION-TOKEN-5ecr3t-0002", "SESSION-TOKEN-5ecr3t-0001"])
        // no key, no signature
        for (const r of transport.requests) assert.isUndefined(r.headers["x-bunq-client-signature"])
      })))

  it.effect("serializes the body once to UTF-8 and signs exactly the bytes sent", () =>
    withClient(keys, () => ok, {}, (client, transport) =>
      Effect.gen(function*() {
        const body = { description: "Café € 12,50 — drinks", amount: { value: "12.50", currency: "EUR" } }
        yield* client.execute(signedPost(body))
        const sent = transport.requests[0]!
        assert.deepStrictEqual(sent.body, utf8(JSON.stringify(body)))
        assert.deepStrictEqual(JSON.parse(new TextDecoder().decode(sent.body)), body)
        assert.isTrue(Either.isRight(yield* verifyClientSignature(sent)))
        // and the signature does not verify over anything else
        const signer = yield* WebCryptoSigner.make
        const other = yield* Effect.either(
          signer.verify(
            keys.client.publicKeyPem,
            utf8(JSON.stringify(body, null, 1)),
            sent.headers["x-bunq-client-signature"]!
          )
        )
        assert.isTrue(Either.isLeft(other))
      })))

  it.effect("signs the empty byte string when there is no body", () =>
    withClient(keys, () => ok, {}, (client, transport) =>
      Effect.gen(function*() {
        yield* client.execute({ ...signedPost(undefined), method: "GET", path: "/user/1" })
        const sent = transport.requests[0]!
        assert.strictEqual(sent.body.length, 0)
        assert.isTrue(Either.isRight(yield* verifyClientSignature(sent)))
      })))

  it.effect("extra headers cannot replace bunq's headers or the credentials", () =>
    withClient(keys, () => ok, {}, (client, transport) =>
      Effect.gen(function*() {
        const headers = { "x-bunq-client-authentication": "someone-else", "X-Bunq-Client-Request-Id": "fixed" }
        const rawBody = { bytes: utf8("a receipt"), contentType: "image/png" }
        yield* client.execute({ ...signedPost(undefined), rawBody, headers: { ...headers, "User-Agent": "other" } })
        const sent = transport.requests[0]!.headers
        assert.strictEqual(sent["x-bunq-client-authentication"], "SESSION-TOKEN-5ecr3t-0001")
        assert.notStrictEqual(sent["x-bunq-client-request-id"], "fixed")
        assert.match(sent["user-agent"]!, /^effect-bunq\//)
        assert.strictEqual(sent["content-type"], "image/png")
      })))

  it.effect("merges the path's query with urlParams", () =>
    withClient(keys, () => ok, {}, (client, transport) =>
      Effect.gen(function*() {
        yield* client.execute({
          operation: "x",
          method: "GET",
          path: "/device-server?count=5&older_id=7",
          urlParams: { count: 10 },
          auth: { _tag: "None" }
        })
        const url = transport.requests[0]!.url
        assert.strictEqual(url.pathname, "/v1/device-server")
        assert.strictEqual(url.searchParams.get("count"), "10")
        assert.strictEqual(url.searchParams.get("older_id"), "7")
      })))
})

describe("BunqClient response verification", () => {
  const request = signedPost({ amount: 1 })

  const cases: ReadonlyArray<[string, NonNullable<Reply["sign"]>, string]> = [
    ["a flipped body byte", "flipBody", "InvalidSignature"],
    ["a flipped signature character", "flipSignature", "InvalidSignature"],
    ["a missing signature header", "none", "MissingSignature"],
    ["a signature by the wrong key", "wrongKey", "InvalidSignature"]
  ]
  for (const [name, sign, reason] of cases) {
    it.effect(`rejects ${name} with ResponseVerificationError, for success and error statuses`, () =>
      Effect.gen(function*() {
        for (
          const reply of [
            { status: 200, body: fixture("device-server-read.response.json"), sign, responseId: "r-1" },
            { status: 404, body: fixture("error-not-found.404.response.json"), sign, responseId: "r-1" }
          ]
        ) {
          const result = yield* withClient(
            keys,
            (): Reply => reply,
            {},
            (client) => Effect.either(client.execute(request))
          )
          assert.isTrue(Either.isLeft(result), `${name} must never succeed`)
          if (Either.isRight(result)) continue
          const error = result.left
          assert.strictEqual(error._tag, "ResponseVerificationError")
          if (error._tag !== "ResponseVerificationError") continue
          assert.strictEqual(error.reason, reason)
          assert.strictEqual(error.status, reply.status)
          assert.strictEqual(error.responseId, "r-1")
        }
      }))
  }

  it.effect("does not verify when verifyWith is absent (installation)", () =>
    withClient(keys, () => ({ ...ok, sign: "none" }), {}, (client) =>
      Effect.gen(function*() {
        const response = yield* client.execute({ ...request, verifyWith: undefined })
        assert.deepStrictEqual(response.items, [{ Id: { id: 1561 } }])
      })))

  it.effect("allowUnsignedErrors accepts unsigned 429/5xx error bodies only", () =>
    Effect.gen(function*() {
      for (const status of [429, 500, 503]) {
        const result = yield* withClient(
          keys,
          () => ({ status, body: fixture("error-generic.response.json"), sign: "none" }),
          { allowUnsignedErrors: true },
          (client) => Effect.flip(client.execute(request))
        )
        assert.strictEqual(result._tag, "ApiError")
        assert.strictEqual((result as any).status, status)
      }
      for (const status of [200, 400, 404]) {
        const result = yield* withClient(
          keys,
          () => ({ status, body: fixture("error-generic.response.json"), sign: "none" }),
          { allowUnsignedErrors: true },
          (client) => Effect.flip(client.execute(request))
        )
        assert.strictEqual(result._tag, "ResponseVerificationError")
      }
      // and by default an unsigned 429 is rejected
      const strict = yield* withClient(
        keys,
        () => ({ status: 429, body: fixture("error-generic.response.json"), sign: "none" }),
        {},
        (client) => Effect.flip(client.execute(request))
      )
      assert.strictEqual(strict._tag, "ResponseVerificationError")
    }))

  it.effect("rejects a different echoed request id; accepts a missing echo unless required", () =>
    Effect.gen(function*() {
      const mismatch = yield* withClient(
        keys,
        () => ({ ...ok, requestId: "00000000-0000-4000-8000-000000000000" }),
        {},
        (client) => Effect.flip(client.execute(request))
      )
      assert.strictEqual(mismatch._tag, "ResponseVerificationError")
      assert.strictEqual((mismatch as any).reason, "RequestIdMismatch")
      const missing = yield* withClient(
        keys,
        () => ({ ...ok, requestId: "none" }),
        {},
        (client) => client.execute(request)
      )
      assert.deepStrictEqual(missing.items, [{ Id: { id: 1561 } }])
      const required = yield* withClient(
        keys,
        () => ({ ...ok, requestId: "none" }),
        { requireRequestIdEcho: true },
        (client) => Effect.flip(client.execute(request))
      )
      assert.strictEqual((required as any).reason, "RequestIdMismatch")
    }))
})

describe("BunqClient errors", () => {
  const request: BunqRequest = { ...signedPost({}), operation: "DeviceServer.create", path: "/device-server" }

  it.effect("maps every status to its reason with bunq's descriptions and the response id", () =>
    Effect.gen(function*() {
      const table: ReadonlyArray<[number, string, string]> = [
        [399, "NotModified", "error-generic.response.json"],
        [400, "BadRequest", "error-device-server-access-denied.400.response.json"],
        [401, "Unauthorized", "error-insufficient-authorisation.401.response.json"],
        [403, "Forbidden", "error-generic.response.json"],
        [404, "NotFound", "error-not-found.404.response.json"],
        [405, "MethodNotAllowed", "error-generic.response.json"],
        [429, "TooManyRequests", "error-generic.response.json"],
        [466, "SignatureRequired", "error-generic.response.json"],
        [490, "UserError", "error-generic.response.json"],
        [491, "Maintenance", "error-generic.response.json"],
        [500, "ServerError", "error-generic.response.json"],
        [503, "ServerError", "error-generic.response.json"],
        [418, "Unknown", "error-generic.response.json"]
      ]
      for (const [status, reason, file] of table) {
        const body = fixture(file)
        const expected = (JSON.parse(new TextDecoder().decode(body)).Error as Array<any>).map((e) => ({
          description: e.error_description,
          translated: e.error_description_translated
        }))
        const error = yield* withClient(
          keys,
          () => ({ status, body, responseId: `resp-${status}` }),
          {},
          (client) => Effect.flip(client.execute(request))
        )
        assert.strictEqual(error._tag, "ApiError", `status ${status}`)
        if (error._tag !== "ApiError") continue
        assert.strictEqual(error.status, status)
        assert.strictEqual(error.reason, reason)
        assert.strictEqual(error.responseId, `resp-${status}`)
        assert.strictEqual(error.operation, "DeviceServer.create")
        assert.strictEqual(error.method, "POST")
        assert.strictEqual(error.path, "/device-server")
        assert.deepStrictEqual(
          error.descriptions.map((d) => ({ description: d.description, translated: d.translated })),
          expected
        )
        assert.include(error.message, `resp-${status}`)
        assert.include(error.message, expected[0]!.description)
      }
    }))

  it.effect("keeps the status of an error whose body is not bunq's (a proxy's HTML)", () =>
    withClient(keys, () => ({ status: 502, body: "<html>Bad gateway</html>" }), {}, (client) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(client.execute(request))
        assert.strictEqual(error._tag, "ApiError")
        assert.strictEqual((error as any).reason, "ServerError")
        assert.deepStrictEqual((error as any).descriptions, [])
      })))

  it.effect("decodes non-ASCII UTF-8 from the verified bytes", () =>
    withClient(
      keys,
      () => ({
        status: 400,
        body:
          "{\"Error\":[{\"error_description\":\"Amount € too high\",\"error_description_translated\":\"Bedrag € te hoog, café\"}]}"
      }),
      {},
      (client) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(client.execute(request))
          assert.strictEqual((error as any).descriptions[0].translated, "Bedrag € te hoog, café")
        })
    ))

  it.effect("DecodeError for a success body that is not JSON, not UTF-8 or not the envelope", () =>
    Effect.gen(function*() {
      for (const body of [utf8("not json"), new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), utf8("{\"Error\":[]}")]) {
        const error = yield* withClient(
          keys,
          () => ({ body, responseId: "r-d" }),
          {},
          (client) => Effect.flip(client.execute(request))
        )
        assert.strictEqual(error._tag, "DecodeError")
        assert.strictEqual((error as any).status, 200)
        assert.strictEqual((error as any).responseId, "r-d")
      }
    }))

  it.effect("TransportError: Network, and Blocked for a browser's failed fetch", () =>
    Effect.gen(function*() {
      const { HttpClientError } = yield* Effect.promise(() => import("@effect/platform"))
      for (
        const [cause, reason] of [
          [new TypeError("Failed to fetch"), "Blocked"],
          [new Error("ECONNRESET"), "Network"],
          [new TypeError("fetch failed"), "Network"]
        ] as const
      ) {
        const error = yield* withClient(
          keys,
          (_r) =>
            Effect.fail(new HttpClientError.RequestError({ request: undefined as any, reason: "Transport", cause })),
          {},
          (client) => Effect.flip(client.execute(request))
        )
        assert.strictEqual(error._tag, "TransportError")
        assert.strictEqual((error as any).reason, reason)
        if (reason === "Blocked") assert.include(error.message, "proxy")
      }
    }))
})
