/**
 * Installations: bunq's record of the client's public key (`/installation`).
 *
 * `create` is the first call of every context and takes no credentials; `ApiContext` calls it for you. The other
 * calls use the current session from `ApiContext`.
 *
 * @since 0.1.0
 */
import type { BunqClient } from "@effect-bunq/http/BunqClient"
import type { BunqError } from "@effect-bunq/http/BunqError"
import * as InstallationSchema from "@effect-bunq/schema/Installation"
import * as Effect from "effect/Effect"
import * as ApiContext from "./ApiContext.js"
import * as programs from "./internal/programs.js"

/**
 * The credentials of the calls that use the installation token (`POST /device-server`, `POST /session-server`):
 * the installation token, the client's private key (signing) and bunq's server public key (verifying).
 *
 * @since 0.1.0
 * @category models
 */
export type Credentials = programs.InstallationCredentials

/**
 * `POST /installation`: register a public key (SPKI PEM). Returns the installation id, the installation token and
 * bunq's server public key. No token, no signature.
 *
 * @since 0.1.0
 * @category programs
 */
export const create: (
  publicKeyPem: string
) => Effect.Effect<InstallationSchema.Installation, BunqError, BunqClient> = programs.createInstallation

/**
 * `GET /installation`: the ids of the installations of the current session (bunq returns the one in use).
 *
 * @since 0.1.0
 * @category programs
 */
export const list: () => Effect.Effect<ReadonlyArray<number>, ApiContext.ApiContextError, ApiContext.ApiContext> =
  /* @__PURE__ */ Effect.fn("Installation.list")(function*() {
    const request = { operation: "Installation.list", method: "GET", path: "/installation" } as const
    const response = yield* ApiContext.request(request)
    return yield* programs.decodeItems(request, response, InstallationSchema.decodeListResponse)
  })

/**
 * `GET /installation/{id}`: the installation's id, when it is the current installation (bunq answers 404
 * otherwise).
 *
 * @since 0.1.0
 * @category programs
 */
export const get: (id: number) => Effect.Effect<number, ApiContext.ApiContextError, ApiContext.ApiContext> =
  /* @__PURE__ */ Effect.fn("Installation.get")(function*(id: number) {
    const request = { operation: "Installation.get", method: "GET", path: `/installation/${id}` } as const
    const response = yield* ApiContext.request(request)
    return yield* programs.decodeItems(request, response, InstallationSchema.decodeReadResponse)
  })

/**
 * `GET /installation/{id}/server-public-key`: bunq's server public key (SPKI PEM) for the installation.
 *
 * @since 0.1.0
 * @category programs
 */
export const serverPublicKey: (
  id: number
) => Effect.Effect<string, ApiContext.ApiContextError, ApiContext.ApiContext> = /* @__PURE__ */ Effect.fn(
  "Installation.serverPublicKey"
)(function*(id: number) {
  const request = {
    operation: "Installation.serverPublicKey",
    method: "GET",
    path: `/installation/${id}/server-public-key`
  } as const
  const response = yield* ApiContext.request(request)
  return yield* programs.decodeItems(request, response, InstallationSchema.decodeServerPublicKeyResponse)
})
