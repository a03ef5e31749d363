/**
 * `BunqClient`: the one door to bunq. It transforms the injected `@effect/platform` `HttpClient` so that every request
 * carries bunq's headers, the token the caller names, and a signature over the exact body bytes sent; and every
 * response is verified over its raw bytes with the server's public key before it is parsed.
 *
 * The client never guesses a token: the caller (usually `@effect-bunq/device-server/ApiContext`) says which
 * credentials a request uses.
 *
 * @since 0.1.0
 */
import type * as Signer from "@effect-bunq/signer/Signer"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Stream from "effect/Stream"
import type { BunqError } from "./BunqError.js"

/**
 * Which token a request carries in `X-Bunq-Client-Authentication`.
 *
 * - `None`: `POST /installation` and `POST /sandbox-user-person`.
 * - `Installation`: `POST /device-server`, `POST /session-server`.
 * - `Session`: everything else.
 *
 * @since 0.1.0
 * @category models
 */
export type Auth =
  | { readonly _tag: "None" }
  | { readonly _tag: "Installation"; readonly token: Redacted.Redacted<string> }
  | { readonly _tag: "Session"; readonly token: Redacted.Redacted<string> }

/**
 * @since 0.1.0
 * @category models
 */
export type Method = "GET" | "POST" | "PUT" | "DELETE"

/**
 * A request to bunq, before headers, signing and verification.
 *
 * @since 0.1.0
 * @category models
 */
export interface BunqRequest {
  /** The operation name, used as the span name (e.g. `"DeviceServer.get"`). */
  readonly operation: string
  readonly method: Method
  /** Path relative to the base URL, starting with `/`, e.g. `/device-server/12`. May carry a query string. */
  readonly path: string
  /** Query parameters appended to `path`. */
  readonly urlParams?: Readonly<Record<string, string | number>> | undefined
  /** A JSON value: serialized once to UTF-8 bytes, and those bytes are signed and sent. */
  readonly body?: unknown
  readonly auth: Auth
  /** The client's private key: when present the body bytes (or the empty string) are signed. */
  readonly signWith?: Signer.PrivateKey | undefined
  /**
   * The server public key (SPKI PEM) that must have signed the response. Every request after installation passes
   * it; when absent (only `POST /installation` and `POST /sandbox-user-person`) the response is not verified.
   */
  readonly verifyWith?: string | undefined
}

/**
 * The `Pagination` object of a list response, resolved against the request: each link is `undefined` when bunq sent
 * `null` or nothing.
 *
 * @since 0.1.0
 * @category models
 */
export interface PageLinks {
  readonly olderUrl?: string | undefined
  readonly newerUrl?: string | undefined
  readonly futureUrl?: string | undefined
}

/**
 * A verified, parsed bunq response.
 *
 * @since 0.1.0
 * @category models
 */
export interface BunqResponse {
  readonly status: number
  readonly requestId: string
  readonly responseId: string | undefined
  /** The `Response` array: single-key objects such as `{ "Id": { "id": 1 } }`. */
  readonly items: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly pagination: PageLinks | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class BunqClient extends Context.Tag("@effect-bunq/http/BunqClient")<BunqClient, BunqClient.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace BunqClient {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** Send one request: headers, signing, rate limiting, retries (GET only), verification, envelope decoding. */
    readonly execute: (request: BunqRequest) => Effect.Effect<BunqResponse, BunqError>
    /**
     * Follow `older_url` lazily from a first list request (`count` defaults to 200), emitting each page's items.
     * Every page is a separate verified request built from the first one's auth and keys.
     */
    readonly paginate: (request: BunqRequest) => Stream.Stream<BunqResponse, BunqError>
  }
}
