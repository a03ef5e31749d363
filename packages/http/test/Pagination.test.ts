import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import * as Pagination from "../src/Pagination.js"

/** A list of ids 10, 9, …, 1 served newest first, as bunq pages it: `older_id`/`newer_id` and the three links. */
const serve = (seen: Array<Pagination.UrlParams>) => (params: Pagination.UrlParams) =>
  Effect.sync(() => {
    seen.push(params)
    const all = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    const count = params["count"]!
    const older = params["older_id"]
    const newer = params["newer_id"]
    const items = newer !== undefined
      ? all.filter((id) => id > newer).slice(-count)
      : all.filter((id) => older === undefined || id < older).slice(0, count)
    const link = (name: string, id: number | undefined) =>
      id === undefined ? undefined : `/device-server?count=${count}&${name}=${id}`
    const last = items[items.length - 1]
    return Pagination.fromResponse({
      pagination: {
        olderUrl: last !== undefined && last > 1 ? link("older_id", last) : undefined,
        newerUrl: items.length > 0 && items[0]! < 10 ? link("newer_id", items[0]) : undefined,
        futureUrl: link("newer_id", items[0] ?? newer)
      }
    }, items)
  })

describe("Pagination", () => {
  it.effect("a count of -5, 0, 1.5, NaN, 1e9, 201 is InvalidCount on page, pages and stream; nothing is fetched", () =>
    Effect.gen(function*() {
      const seen: Array<Pagination.UrlParams> = []
      for (const count of [-5, 0, 1.5, Number.NaN, 1e9, 201]) {
        const one = yield* Effect.flip(Pagination.page(serve(seen), { count }))
        assert.strictEqual(one._tag, "InvalidCount")
        assert.include(one.message, "from 1 to 200")
        const all = yield* Effect.flip(Stream.runCollect(Pagination.stream(serve(seen), { count })))
        assert.strictEqual(all._tag, "InvalidCount")
        const pages = yield* Effect.flip(Stream.runCollect(Pagination.pages(serve(seen), { count })))
        assert.strictEqual(pages._tag, "InvalidCount")
        assert.isTrue(Either.isLeft(yield* Effect.either(Pagination.urlParams({ count }))))
      }
      assert.strictEqual(seen.length, 0)
      // the bounds are fine, and never changed
      assert.deepStrictEqual(yield* Pagination.urlParams({ count: 1 }), { count: 1 })
      assert.deepStrictEqual(yield* Pagination.urlParams({ count: 200, olderId: 7 }), { count: 200, older_id: 7 })
      assert.deepStrictEqual(yield* Pagination.urlParams(), { count: 200 })
    }))

  it.effect("stream follows older_id lazily, page by page, with the count it started with", () =>
    Effect.gen(function*() {
      const seen: Array<Pagination.UrlParams> = []
      const items = yield* Stream.runCollect(Pagination.stream(serve(seen), { count: 4 }))
      assert.deepStrictEqual(Chunk.toReadonlyArray(items), [10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
      assert.deepStrictEqual(seen, [{ count: 4 }, { count: 4, older_id: 7 }, { count: 4, older_id: 3 }])

      seen.length = 0
      const first = yield* Stream.runCollect(Stream.take(Pagination.stream(serve(seen), { count: 3 }), 3))
      assert.deepStrictEqual(Chunk.toReadonlyArray(first), [10, 9, 8])
      assert.strictEqual(seen.length, 1, "taking one page's worth fetches one page")
    }))

  it.effect("a walk that starts with newerId follows newer_id", () =>
    Effect.gen(function*() {
      const seen: Array<Pagination.UrlParams> = []
      const pages = yield* Stream.runCollect(Pagination.pages(serve(seen), { count: 2, newerId: 5 }))
      assert.deepStrictEqual(Chunk.toReadonlyArray(pages).map((p) => p.items), [[7, 6], [9, 8], [10]])
      assert.deepStrictEqual(seen.map((p) => p["newer_id"]), [5, 7, 9])
    }))

  it.effect("page: one page and its cursors (older, newer, future)", () =>
    Effect.gen(function*() {
      const seen: Array<Pagination.UrlParams> = []
      const page = yield* Pagination.page(serve(seen), { count: 3, olderId: 8 })
      assert.deepStrictEqual(page.items, [7, 6, 5])
      assert.deepStrictEqual(page.olderId, Option.some(5))
      assert.deepStrictEqual(page.newerId, Option.some(7))
      assert.deepStrictEqual(page.futureId, Option.some(7))
      assert.deepStrictEqual(seen, [{ count: 3, older_id: 8 }])
      const last = yield* Pagination.page(serve(seen), { count: 3, olderId: Option.getOrThrow(page.olderId) - 1 })
      assert.deepStrictEqual(last.items, [3, 2, 1])
      assert.isTrue(Option.isNone(last.olderId))
    }))

  it("fromResponse reads the ids of bunq's links; a link without an id or a missing one is None", () => {
    const page = Pagination.fromResponse({
      pagination: {
        olderUrl: "/user/1/monetary-account/2/payment?count=25&older_id=120",
        newerUrl: "/user/1/monetary-account/2/payment?count=25",
        futureUrl: "/user/1/monetary-account/2/payment?count=25&newer_id=x"
      }
    }, ["a"])
    assert.deepStrictEqual(page.olderId, Option.some(120))
    assert.isTrue(Option.isNone(page.newerId))
    assert.isTrue(Option.isNone(page.futureId))
    assert.isTrue(Option.isNone(Pagination.fromResponse({}, []).olderId))
  })

  it("invalidCountIn and optionsOf read the count of a hand-written request, in urlParams or its path", () => {
    assert.isUndefined(Pagination.invalidCountIn({ path: "/x" }))
    assert.isUndefined(Pagination.invalidCountIn({ path: "/x?count=25" }))
    assert.strictEqual(Pagination.invalidCountIn({ path: "/x?count=0" })?._tag, "InvalidCount")
    assert.strictEqual(Pagination.invalidCountIn({ path: "/x?count=" })?._tag, "InvalidCount")
    assert.strictEqual(Pagination.invalidCountIn({ path: "/x", urlParams: { count: 500 } })?._tag, "InvalidCount")
    assert.deepStrictEqual(Effect.runSync(Pagination.optionsOf({ path: "/x?count=25" })), { count: 25 })
    assert.deepStrictEqual(Effect.runSync(Pagination.optionsOf({ path: "/x" })), {})
  })
})
