import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import * as Pagination from "../src/Pagination.js"

describe("Pagination", () => {
  it.effect("rejects -5, 0, 1.5, NaN, 1e9 before anything is fetched", () =>
    Effect.gen(function*() {
      let fetched = 0
      const fetchPage = () =>
        Effect.sync(() => {
          fetched++
          return { items: [], older: Option.none(), newer: Option.none(), future: Option.none() }
        })
      for (const count of [-5, 0, 1.5, Number.NaN, 1e9]) {
        const one = yield* Effect.either(Pagination.page(fetchPage, { count }))
        expect(Either.isLeft(one) && one.left._tag).toBe("InvalidCount")
        const all = yield* Effect.either(Stream.runCollect(Pagination.stream(fetchPage, { count })))
        expect(Either.isLeft(all) && all.left._tag).toBe("InvalidCount")
      }
      expect(fetched).toBe(0)
    }))

  it.effect("streams items following the older cursor", () =>
    Effect.gen(function*() {
      const seen: Array<Pagination.PageRequest> = []
      const fetchPage = (request: Pagination.PageRequest) =>
        Effect.sync(() => {
          seen.push(request)
          const start = request.cursor._tag === "Older" ? request.cursor.id : 10
          const items = start > 6 ? [start - 1, start - 2] : []
          return {
            items,
            older: items.length ? Option.some<Pagination.Cursor>({ _tag: "Older", id: start - 2 }) : Option.none(),
            newer: Option.none(),
            future: Option.none()
          }
        })
      const items = yield* Stream.runCollect(Pagination.stream(fetchPage, { count: 2 }))
      expect(Chunk.toReadonlyArray(items)).toEqual([9, 8, 7, 6])
      expect(Pagination.urlParams(seen[1]!)).toEqual({ count: "2", older_id: "8" })
    }))
})
