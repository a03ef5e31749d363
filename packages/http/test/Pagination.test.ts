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

  it("a text count is digits only: 0x10, 1e2, ' 50', '50.0', '+50', '5_0' are InvalidCount (Number() takes them)", () => {
    for (const count of ["0x10", "1e2", " 50", "50 ", "50.0", "+50", "5_0", "0b11", "Infinity"]) {
      for (const request of [{ path: "/x", urlParams: { count } }, { path: `/x?count=${encodeURIComponent(count)}` }]) {
        const error = Pagination.invalidCountIn(request)
        assert.strictEqual(error?._tag, "InvalidCount", count)
        assert.strictEqual(error?.message, `page count must be an integer from 1 to 200, got ${JSON.stringify(count)}`)
        assert.strictEqual(Pagination.invalidParamsIn(request)?._tag, "InvalidCount", count)
        assert.isTrue(Either.isLeft(Effect.runSync(Effect.either(Pagination.optionsOf(request)))), count)
      }
    }
    for (const count of ["1", "50", "200", "050"]) {
      assert.isUndefined(Pagination.invalidCountIn({ path: "/x", urlParams: { count } }), count)
    }
  })

  it("optionsOf lifts count, older_id and newer_id out of urlParams or the path (urlParams first)", () => {
    const options = (request: { path: string; urlParams?: Record<string, string | number> }) =>
      Effect.runSync(Pagination.optionsOf(request))
    assert.deepStrictEqual(options({ path: "/x?count=2&newer_id=20004" }), { count: 2, newerId: 20004 })
    assert.deepStrictEqual(options({ path: "/x?older_id=9", urlParams: { count: "3" } }), { count: 3, olderId: 9 })
    assert.deepStrictEqual(options({ path: "/x?older_id=9", urlParams: { older_id: 7 } }), { olderId: 7 })
    assert.deepStrictEqual(options({ path: "/x", urlParams: { newer_id: "0" } }), { newerId: 0 })
  })

  it.effect("both ids, or an id that is not a whole number, is InvalidCursor everywhere; nothing is fetched", () =>
    Effect.gen(function*() {
      const seen: Array<Pagination.UrlParams> = []
      const both = { count: 2, olderId: 20005, newerId: 20004 }
      for (
        const error of [
          yield* Effect.flip(Pagination.urlParams(both)),
          yield* Effect.flip(Pagination.page(serve(seen), both)),
          yield* Effect.flip(Stream.runCollect(Pagination.pages(serve(seen), both))),
          yield* Effect.flip(Stream.runCollect(Pagination.stream(serve(seen), both))),
          Pagination.invalidParamsIn({ path: "/x?newer_id=20004", urlParams: { older_id: 20005 } })!,
          yield* Effect.flip(Pagination.optionsOf({ path: "/x?older_id=20005&newer_id=20004" }))
        ]
      ) {
        assert.strictEqual(error._tag, "InvalidCursor")
        if (error._tag !== "InvalidCursor") continue
        assert.strictEqual(error.reason, "BothDirections")
        assert.include(error.message, "not both: got older_id ")
        assert.include(error.message, "20005")
        assert.include(error.message, "20004")
      }
      for (const id of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) {
        for (const options of [{ olderId: id }, { newerId: id }]) {
          const error = yield* Effect.flip(Stream.runCollect(Pagination.stream(serve(seen), options)))
          assert.strictEqual(error._tag, "InvalidCursor")
          if (error._tag !== "InvalidCursor") continue
          assert.strictEqual(error.reason, "NotAnId")
          assert.include(error.message, `must be a whole number of 0 or more, got ${id}`)
        }
      }
      for (const id of ["abc", " 5", "1e2", "0x10", "-1", "5.0", ""]) {
        const error = Pagination.invalidParamsIn({ path: `/x?older_id=${encodeURIComponent(id)}` })
        assert.strictEqual(error?._tag, "InvalidCursor", id)
        assert.strictEqual(error?.message, `older_id must be a whole number of 0 or more, got ${JSON.stringify(id)}`)
      }
      assert.isUndefined(Pagination.invalidParamsIn({ path: "/x?count=2&older_id=5" }))
      assert.strictEqual(seen.length, 0)
    }))

  it.effect("a walk fails with CursorNotAdvancing when bunq's cursor repeats or goes back, after emitting that page", () =>
    Effect.gen(function*() {
      /** Pages of one item each whose cursors are `cursors[i]` (older and newer alike). */
      const scripted =
        (cursors: ReadonlyArray<number>, seen: Array<Pagination.UrlParams>) => (params: Pagination.UrlParams) =>
          Effect.sync(() => {
            seen.push(params)
            const id = cursors[seen.length - 1]
            return {
              items: [seen.length],
              olderId: Option.fromNullable(id),
              newerId: Option.fromNullable(id),
              futureId: Option.none()
            }
          })
      const cases: ReadonlyArray<{
        readonly options: Pagination.Options
        readonly cursors: ReadonlyArray<number>
        readonly error: { direction: "older" | "newer"; from: number; next: number }
        readonly pages: number
      }> = [
        // a repeated older_url: the first page's older_id is taken as it is, the second must be smaller
        { options: {}, cursors: [9, 9, 9], error: { direction: "older", from: 9, next: 9 }, pages: 2 },
        // an older_id that grows
        { options: {}, cursors: [9, 5, 7], error: { direction: "older", from: 5, next: 7 }, pages: 3 },
        // from the caller's olderId
        { options: { olderId: 5 }, cursors: [6], error: { direction: "older", from: 5, next: 6 }, pages: 1 },
        // a newer walk: newer_id must grow
        { options: { newerId: 5 }, cursors: [8, 8], error: { direction: "newer", from: 8, next: 8 }, pages: 2 },
        { options: { newerId: 5 }, cursors: [4], error: { direction: "newer", from: 5, next: 4 }, pages: 1 }
      ]
      for (const { cursors, error: expected, options, pages } of cases) {
        const seen: Array<Pagination.UrlParams> = []
        const items: Array<number> = []
        const error = yield* Pagination.stream(scripted(cursors, seen), options).pipe(
          Stream.take(10),
          Stream.runForEach((item) => Effect.sync(() => items.push(item))),
          Effect.flip
        )
        assert.strictEqual(error._tag, "CursorNotAdvancing", JSON.stringify(cursors))
        if (error._tag !== "CursorNotAdvancing") continue
        assert.deepStrictEqual({ direction: error.direction, from: error.from, next: error.next }, expected)
        assert.strictEqual(
          error.message,
          `bunq's pagination does not move ${expected.direction}: the page at ${expected.direction}_id ${expected.from} ` +
            `gives ${expected.direction}_id ${expected.next} to continue from (it must be ${
              expected.direction === "older" ? "smaller" : "larger"
            }); the walk stops here`
        )
        // every page fetched was emitted, and nothing more was fetched
        assert.deepStrictEqual(items, Array.from({ length: pages }, (_, i) => i + 1))
        assert.strictEqual(seen.length, pages)
      }
      // cursors that move on are followed to the end
      const seen: Array<Pagination.UrlParams> = []
      const items = yield* Stream.runCollect(Pagination.stream(scripted([9, 5, 1], seen), {}))
      assert.deepStrictEqual(Chunk.toReadonlyArray(items), [1, 2, 3, 4])
      assert.deepStrictEqual(seen.map((params) => params["older_id"]), [undefined, 9, 5, 1])
    }))
})
