/**
 * Node's network error codes in the words a user searches for: `connection refused (ECONNREFUSED)`,
 * `DNS lookup failed (host not found) (ENOTFOUND)`, a TLS certificate problem. `BunqClient` puts a transport's
 * `description` into its `TransportError`; `UndiciHttpClient` (what `BunqNode.layer` uses) describes its failures
 * this way itself, and `withDescriptions` does it for another Node client (`NodeHttpClient.layer`, the CLI's).
 *
 * Here rather than in `@effect-bunq/http` because only Node and undici produce these codes: in the shared core the
 * table weighed 0.5 KB gzipped in every browser app (esbuild, minified, gzip -9; the API-context app's target is
 * 100 KB). Without a description, `BunqClient` names the first code in the cause chain as it is (`ECONNREFUSED`).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as Effect from "effect/Effect"
import * as internal from "./internal/nodeErrors.js"

/**
 * The first error code in `cause`'s chain (undici nests the system error under `fetch failed`/`other side closed`)
 * in plain words, with the code: `connection refused (ECONNREFUSED)`. An unknown code is returned as it is;
 * `undefined` when the chain has no code.
 *
 * @since 0.1.0
 * @category describing
 */
export const describe: (cause: unknown) => string | undefined = internal.describe

const withDescription = (error: HttpClientError.HttpClientError): HttpClientError.HttpClientError => {
  if (error.description !== undefined) return error
  const description = internal.describe(error.cause)
  if (description === undefined) return error
  return error._tag === "RequestError"
    ? new HttpClientError.RequestError({
      request: error.request,
      reason: error.reason,
      cause: error.cause,
      description
    })
    : new HttpClientError.ResponseError({
      request: error.request,
      response: error.response,
      reason: error.reason,
      cause: error.cause,
      description
    })
}

/**
 * `client` with its request failures described (`describe`) where the client gave no description of its own.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withDescriptions = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(client, (effect) => Effect.mapError(effect, withDescription))
