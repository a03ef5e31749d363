/**
 * Users (`/user`): the person, company or API-key user the session belongs to.
 *
 * @since 0.1.0
 */
import * as Pagination from "@effect-bunq/http/Pagination"
import * as UserSchema from "@effect-bunq/schema/User"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as ApiContext from "./ApiContext.js"
import * as listing from "./internal/list.js"
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

const fetchPage = listing.fetchPage("User.list", "/user", UserSchema.decodeListResponse)

/**
 * `GET /user`, one page (`count` default 200, at most 200): pass the returned `olderId` back for the next page.
 *
 * @since 0.1.0
 * @category programs
 */
export const listPage: (
  options?: Pagination.Options
) => Effect.Effect<Pagination.Page<UserSchema.User>, ApiContext.ApiContextError, ApiContext.ApiContext> = (
  options
) => Effect.withSpan(Pagination.page(fetchPage, options), "User.listPage")

/**
 * `GET /user`: every user the session can see, as a `Stream` that fetches the next page only when it is needed.
 *
 * @since 0.1.0
 * @category programs
 */
export const list = (
  options?: Pagination.Options
): Stream.Stream<UserSchema.User, ApiContext.ApiContextError, ApiContext.ApiContext> =>
  Stream.withSpan(Pagination.stream(fetchPage, options), "User.list")
