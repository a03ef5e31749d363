/**
 * Attachments: `attachment-public` (upload, read, content) and monetary-account attachments (upload, content). An
 * upload is the raw bytes with `Content-Type` and `X-Bunq-Attachment-Description`; its signature (when present) is
 * checked over those raw bytes like any body. Content downloads answer the raw bytes, signed.
 *
 * @internal
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as Effect from "effect/Effect"
import { accountParam } from "./accountRoutes.js"
import type { AttachmentRecord } from "./ledger.js"
import * as Messages from "./messages.js"
import { uuidFor } from "./objects.js"
import type { Family } from "./routes.js"
import { route } from "./routes.js"
import type { ApiFailure, RequestState } from "./state.js"
import { fail, pathId } from "./state.js"

/** @internal */
export const attachmentRoutes: Family = (parts) => {
  const { withStore } = parts.env
  const { endpoint, sessionAuth } = parts.security
  const { objects } = parts

  const upload = (state: RequestState, userId: number, accountId: number | undefined) =>
    Effect.gen(function*() {
      const contentType = state.headers["content-type"]
      const description = state.headers["x-bunq-attachment-description"]
      if (
        contentType === undefined || contentType.length === 0 || description === undefined || state.body.length === 0
      ) {
        return yield* fail(400, Messages.attachmentHeaders)
      }
      return yield* withStore((store) => {
        const id = store.ledger.nextAttachmentId++
        const record: AttachmentRecord = {
          id,
          uuid: uuidFor(id, 17),
          accountId,
          userId,
          created: state.now,
          contentType,
          description,
          bytes: state.body
        }
        store.ledger.attachments.set(id, record)
        store.ledger.attachmentsByUuid.set(record.uuid, record)
        return record
      })
    })

  const publicParam: Effect.Effect<AttachmentRecord, ApiFailure, HttpRouter.RouteContext> = Effect.gen(function*() {
    const params = yield* HttpRouter.params
    const uuid = params["uuid"] ?? ""
    const record = yield* withStore((store) => store.ledger.attachmentsByUuid.get(uuid))
    if (record === undefined || record.accountId !== undefined) {
      return yield* fail(404, Messages.notFound("AttachmentPublic", "Bijlage", uuid))
    }
    return record
  })

  const uploadPublic = endpoint(
    "POST",
    "/attachment-public",
    sessionAuth,
    (auth, state) =>
      Effect.map(upload(state, auth.user.id, undefined), (record) => ({ items: [{ Uuid: { uuid: record.uuid } }] }))
  )

  const readPublic = endpoint(
    "GET",
    "/attachment-public/{uuid}",
    sessionAuth,
    () => Effect.map(publicParam, (record) => ({ items: [objects.attachmentPublic(record)], escapeSlashes: true }))
  )

  const contentPublic = endpoint(
    "GET",
    "/attachment-public/{uuid}/content",
    sessionAuth,
    () =>
      Effect.map(
        publicParam,
        (record) => ({ items: [], raw: { bytes: record.bytes, contentType: record.contentType } })
      )
  )

  const uploadAccount = endpoint("POST", "/attachment", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const [account] = yield* accountParam(parts, auth, "accountId")
      const record = yield* upload(state, auth.user.id, account.id)
      return { items: [{ Id: { id: record.id } }] }
    }))

  const contentAccount = endpoint("GET", "/attachment/{id}/content", sessionAuth, (auth) =>
    Effect.gen(function*() {
      const [account] = yield* accountParam(parts, auth, "accountId")
      const id = yield* pathId("Attachment", "Bijlage")
      const record = yield* withStore((store) => store.ledger.attachments.get(id))
      if (record === undefined || record.accountId !== account.id) {
        return yield* fail(404, Messages.notFound("Attachment", "Bijlage", String(id)))
      }
      return { items: [], raw: { bytes: record.bytes, contentType: record.contentType } }
    }))

  return [
    route("POST", "/attachment-public", uploadPublic),
    route("GET", "/attachment-public/:uuid", readPublic),
    route("GET", "/attachment-public/:uuid/content", contentPublic),
    route("POST", "/user/:userId/monetary-account/:accountId/attachment", uploadAccount),
    route("GET", "/user/:userId/monetary-account/:accountId/attachment/:id/content", contentAccount)
  ]
}
