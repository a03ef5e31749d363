/**
 * OAuth clients and their callback URLs, as a user (a PSD2 provider, or a person through bunq Developer) manages
 * them: `/user/{userId}/oauth-client[/{id}]` and `/user/{userId}/oauth-client/{oauthClientId}/callback-url[/{id}]`.
 * A client's `client_id` and `secret` are what the OAuth host (`grants.ts`) checks.
 *
 * @internal
 */
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { addCallbackUrl, addClient } from "./grants.js"
import type { CallbackUrlRecord, OAuthClientRecord } from "./grantState.js"
import * as Messages from "./messages.js"
import { timestamp } from "./objects.js"
import { pageOf } from "./pagination.js"
import type { Family } from "./routes.js"
import { route } from "./routes.js"
import type { SessionAuth } from "./security.js"
import type { ApiFailure, RequestState } from "./state.js"
import { decodeBody, fail, pathId } from "./state.js"

const ClientBody = Schema.Struct({ status: Schema.optional(Schema.Literal("ACTIVE", "CANCELLED")) })
const CallbackUrlBody = Schema.Struct({ url: Schema.String.pipe(Schema.filter((url) => URL.canParse(url))) })

const callbackUrlObject = (record: CallbackUrlRecord) => ({
  id: record.id,
  created: timestamp(record.created),
  updated: timestamp(record.created),
  url: record.url
})

const clientObject = (client: OAuthClientRecord) => ({
  OauthClient: {
    id: client.id,
    status: client.status,
    display_name: client.displayName,
    client_id: client.clientId,
    secret: client.secret,
    callback_url: client.callbackUrls.map(callbackUrlObject)
  }
})

/** @internal */
export const oauthClientRoutes: Family = ({ env, security }) => {
  const { basePath, withStore } = env
  const { endpoint, ownUser, sessionAuth } = security

  /** The `:name` client of the session's user. */
  const clientParam = (
    auth: SessionAuth,
    name: "id" | "oauthClientId"
  ): Effect.Effect<OAuthClientRecord, ApiFailure, HttpRouter.RouteContext> =>
    Effect.gen(function*() {
      const user = yield* ownUser(auth)
      const id = yield* pathId("OauthClient", "OauthClient", name)
      const client = yield* withStore((store) => store.grants.clients.get(id))
      return client === undefined || client.ownerUserId !== user.id
        ? yield* fail(404, Messages.notFound("OauthClient", "OauthClient", String(id)))
        : client
    })

  const callbackParam = (auth: SessionAuth) =>
    Effect.gen(function*() {
      const client = yield* clientParam(auth, "oauthClientId")
      const id = yield* pathId("OauthCallbackUrl", "OauthCallbackUrl")
      const callback = client.callbackUrls.find((c) => c.id === id)
      return callback === undefined
        ? yield* fail(404, Messages.notFound("OauthCallbackUrl", "OauthCallbackUrl", String(id)))
        : [client, callback] as const
    })

  const listed = <A extends { readonly id: number }>(
    state: RequestState,
    records: ReadonlyArray<A>,
    path: string,
    render: (record: A) => unknown
  ) =>
    Effect.map(pageOf(records.map((r) => r.id), state.searchParams, `${basePath}${path}`), (page) => ({
      items: page.ids.map((id) => render(records.find((r) => r.id === id)!)),
      pagination: page.pagination
    }))

  const createClient = endpoint("POST", "/oauth-client", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const user = yield* ownUser(auth)
      const body = yield* decodeBody(ClientBody, state)
      const client = yield* withStore((store) =>
        addClient(store, state.now, { ownerUserId: user.id, status: body.status })
      )
      return { items: [{ Id: { id: client.id } }] }
    }))

  const listClients = endpoint("GET", "/oauth-client", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const user = yield* ownUser(auth)
      const clients = yield* withStore((store) =>
        [...store.grants.clients.values()].filter((c) => c.ownerUserId === user.id)
      )
      return yield* listed(state, clients, `/user/${user.id}/oauth-client`, clientObject)
    }))

  const getClient = endpoint(
    "GET",
    "/oauth-client/{id}",
    sessionAuth,
    (auth) => Effect.map(clientParam(auth, "id"), (client) => ({ items: [clientObject(client)] }))
  )

  const updateClient = endpoint("PUT", "/oauth-client/{id}", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const client = yield* clientParam(auth, "id")
      const body = yield* decodeBody(ClientBody, state)
      if (body.status !== undefined) client.status = body.status
      return { items: [{ Id: { id: client.id } }] }
    }))

  const createCallbackUrl = endpoint(
    "POST",
    "/oauth-client/{id}/callback-url",
    sessionAuth,
    (auth, state) =>
      Effect.gen(function*() {
        const client = yield* clientParam(auth, "oauthClientId")
        const body = yield* decodeBody(CallbackUrlBody, state)
        const record = yield* withStore((store) => addCallbackUrl(store, client, state.now, body.url))
        return { items: [{ Id: { id: record.id } }] }
      })
  )

  const listCallbackUrls = endpoint(
    "GET",
    "/oauth-client/{id}/callback-url",
    sessionAuth,
    (auth, state) =>
      Effect.gen(function*() {
        const client = yield* clientParam(auth, "oauthClientId")
        return yield* listed(
          state,
          client.callbackUrls,
          `/user/${client.ownerUserId}/oauth-client/${client.id}/callback-url`,
          (record) => ({ OauthCallbackUrl: callbackUrlObject(record) })
        )
      })
  )

  const getCallbackUrl = endpoint(
    "GET",
    "/oauth-client/{id}/callback-url/{id}",
    sessionAuth,
    (auth) =>
      Effect.map(
        callbackParam(auth),
        ([, callback]) => ({ items: [{ OauthCallbackUrl: callbackUrlObject(callback) }] })
      )
  )

  const updateCallbackUrl = endpoint(
    "PUT",
    "/oauth-client/{id}/callback-url/{id}",
    sessionAuth,
    (auth, state) =>
      Effect.gen(function*() {
        const [, callback] = yield* callbackParam(auth)
        const body = yield* decodeBody(CallbackUrlBody, state)
        callback.url = body.url
        return { items: [{ Id: { id: callback.id } }] }
      })
  )

  const removeCallbackUrl = endpoint(
    "DELETE",
    "/oauth-client/{id}/callback-url/{id}",
    sessionAuth,
    (auth) =>
      Effect.gen(function*() {
        const [client, callback] = yield* callbackParam(auth)
        client.callbackUrls.splice(client.callbackUrls.indexOf(callback), 1)
        return { items: [] }
      })
  )

  const clients = "/user/:userId/oauth-client" as const
  const callbacks = `${clients}/:oauthClientId/callback-url` as const
  return [
    route("POST", clients, createClient),
    route("GET", clients, listClients),
    route("GET", `${clients}/:id`, getClient),
    route("PUT", `${clients}/:id`, updateClient),
    route("POST", callbacks, createCallbackUrl),
    route("GET", callbacks, listCallbackUrls),
    route("GET", `${callbacks}/:id`, getCallbackUrl),
    route("PUT", `${callbacks}/:id`, updateCallbackUrl),
    route("DELETE", `${callbacks}/:id`, removeCallbackUrl)
  ]
}
