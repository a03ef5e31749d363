/**
 * "Fetch one page" for a list program: `GET path` with the page's query parameters through `ApiContext`, the items
 * decoded, the cursors read from bunq's `Pagination` links. `Pagination.page` and `Pagination.stream` do the rest.
 */
import * as Pagination from "@effect-bunq/http/Pagination"
import type * as Envelope from "@effect-bunq/schema/Envelope"
import type { SchemaDecodeError } from "@effect-bunq/schema/SchemaDecodeError"
import * as Effect from "effect/Effect"
import * as ApiContext from "../ApiContext.js"
import { decodeItems } from "./programs.js"

/** @internal */
export const fetchPage = <A>(
  operation: string,
  path: string,
  decode: (items: Envelope.Items) => Effect.Effect<ReadonlyArray<A>, SchemaDecodeError>
) =>
(urlParams: Pagination.UrlParams): Effect.Effect<
  Pagination.Page<A>,
  ApiContext.ApiContextError,
  ApiContext.ApiContext
> => {
  const request = { operation, method: "GET", path, urlParams } as const
  return Effect.flatMap(
    ApiContext.request(request),
    (response) =>
      Effect.map(decodeItems(request, response, decode), (items) => Pagination.fromResponse(response, items))
  )
}
