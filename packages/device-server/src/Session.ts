/**
 * The current session (`/session`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as ApiContext from "./ApiContext.js"

const close: () => Effect.Effect<void, ApiContext.ApiContextError, ApiContext.ApiContext> = /* @__PURE__ */ Effect.fn(
  "Session.delete"
)(function*() {
  const context = yield* ApiContext.ApiContext
  yield* context.closeSession
})

export {
  /**
   * `DELETE /session/{id}`: close the current session and forget it in the context (saved); the next call opens a
   * new session. Sends nothing when there is no session or it has already expired. See
   * `ApiContext.Service.closeSession`.
   *
   * @since 0.1.0
   * @category programs
   */
  close as delete
}
