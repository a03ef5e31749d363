/**
 * Users (`/user`): the person, company or API-key user the session belongs to.
 *
 * @since 0.1.0
 */
import * as UserSchema from "@effect-bunq/schema/User"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as ApiContext from "./ApiContext.js"
import * as programs from "./internal/programs.js"

/**
 * `GET /user/{id}` for the session's user.
 *
 * @since 0.1.0
 * @category programs
 */
export const get: () => Effect.Effect<UserSchema.User, ApiContext.ApiContextError, ApiContext.ApiContext> =
  /* @__PURE__ */ Effect.fn("User.get")(function*() {
    const context = yield* ApiContext.ApiContext
    const session = yield* context.session
    const request = { operation: "User.get", method: "GET", path: `/user/${session.userId}` } as const
    const response = yield* context.request(request)
    return yield* programs.decodeItems(request, response, UserSchema.decodeReadResponse)
  })

/**
 * `GET /user`: every user the session can see (all pages).
 *
 * @since 0.1.0
 * @category programs
 */
export const list: () => Effect.Effect<
  ReadonlyArray<UserSchema.User>,
  ApiContext.ApiContextError,
  ApiContext.ApiContext
> = /* @__PURE__ */ Effect.fn("User.list")(function*() {
  const request = { operation: "User.list", method: "GET", path: "/user" } as const
  const users = yield* ApiContext.paginate(request).pipe(
    Stream.mapEffect((response) => programs.decodeItems(request, response, UserSchema.decodeListResponse)),
    Stream.flattenIterables,
    Stream.runCollect
  )
  return Chunk.toReadonlyArray(users)
})
