import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as Pagination from "@effect-bunq/http/Pagination"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import { fixture } from "./utils/fixtures.js"
import { makeKeys, type Recorded, type Reply, sessionToken, withClient } from "./utils/recordingTransport.js"

/** `BunqClient.paginate` over a client value. */
const paginate = (client: BunqClient.BunqClient.Service, request: BunqClient.BunqRequest) =>
  Stream.provideService(BunqClient.paginate(request), BunqClient.BunqClient, client)

const keys = await Effect.runPromise(makeKeys)

/** Serves the three example pages by `older_id`, as bunq would. */
const pages = (request: Recorded): Reply => {
  const olderId = request.url.searchParams.get("older_id")
  const page = olderId === null ? 1 : olderId === "42" ? 2 : olderId === "120" ? 3 : undefined
  if (page === undefined) return { status: 404, body: fixture("error-not-found.404.response.json") }
  return { body: fixture(`list-pagination.page-${page}.response.json`), responseId: `page-${page}` }
}

const list: BunqClient.BunqRequest = {
  operation: "Payment.list",
  method: "GET",
  path: "/user/1/monetary-account/2/payment",
  auth: { _tag: "Session", token: sessionToken },
  signWith: keys.client.privateKey,
  verifyWith: keys.server.publicKeyPem
}

describe("BunqClient pagination", () => {
  it.effect("walks the three example pages following older_url, each signed and verified", () =>
    withClient(keys, pages, {}, (client, transport) =>
      Effect.gen(function*() {
        const responses = Chunk.toReadonlyArray(yield* Stream.runCollect(paginate(client, list)))
        assert.deepStrictEqual(responses.map((r) => r.responseId), ["page-1", "page-2", "page-3"])
        const ids = Chunk.toReadonlyArray(yield* Stream.runCollect(BunqClient.items(paginate(client, list))))
          .map((item) => (item["Payment"] as { id: number }).id)
        assert.deepStrictEqual(ids, [42, 120, 170])

        const walk = transport.requests.slice(0, 3)
        assert.strictEqual(walk[0]!.url.pathname, "/v1/user/1/monetary-account/2/payment")
        assert.strictEqual(walk[0]!.url.searchParams.get("count"), "200")
        // then the older_id of each older_url bunq sent, with the count the walk started with
        assert.strictEqual(
          walk[1]!.url.toString(),
          "https://bunq.test/v1/user/1/monetary-account/2/payment?count=200&older_id=42"
        )
        assert.strictEqual(
          walk[2]!.url.toString(),
          "https://bunq.test/v1/user/1/monetary-account/2/payment?count=200&older_id=120"
        )
        const signer = yield* WebCryptoSigner.make
        for (const r of walk) {
          assert.strictEqual(r.method, "GET")
          assert.strictEqual(r.headers["x-bunq-client-authentication"], "SESSION-TOKEN-5ecr3t-0001")
          assert.isTrue(
            Either.isRight(
              yield* Effect.either(
                signer.verify(keys.client.publicKeyPem, r.body, r.headers["x-bunq-client-signature"]!)
              )
            )
          )
        }
        assert.strictEqual(new Set(walk.map((r) => r.headers["x-bunq-client-request-id"])).size, 3)
      })))

  it.effect("refuses a count of -5, 0, 1.5, NaN, 201 or 1e9 (urlParams or query) with InvalidCount; nothing is sent", () =>
    withClient(keys, pages, {}, (client, transport) =>
      Effect.gen(function*() {
        for (const count of [-5, 0, 1.5, Number.NaN, 201, 1e9]) {
          for (const request of [{ ...list, urlParams: { count } }, { ...list, path: `${list.path}?count=${count}` }]) {
            const error = yield* Effect.flip(Stream.runDrain(paginate(client, request)))
            assert.strictEqual(error._tag, "InvalidCount")
            assert.include(error.message, "from 1 to 200")
          }
        }
        assert.strictEqual(transport.requests.length, 0)
        // a valid count is kept as it is
        yield* Stream.runDrain(Stream.take(paginate(client, { ...list, urlParams: { count: 7 } }), 1))
        assert.strictEqual(transport.requests[0]!.url.searchParams.get("count"), "7")
      })))

  it.effect("is lazy: taking one page sends one request", () =>
    withClient(keys, pages, {}, (client, transport) =>
      Effect.gen(function*() {
        const first = yield* Stream.runCollect(Stream.take(paginate(client, list), 1))
        assert.strictEqual(Chunk.size(first), 1)
        assert.strictEqual(transport.requests.length, 1)
      })))

  it.effect("fails the stream when a page does not verify", () =>
    withClient(
      keys,
      (request, index) => index === 1 ? { ...pages(request), sign: "flipBody" } : pages(request),
      {},
      (client) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(Stream.runCollect(paginate(client, list)))
          assert.strictEqual(error._tag, "ResponseVerificationError")
        })
    ))

  it.effect("single-page access: execute with a count, then Pagination.fromResponse for the cursor", () =>
    withClient(keys, pages, {}, (client, transport) =>
      Effect.gen(function*() {
        const first = yield* client.execute({ ...list, urlParams: { count: 1 } })
        assert.deepStrictEqual(first.pagination, {
          olderUrl: "/user/1/monetary-account/2/payment?count=1&older_id=42",
          newerUrl: undefined,
          futureUrl: "/user/1/monetary-account/2/payment?count=1&newer_id=42"
        })
        const page = Pagination.fromResponse(first, first.items)
        assert.deepStrictEqual(page.olderId, Option.some(42))
        assert.deepStrictEqual(page.futureId, Option.some(42))
        const second = yield* client.execute({
          ...list,
          urlParams: yield* Pagination.urlParams({ count: 1, olderId: Option.getOrThrow(page.olderId) })
        })
        assert.strictEqual(second.responseId, "page-2")
        assert.strictEqual(transport.requests[1]!.url.search, "?count=1&older_id=42")
      })))
})
