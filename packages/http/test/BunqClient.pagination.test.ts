import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as Pagination from "@effect-bunq/http/Pagination"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import { openEmulatorSession } from "./utils/emulator.js"
import { fixture } from "./utils/fixtures.js"
import { makeKeys, type Recorded, type Reply, sessionToken, withClient } from "./utils/recordingTransport.js"

/** `BunqClient.paginate` over a client value. */
const paginate = (client: BunqClient.BunqClient.Service, request: BunqClient.BunqRequest) =>
  Stream.provideService(BunqClient.paginate(request), BunqClient.BunqClient, client)

const keys = await Effect.runPromise(makeKeys)

/**
 * bunq's example pages (`test/fixtures/list-pagination.*`, from another client's test data) by `older_id`: their ids
 * rise as the walk goes older (42, 120, 170), which bunq's never do.
 */
const examplePages = (request: Recorded): Reply => {
  const olderId = request.url.searchParams.get("older_id")
  const page = olderId === null ? 1 : olderId === "42" ? 2 : olderId === "120" ? 3 : undefined
  if (page === undefined) return { status: 404, body: fixture("error-not-found.404.response.json") }
  return { body: fixture(`list-pagination.page-${page}.response.json`), responseId: `page-${page}` }
}

/** One page of payments `ids` (newest first) with bunq's links, as bunq writes them (with `/v1`). */
const listPage = (
  ids: ReadonlyArray<number>,
  links: { readonly older?: number; readonly newer?: number; readonly future?: number },
  responseId?: string
): Reply => {
  const url = (name: string, id: number | undefined) =>
    id === undefined ? null : `/v1/user/1/monetary-account/2/payment?count=1&${name}=${id}`
  return {
    body: JSON.stringify({
      Response: ids.map((id) => ({ Payment: { id } })),
      Pagination: {
        future_url: url("newer_id", links.future),
        newer_url: url("newer_id", links.newer),
        older_url: url("older_id", links.older)
      }
    }),
    ...(responseId === undefined ? {} : { responseId })
  }
}

/** Three pages by `older_id`, as bunq pages ids 170, 120, 42: older is smaller. */
const pages = (request: Recorded): Reply => {
  const olderId = request.url.searchParams.get("older_id")
  return olderId === null
    ? listPage([170], { older: 170, future: 170 }, "page-1")
    : olderId === "170"
    ? listPage([120], { older: 120, newer: 120 }, "page-2")
    : olderId === "120"
    ? listPage([42], { newer: 42 }, "page-3")
    : { status: 404, body: fixture("error-not-found.404.response.json") }
}

/** At most this many pages of a walk: a walk that would never end still ends the test. */
const guard = 10

const list: BunqClient.BunqRequest = {
  operation: "Payment.list",
  method: "GET",
  path: "/user/1/monetary-account/2/payment",
  auth: { _tag: "Session", token: sessionToken },
  signWith: keys.client.privateKey,
  verifyWith: keys.server.publicKeyPem
}

describe("BunqClient pagination", () => {
  it.effect("walks three pages following older_url, each signed and verified", () =>
    withClient(keys, pages, {}, (client, transport) =>
      Effect.gen(function*() {
        const responses = Chunk.toReadonlyArray(yield* Stream.runCollect(paginate(client, list)))
        assert.deepStrictEqual(responses.map((r) => r.responseId), ["page-1", "page-2", "page-3"])
        const ids = Chunk.toReadonlyArray(yield* Stream.runCollect(BunqClient.items(paginate(client, list))))
          .map((item) => (item["Payment"] as { id: number }).id)
        assert.deepStrictEqual(ids, [170, 120, 42])

        const walk = transport.requests.slice(0, 3)
        assert.strictEqual(walk[0]!.url.pathname, "/v1/user/1/monetary-account/2/payment")
        assert.strictEqual(walk[0]!.url.searchParams.get("count"), "200")
        // then the older_id of each older_url bunq sent, with the count the walk started with
        assert.strictEqual(
          walk[1]!.url.toString(),
          "https://bunq.test/v1/user/1/monetary-account/2/payment?count=200&older_id=170"
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
    withClient(keys, examplePages, {}, (client, transport) =>
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

  it.effect("bunq's example pages, whose older_id rises, fail with CursorNotAdvancing after page 2 (not a silent end)", () =>
    withClient(keys, examplePages, {}, (client, transport) =>
      Effect.gen(function*() {
        const seen: Array<string | undefined> = []
        const error = yield* paginate(client, list).pipe(
          Stream.take(guard),
          Stream.runForEach((response) => Effect.sync(() => seen.push(response.responseId))),
          Effect.flip
        )
        assert.deepStrictEqual(seen, ["page-1", "page-2"])
        assert.strictEqual(error._tag, "CursorNotAdvancing")
        if (error._tag !== "CursorNotAdvancing") return
        assert.deepStrictEqual({ direction: error.direction, from: error.from, next: error.next }, {
          direction: "older",
          from: 42,
          next: 120
        })
        assert.include(error.message, "does not move older")
        assert.include(error.message, "older_id 42 gives older_id 120")
        assert.strictEqual(transport.requests.length, 2)
      })))

  it.effect("a repeated older_url fails with CursorNotAdvancing instead of requesting forever", () =>
    withClient(
      keys,
      (_, index) => listPage([10 - index], { older: 5 }),
      {},
      (client, transport) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(Stream.runCollect(Stream.take(paginate(client, list), guard)))
          assert.strictEqual(error._tag, "CursorNotAdvancing")
          assert.include(error.message, "older_id 5 gives older_id 5")
          assert.deepStrictEqual(transport.requests.map((r) => r.url.searchParams.get("older_id")), [null, "5"])
        })
    ))

  it.effect("a newer walk whose newer_id does not grow fails with CursorNotAdvancing", () =>
    withClient(
      keys,
      (request) => {
        const newer = Number(request.url.searchParams.get("newer_id"))
        return listPage([newer + 1], { newer: newer === 5 ? 8 : 7 })
      },
      {},
      (client, transport) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(
            Stream.runCollect(Stream.take(paginate(client, { ...list, urlParams: { newer_id: 5 } }), guard))
          )
          assert.strictEqual(error._tag, "CursorNotAdvancing")
          assert.include(error.message, "does not move newer: the page at newer_id 8 gives newer_id 7")
          assert.include(error.message, "it must be larger")
          assert.deepStrictEqual(transport.requests.map((r) => r.url.searchParams.get("newer_id")), ["5", "8"])
        })
    ))

  it.effect("a response without items ends the walk, and is emitted (its future_url is where to poll)", () =>
    withClient(keys, () => listPage([], { older: 3, future: 9 }), {}, (client, transport) =>
      Effect.gen(function*() {
        const responses = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(paginate(client, list), guard)))
        assert.strictEqual(responses.length, 1)
        assert.strictEqual(responses[0]!.pagination?.futureUrl, "/user/1/monetary-account/2/payment?count=1&newer_id=9")
        assert.strictEqual(transport.requests.length, 1)
      })))

  it.effect("the request's own older_id or newer_id (urlParams or path) starts the walk; never both on a request", () =>
    withClient(
      keys,
      (request) => {
        const older = request.url.searchParams.get("older_id")
        const newer = request.url.searchParams.get("newer_id")
        return older === "30"
          ? listPage([29], { older: 29, newer: 29 })
          : older === "29"
          ? listPage([28], { newer: 28 })
          : newer === "20004"
          ? listPage([20005], { older: 20005, newer: 20005 })
          : listPage([20006], { older: 20006 })
      },
      {},
      (client, transport) =>
        Effect.gen(function*() {
          const walks: ReadonlyArray<BunqClient.BunqRequest> = [
            { ...list, path: `${list.path}?older_id=30&a=b%20c` },
            { ...list, urlParams: { older_id: "30", a: "b c" } },
            { ...list, path: `${list.path}?count=2&newer_id=20004` },
            { ...list, urlParams: { count: "2", newer_id: 20004 } }
          ]
          const queries: Array<ReadonlyArray<string>> = []
          for (const walk of walks) {
            transport.requests.length = 0
            yield* Stream.runDrain(Stream.take(paginate(client, walk), guard))
            queries.push(transport.requests.map((r) => r.url.search))
          }
          assert.deepStrictEqual(queries, [
            ["?a=b+c&count=200&older_id=30", "?a=b+c&count=200&older_id=29"],
            ["?a=b+c&count=200&older_id=30", "?a=b+c&count=200&older_id=29"],
            ["?count=2&newer_id=20004", "?count=2&newer_id=20005"],
            ["?count=2&newer_id=20004", "?count=2&newer_id=20005"]
          ])
        })
    ))

  it.effect("both older_id and newer_id, or an id that is not a whole number, is InvalidCursor; nothing is sent", () =>
    withClient(keys, pages, {}, (client, transport) =>
      Effect.gen(function*() {
        const both: ReadonlyArray<BunqClient.BunqRequest> = [
          { ...list, urlParams: { older_id: 5, newer_id: 7 } },
          { ...list, path: `${list.path}?older_id=5&newer_id=7` },
          { ...list, path: `${list.path}?older_id=5`, urlParams: { newer_id: "7" } }
        ]
        for (const request of both) {
          const error = yield* Effect.flip(Stream.runDrain(paginate(client, request)))
          assert.strictEqual(error._tag, "InvalidCursor")
          if (error._tag !== "InvalidCursor") continue
          assert.strictEqual(error.reason, "BothDirections")
          assert.include(error.message, "not both")
        }
        for (const id of ["abc", " 5", "1e2", "0x10", "-1", "", -1, 1.5, Number.NaN]) {
          for (const request of [{ ...list, urlParams: { older_id: id } }, { ...list, urlParams: { newer_id: id } }]) {
            const error = yield* Effect.flip(Stream.runDrain(paginate(client, request)))
            assert.strictEqual(error._tag, "InvalidCursor", String(id))
            if (error._tag !== "InvalidCursor") continue
            assert.strictEqual(error.reason, "NotAnId")
          }
        }
        assert.strictEqual(transport.requests.length, 0)
      })))

  it.effect("a text count must be digits: 0x10, 1e2, ' 50', 50.0, +50 are InvalidCount; nothing is sent", () =>
    withClient(keys, pages, {}, (client, transport) =>
      Effect.gen(function*() {
        for (const count of ["0x10", "1e2", " 50", "50.0", "+50", "50 "]) {
          for (
            const request of [
              { ...list, urlParams: { count } },
              { ...list, path: `${list.path}?count=${encodeURIComponent(count)}` }
            ]
          ) {
            const error = yield* Effect.flip(Stream.runDrain(paginate(client, request)))
            assert.strictEqual(error._tag, "InvalidCount", count)
            assert.include(error.message, `got ${JSON.stringify(count)}`)
          }
        }
        assert.strictEqual(transport.requests.length, 0)
        yield* Stream.runDrain(Stream.take(paginate(client, { ...list, urlParams: { count: "050" } }), 1))
        assert.strictEqual(transport.requests[0]!.url.searchParams.get("count"), "50")
      })))

  it.effect("on the emulator: a walk from newer_id in the path pages towards newer devices, never sending both ids", () =>
    Effect.gen(function*() {
      const { client, emulator, session, userId } = yield* openEmulatorSession
      const seeded = yield* emulator.seedDevices(userId, 5)
      yield* emulator.clearLog
      const request: BunqClient.BunqRequest = {
        operation: "DeviceServer.list",
        method: "GET",
        path: `/device-server?count=2&newer_id=${seeded[0]}`,
        ...session
      }
      const ids = Chunk.toReadonlyArray(
        yield* Stream.runCollect(BunqClient.items(Stream.take(
          Stream.provideService(BunqClient.paginate(request), BunqClient.BunqClient, client),
          guard
        )))
      ).map((item) => (item["DeviceServer"] as { id: number }).id)
      // newest first within a page, pages towards newer devices
      assert.deepStrictEqual(ids, [seeded[2], seeded[1], seeded[4], seeded[3]])
      const log = yield* emulator.log
      assert.deepStrictEqual(log.map((entry) => `${entry.status} ${entry.query}`), [
        `200 count=2&newer_id=${seeded[0]}`,
        `200 count=2&newer_id=${seeded[2]}`
      ])
    }))
})
