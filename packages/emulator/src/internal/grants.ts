/**
 * Access granted to others: OAuth clients with their callback URLs, authorization codes, and the state of the OAuth
 * host (`/oauth/auth`, `/oauth/token`, `/oauth/v1/token`, outside the API's base path, like bunq's own OAuth hosts).
 * The token endpoint answers plain JSON (bunq's OAuth hosts do not sign), never an `{"Response":…}` envelope.
 *
 * @internal
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { OAuthAuthorization, OAuthClient, SandboxUser } from "../BunqEmulator.js"
import type { CallbackUrlRecord, OAuthClientRecord } from "./grantState.js"
import { codeLifetimeMillis } from "./grantState.js"
import type { UserRecord } from "./objects.js"
import type { Env, RequestState, Store } from "./state.js"
import { encoder, randomHex } from "./state.js"
import { OAuthAuthorizationError } from "./tags.js"
import type { Users } from "./users.js"

/** @internal */
export const addClient = (
  store: Store,
  now: number,
  fields: {
    readonly ownerUserId: number
    readonly displayName?: string | undefined
    readonly status?: string | undefined
  }
): OAuthClientRecord => {
  const grants = store.grants
  const record: OAuthClientRecord = {
    id: grants.nextClientId++,
    created: now,
    clientId: randomHex(32),
    secret: randomHex(32),
    ownerUserId: fields.ownerUserId,
    displayName: fields.displayName ?? `Emulated app ${grants.nextClientId - 1}`,
    status: fields.status ?? "ACTIVE",
    callbackUrls: []
  }
  grants.clients.set(record.id, record)
  grants.clientsByClientId.set(record.clientId, record)
  return record
}

/** @internal */
export const addCallbackUrl = (
  store: Store,
  client: OAuthClientRecord,
  now: number,
  url: string
): CallbackUrlRecord => {
  const record: CallbackUrlRecord = { id: store.grants.nextCallbackUrlId++, created: now, url }
  client.callbackUrls.push(record)
  return record
}

const oauthError = (status: number, error: string, description: string) =>
  HttpServerResponse.uint8Array(encoder.encode(JSON.stringify({ error, error_description: description })), {
    status,
    contentType: "application/json"
  })

/** bunq's text for every refused code: unknown, expired, used already or for another redirect URI. */
const invalidGrant = () => oauthError(400, "invalid_grant", "The authorization code is invalid or expired.")

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** @internal */
export const makeGrants = (env: Env, users: Users) => {
  const { withStore } = env

  const userOf = (store: Store, user: number | SandboxUser): UserRecord | undefined =>
    store.users.get(typeof user === "number" ? user : user.id)

  const createOAuthClient = (options?: {
    readonly owner?: number | SandboxUser | undefined
    readonly redirectUris?: ReadonlyArray<string> | undefined
    readonly displayName?: string | undefined
  }): Effect.Effect<OAuthClient> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.flatten(withStore((store) => {
        const owner = options?.owner === undefined
          ? users.addUser(store, now, { type: "person" })
          : userOf(store, options.owner)
        if (owner === undefined) return Effect.dieMessage("createOAuthClient: no such owner")
        const client = addClient(store, now, { ownerUserId: owner.id, displayName: options?.displayName })
        for (const url of options?.redirectUris ?? []) addCallbackUrl(store, client, now, url)
        return Effect.succeed({
          id: client.id,
          clientId: client.clientId,
          clientSecret: Redacted.make(client.secret),
          ownerUserId: owner.id
        })
      })))

  /** Check an authorization request as bunq's authorization page would; the error names what is wrong. */
  const validate = (store: Store, params: URLSearchParams) => {
    const clientId = params.get("client_id")
    const redirectUri = params.get("redirect_uri")
    if (params.get("response_type") !== "code") return "response_type must be code" as const
    const client = clientId === null ? undefined : store.grants.clientsByClientId.get(clientId)
    if (client === undefined || client.status !== "ACTIVE") return "unknown or inactive client_id" as const
    if (redirectUri === null || !client.callbackUrls.some((c) => c.url === redirectUri)) {
      return "redirect_uri is not one of the client's callback URLs" as const
    }
    return { client, redirectUri, state: params.get("state") ?? undefined }
  }

  const redirectWith = (redirectUri: string, params: Record<string, string | undefined>) => {
    const url = new URL(redirectUri)
    for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value)
    return url.toString()
  }

  /** Decide as the user would; returns the URL bunq sends the user back to. */
  const decide = (
    store: Store,
    now: number,
    params: URLSearchParams,
    user: UserRecord | undefined,
    deny: boolean
  ): string | OAuthAuthorizationError => {
    const checked = validate(store, params)
    if (typeof checked === "string") return new OAuthAuthorizationError({ description: checked })
    if (user === undefined || (user.type !== "person" && user.type !== "company")) {
      return new OAuthAuthorizationError({ description: "the granting user must be a person or a company" })
    }
    if (deny) return redirectWith(checked.redirectUri, { error: "access_denied", state: checked.state })
    const code = randomHex(32)
    store.grants.codes.set(code, {
      clientId: checked.client.clientId,
      redirectUri: checked.redirectUri,
      state: checked.state,
      userId: user.id,
      expiresAt: now + codeLifetimeMillis,
      used: false
    })
    return redirectWith(checked.redirectUri, { code, state: checked.state })
  }

  const authorizeOAuth = (request: OAuthAuthorization): Effect.Effect<string, OAuthAuthorizationError> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.flatten(withStore((store) => {
        let params: URLSearchParams
        try {
          params = new URL(request.url).searchParams
        } catch {
          return Effect.fail(new OAuthAuthorizationError({ description: "not an authorization URL" }))
        }
        const result = decide(store, now, params, userOf(store, request.user), request.deny === true)
        return typeof result === "string" ? Effect.succeed(result) : Effect.fail(result)
      })))

  /** `POST /oauth/v1/token` (query) and `POST /oauth/token` (form). */
  const token = (state: RequestState, form: boolean) =>
    Effect.flatten(withStore((store) => {
      const params = form ? new URLSearchParams(new TextDecoder().decode(state.body)) : state.searchParams
      if (params.get("grant_type") !== "authorization_code") {
        return Effect.succeed(oauthError(400, "unsupported_grant_type", "Only authorization_code is supported."))
      }
      const client = store.grants.clientsByClientId.get(params.get("client_id") ?? "")
      if (client === undefined || client.secret !== params.get("client_secret") || client.status !== "ACTIVE") {
        return Effect.succeed(oauthError(401, "invalid_client", "The client credentials are invalid."))
      }
      const code = store.grants.codes.get(params.get("code") ?? "")
      if (
        code === undefined || code.used || state.now > code.expiresAt || code.clientId !== client.clientId ||
        code.redirectUri !== params.get("redirect_uri")
      ) {
        return Effect.succeed(invalidGrant())
      }
      code.used = true
      const grantor = store.users.get(code.userId)
      const requester = store.users.get(client.ownerUserId)
      if (grantor === undefined || requester === undefined) return Effect.succeed(invalidGrant())
      const apiKeyUser = users.addUser(store, state.now, { type: "api-key" })
      apiKeyUser.grant = { grantedBy: grantor, requestedBy: requester }
      const body = { access_token: apiKeyUser.apiKey, token_type: "bearer", state: code.state ?? null }
      return Effect.succeed(
        HttpServerResponse.uint8Array(encoder.encode(JSON.stringify(body)), { contentType: "application/json" })
      )
    }))

  /** `GET /oauth/auth`: a page to accept (or refuse) as one of the emulator's users; `GET /oauth/decide` acts. */
  const page = (state: RequestState) =>
    Effect.flatten(withStore((store) => {
      const checked = validate(store, state.searchParams)
      if (typeof checked === "string") {
        return Effect.succeed(
          HttpServerResponse.text(`bunq emulator: bad authorization request: ${checked}`, { status: 400 })
        )
      }
      const people = [...store.users.values()].filter((u) => u.type === "person" || u.type === "company")
      const link = (user: UserRecord, deny: boolean) => {
        const params = new URLSearchParams(state.searchParams)
        params.set("user_id", String(user.id))
        if (deny) params.set("deny", "1")
        return `decide?${params.toString()}`
      }
      const rows = people.map((u) =>
        `<li>user ${u.id}: <a href="${escapeHtml(link(u, false))}">grant access</a> · ` +
        `<a href="${escapeHtml(link(u, true))}">refuse</a></li>`
      ).join("")
      const html = `<!doctype html><meta charset="utf-8"><title>bunq emulator: authorize</title>` +
        `<h1>${escapeHtml(checked.client.displayName)} asks for access</h1><ul>${rows}</ul>`
      return Effect.succeed(HttpServerResponse.html(html))
    }))

  const decidePage = (state: RequestState) =>
    Effect.flatten(withStore((store) => {
      const user = store.users.get(Number(state.searchParams.get("user_id")))
      const result = decide(store, state.now, state.searchParams, user, state.searchParams.get("deny") === "1")
      return Effect.succeed(
        typeof result === "string"
          ? HttpServerResponse.empty({ status: 302, headers: { location: result } })
          : HttpServerResponse.text(`bunq emulator: ${result.description}`, { status: 400 })
      )
    }))

  /** The OAuth host, for paths under `/oauth` (given without that prefix); `undefined` for other paths. */
  const route = (state: RequestState, path: string) => {
    if (state.method === "POST" && path === "/v1/token") return token(state, false)
    if (state.method === "POST" && path === "/token") return token(state, true)
    if (state.method === "GET" && path === "/auth") return page(state)
    if (state.method === "GET" && path === "/decide") return decidePage(state)
    return Effect.succeed(oauthError(404, "not_found", "No such OAuth endpoint."))
  }

  return { createOAuthClient, authorizeOAuth, route } as const
}

/** @internal */
export type GrantsService = ReturnType<typeof makeGrants>
