/**
 * The API-context endpoints: installation, device-server, session-server, session, user, sandbox users.
 *
 * @internal
 */
import * as DeviceServer from "@effect-bunq/schema/DeviceServer"
import * as Installation from "@effect-bunq/schema/Installation"
import * as SessionServer from "@effect-bunq/schema/SessionServer"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Messages from "./messages.js"
import { deviceObject, timestamp, userWrapper } from "./objects.js"
import { pageOf } from "./pagination.js"
import type { Family } from "./routes.js"
import { route } from "./routes.js"
import { ipPermitted } from "./security.js"
import type { InstallationRecord, SessionRecord } from "./state.js"
import { decodeBody, fail, normalizeIp, pathId, randomHex } from "./state.js"

/** @internal */
export const contextRoutes: Family = ({ env, security, users }) => {
  const { basePath, serverKey, signer, storeRef, withStore } = env
  const { endpoint, installationAuth, noAuth, sessionAuth } = security
  const { addDevice, addUser } = users

  const postInstallation = endpoint("POST", "/installation", noAuth, (_, state) =>
    Effect.gen(function*() {
      const { client_public_key: pem } = yield* decodeBody(Installation.InstallationCreateRequest, state)
      // A probe verify tells a malformed or weak key apart from a mere signature mismatch.
      const probe = yield* Effect.either(signer.verify(pem, new Uint8Array(0), "AAAA"))
      if (probe._tag === "Left" && (probe.left.reason === "MalformedPem" || probe.left.reason === "UnsupportedKey")) {
        return yield* fail(400, Messages.invalidPublicKey)
      }
      const installation = yield* withStore((store) => {
        const record: InstallationRecord = {
          id: store.nextInstallationId++,
          tokenId: store.nextTokenId++,
          token: randomHex(32),
          created: state.now,
          clientPublicKeyPem: pem,
          requestIds: new Set()
        }
        store.installations.set(record.id, record)
        store.installationsByToken.set(record.token, record)
        store.issued.push({ kind: "installation", id: record.id, token: record.token })
        return record
      })
      // The request id of the installation call belongs to the new device.
      const requestId = state.headers["x-bunq-client-request-id"]
      if (requestId !== undefined) installation.requestIds.add(requestId)
      return {
        items: [
          { Id: { id: installation.id } },
          {
            Token: {
              id: installation.tokenId,
              created: timestamp(installation.created),
              updated: timestamp(installation.created),
              token: installation.token
            }
          },
          { ServerPublicKey: { server_public_key: serverKey.publicKeyPem } }
        ]
      }
    }))

  const getInstallations = endpoint(
    "GET",
    "/installation",
    sessionAuth,
    (auth) => Effect.succeed({ items: [{ Id: { id: auth.installation.id } }] })
  )

  const getInstallation = endpoint("GET", "/installation/{id}", sessionAuth, (auth) =>
    Effect.gen(function*() {
      const id = yield* pathId("Installation", "Installatie")
      if (id !== auth.installation.id) {
        return yield* fail(404, Messages.notFound("Installation", "Installatie", String(id)))
      }
      return { items: [{ Id: { id } }] }
    }))

  const getServerPublicKey = endpoint(
    "GET",
    "/installation/{id}/server-public-key",
    sessionAuth,
    (auth) =>
      Effect.gen(function*() {
        const id = yield* pathId("Installation", "Installatie")
        if (id !== auth.installation.id) {
          return yield* fail(404, Messages.notFound("Installation", "Installatie", String(id)))
        }
        return { items: [{ ServerPublicKey: { server_public_key: serverKey.publicKeyPem } }] }
      })
  )

  const postDeviceServer = endpoint(
    "POST",
    "/device-server",
    installationAuth(false),
    (auth, state) =>
      Effect.gen(function*() {
        const body = yield* decodeBody(DeviceServer.DeviceServerCreateRequest, state)
        const description = body.description
        const secret = Redacted.value(body.secret)
        const list = body.permitted_ips ?? []
        const device = yield* withStore((store) => {
          const user = store.usersByApiKey.get(secret)
          if (user === undefined) return undefined
          if (user.binding === undefined) {
            const ips = list.filter((ip) => ip !== "*").map(normalizeIp)
            user.binding = { ips: new Set(ips.length > 0 ? ips : [state.clientIp]), wildcard: list.includes("*") }
          } else if (!ipPermitted(user, state.clientIp)) {
            return undefined
          }
          return addDevice(store, user, {
            created: state.now,
            description,
            ip: state.clientIp,
            installationId: auth.installation.id
          })
        })
        if (device === undefined) return yield* fail(400, Messages.incorrectCredentials)
        return { items: [{ Id: { id: device.id } }] }
      })
  )

  const listDevices = endpoint("GET", "/device-server", sessionAuth, (auth, state) =>
    Effect.gen(function*() {
      const store = yield* Ref.get(storeRef)
      const page = yield* pageOf(auth.user.devices, state.searchParams, `${basePath}/device-server`)
      return { items: page.ids.map((id) => deviceObject(store.devices.get(id)!)), pagination: page.pagination }
    }))

  const getDevice = endpoint("GET", "/device-server/{id}", sessionAuth, (auth) =>
    Effect.gen(function*() {
      const id = yield* pathId("DeviceServer", "Apparaat")
      const device = yield* withStore((store) => store.devices.get(id))
      if (device === undefined || device.userId !== auth.user.id) {
        return yield* fail(404, Messages.notFound("DeviceServer", "Apparaat", String(id)))
      }
      return { items: [deviceObject(device)] }
    }))

  const postSessionServer = endpoint(
    "sessionServer",
    "/session-server",
    installationAuth(true),
    (auth, state) =>
      Effect.gen(function*() {
        const body = yield* decodeBody(SessionServer.SessionServerCreateRequest, state)
        const secret = Redacted.value(body.secret)
        const result = yield* withStore((store) => {
          const user = store.usersByApiKey.get(secret)
          if (user === undefined) return undefined
          const deviceId = store.deviceByInstallationUser.get(`${auth.installation.id}:${user.id}`)
          if (deviceId === undefined || !ipPermitted(user, state.clientIp)) return undefined
          const session: SessionRecord = {
            id: store.nextSessionId++,
            tokenId: store.nextTokenId++,
            token: randomHex(32),
            created: state.now,
            expiresAt: state.now + user.sessionTimeout * 1000,
            userId: user.id,
            installationId: auth.installation.id,
            deviceId
          }
          store.sessions.set(session.id, session)
          store.sessionsByToken.set(session.token, session)
          store.issued.push({ kind: "session", id: session.id, token: session.token })
          return { session, user }
        })
        if (result === undefined) return yield* fail(400, Messages.incorrectCredentials)
        const { session, user } = result
        return {
          pretty: true,
          items: [
            { Id: { id: session.id } },
            {
              Token: {
                id: session.tokenId,
                created: timestamp(session.created),
                updated: timestamp(session.created),
                token: session.token
              }
            },
            userWrapper(user)
          ]
        }
      })
  )

  const deleteSession = endpoint("DELETE", "/session/{id}", sessionAuth, (auth) =>
    Effect.gen(function*() {
      const id = yield* pathId("Session", "Sessie")
      const deleted = yield* withStore((store) => {
        const session = id === 0 ? auth.session : store.sessions.get(id)
        if (session === undefined || session.userId !== auth.user.id) return false
        store.sessions.delete(session.id)
        store.sessionsByToken.delete(session.token)
        return true
      })
      if (!deleted) return yield* fail(404, Messages.notFound("Session", "Sessie", String(id)))
      return { items: [] }
    }))

  const listUsers = endpoint("GET", "/user", sessionAuth, (auth) =>
    Effect.succeed({
      pretty: true,
      items: [userWrapper(auth.user)],
      pagination: { future_url: `${basePath}/user?newer_id=${auth.user.id}`, newer_url: null, older_url: null }
    }))

  const getUser = endpoint("GET", "/user/{id}", sessionAuth, (auth) =>
    Effect.gen(function*() {
      const id = yield* pathId("User", "Gebruiker")
      if (id !== auth.user.id) return yield* fail(404, Messages.notFound("User", "Gebruiker", String(id)))
      return { pretty: true, items: [userWrapper(auth.user)] }
    }))

  const postSandboxUser = (type: "person" | "company", name: string) =>
    endpoint("POST", name, noAuth, (_, state) =>
      withStore((store) => addUser(store, state.now, { type })).pipe(
        Effect.map((user) => ({ items: [{ ApiKey: { api_key: user.apiKey } }] }))
      ))

  return [
    route("POST", "/installation", postInstallation),
    route("GET", "/installation", getInstallations),
    route("GET", "/installation/:id", getInstallation),
    route("GET", "/installation/:id/server-public-key", getServerPublicKey),
    route("POST", "/device-server", postDeviceServer),
    route("GET", "/device-server", listDevices),
    route("GET", "/device-server/:id", getDevice),
    route("POST", "/session-server", postSessionServer),
    route("DELETE", "/session/:id", deleteSession),
    route("GET", "/user", listUsers),
    route("GET", "/user/:id", getUser),
    route("POST", "/sandbox-user-person", postSandboxUser("person", "/sandbox-user-person")),
    route("POST", "/sandbox-user-company", postSandboxUser("company", "/sandbox-user-company"))
  ]
}
