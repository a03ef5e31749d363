/**
 * Sandbox user creation: sent without any token (there is no session yet), and bunq answers with an `ApiKey`.
 */
import { BunqClient } from "@effect-bunq/http/BunqClient"
import type { BunqError } from "@effect-bunq/http/BunqError"
import { DecodeError } from "@effect-bunq/http/BunqError"
import * as ApiKeySchema from "@effect-bunq/schema/ApiKey"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { Descriptor } from "./operation.js"

/** `POST /sandbox-user-person` or `/sandbox-user-company`, no token, no signature: the new user's API key. @internal */
export const createUser = (
  descriptor: Descriptor
): () => Effect.Effect<Redacted.Redacted<string>, BunqError, BunqClient> =>
  Effect.fn(descriptor.name)(function*() {
    const client = yield* BunqClient
    const request = {
      operation: descriptor.name,
      method: descriptor.method,
      path: descriptor.path,
      auth: { _tag: "None" }
    } as const
    const response = yield* client.execute(request)
    const apiKey = yield* Effect.mapError(ApiKeySchema.decodeCreateResponse(response.items), (error) =>
      new DecodeError({
        operation: descriptor.name,
        method: descriptor.method,
        path: descriptor.path,
        requestId: response.requestId,
        ...(response.responseId === undefined ? {} : { responseId: response.responseId }),
        status: response.status,
        description: error.message
      }))
    return apiKey.api_key
  })
