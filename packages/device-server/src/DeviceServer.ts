/**
 * Device servers: the API key bound to an installation and (unless it is a wildcard key) an IP (`/device-server`).
 *
 * `create` takes the installation credentials explicitly; `ApiContext` calls it for you. `get`, `list` and
 * `listPage` use the current session from `ApiContext`.
 *
 * @since 0.1.0
 */
import type { BunqClient } from "@effect-bunq/http/BunqClient"
import type { BunqError } from "@effect-bunq/http/BunqError"
import * as Pagination from "@effect-bunq/http/Pagination"
import * as DeviceServerSchema from "@effect-bunq/schema/DeviceServer"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as ApiContext from "./ApiContext.js"
import type { Credentials } from "./Installation.js"
import * as listing from "./internal/list.js"
import * as programs from "./internal/programs.js"

/**
 * The body of `POST /device-server`: a description, the API key (`secret`) and the IPs it may be used from
 * (`permittedIps`; omitted: the calling IP only; include `"*"` for a wildcard key usable from any IP).
 *
 * @since 0.1.0
 * @category models
 */
export type CreateOptions = programs.DeviceServerCreateOptions

/**
 * `POST /device-server`: register the API key on the installation. Returns the device server id. Uses the
 * installation token, signed.
 *
 * @since 0.1.0
 * @category programs
 */
export const create: (
  credentials: Credentials,
  options: CreateOptions
) => Effect.Effect<number, BunqError, BunqClient> = programs.createDeviceServer

/**
 * `GET /device-server/{id}`.
 *
 * @since 0.1.0
 * @category programs
 */
export const get: (
  id: number
) => Effect.Effect<DeviceServerSchema.DeviceServer, ApiContext.ApiContextError, ApiContext.ApiContext> =
  /* @__PURE__ */ Effect.fn(
    "DeviceServer.get"
  )(function*(id: number) {
    const request = { operation: "DeviceServer.get", method: "GET", path: `/device-server/${id}` } as const
    const response = yield* ApiContext.request(request)
    return yield* programs.decodeItems(request, response, DeviceServerSchema.decodeReadResponse)
  })

const fetchPage = /* @__PURE__ */ listing.fetchPage(
  "DeviceServer.list",
  "/device-server",
  DeviceServerSchema.decodeListResponse
)

/**
 * `GET /device-server`, one page (`count` default 200, at most 200): pass the returned `olderId` back as `olderId`
 * to get the next page.
 *
 * @since 0.1.0
 * @category programs
 */
export const listPage: (
  options?: Pagination.Options
) => Effect.Effect<
  Pagination.Page<DeviceServerSchema.DeviceServer>,
  ApiContext.ApiContextError,
  ApiContext.ApiContext
> = (options) => Effect.withSpan(Pagination.page(fetchPage, options), "DeviceServer.listPage")

/**
 * `GET /device-server`, every device server from newest to oldest: a `Stream` that fetches the next page (of
 * `count` items, default 200) only when it is needed.
 *
 * @since 0.1.0
 * @category programs
 */
export const list = (
  options?: Pagination.Options
): Stream.Stream<DeviceServerSchema.DeviceServer, ApiContext.ApiContextError, ApiContext.ApiContext> =>
  Stream.withSpan(Pagination.stream(fetchPage, options), "DeviceServer.list")
