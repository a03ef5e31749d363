/**
 * The current session (`/session`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ApiContext from "./ApiContext.js"

const close: () => Effect.Effect<void, ApiContext.ApiContextError, ApiContext.ApiContext> = Effect.fn(
  "Session.delete"
)(function*() {
  const context = yield* ApiContext.ApiContext
  const snapshot = yield* context.snapshot
  if (Option.isNone(snapshot.session)) return
  // bunq's SDKs pass 0 for "the current session"; an imported context does not know the id.
  const id = Option.getOrElse(snapshot.session.value.id, () => 0)
  yield* context.request({ operation: "Session.delete", method: "DELETE", path: `/session/${id}` })
  yield* context.forgetSession
})

export {
  /**
   * `DELETE /session/{id}`: close the current session, and forget it in the context (saved). The next call opens a
   * new session. Does nothing when there is no session.
   *
   * @since 0.1.0
   * @category programs
   */
  close as delete
}
