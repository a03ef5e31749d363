/**
 * `POST /installation` and friends: the request body, the create response as one typed value (id, installation
 * token, server public key), and the list/read responses.
 *
 * ```ts
 * import * as Installation from "@effect-bunq/schema/Installation"
 *
 * const body = Installation.encodeCreateRequest(new Installation.InstallationCreateRequest({ client_public_key: pem }))
 * const installation = Installation.decodeCreateResponse(response.items)
 * // Effect<Installation, SchemaDecodeError>: installation.token.token is Redacted, installation.serverPublicKey a PEM
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Id, PublicKeyPem, ServerPublicKey, Token } from "./Common.js"
import * as Envelope from "./Envelope.js"
import * as items_ from "./internal/items.js"
import * as SchemaDecodeError from "./SchemaDecodeError.js"

/**
 * The body of `POST /installation`: `{"client_public_key":"-----BEGIN PUBLIC KEY-----\n…"}` (SPKI PEM of the
 * client's RSA-2048 key).
 *
 * @since 0.1.0
 * @category request bodies
 */
export class InstallationCreateRequest extends Schema.Class<InstallationCreateRequest>("InstallationCreateRequest")({
  client_public_key: PublicKeyPem
}) {}

/**
 * Encodes the request body to the JSON object bunq expects.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeCreateRequest: (
  request: InstallationCreateRequest
) => Effect.Effect<typeof InstallationCreateRequest.Encoded, SchemaDecodeError.SchemaDecodeError> = SchemaDecodeError
  .encode(InstallationCreateRequest, "InstallationCreateRequest")

/**
 * The answer to `POST /installation`, as one value: the installation's `id`, the installation `token` (its `token`
 * field is `Redacted`) and the `serverPublicKey` PEM that verifies every later response.
 *
 * @since 0.1.0
 * @category models
 */
export class Installation extends Schema.Class<Installation>("Installation")({
  id: Schema.Int,
  token: Token,
  serverPublicKey: PublicKeyPem
}) {}

/**
 * `Response` items ⇄ `Installation`. Decodes `Id`, `Token` and `ServerPublicKey` by type name (in any order; each
 * is required); encodes them in bunq's order `[Id, Token, ServerPublicKey]`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateResponse: Schema.Schema<Installation, ReadonlyArray<Envelope.Item>> = items_.responseSchema(
  "Installation.CreateResponse",
  Installation,
  {
    decode: (items) =>
      Effect.map(
        Effect.all({
          id: items_.pickOne(items, "Id", Id),
          token: items_.pickOne(items, "Token", Token),
          serverPublicKey: items_.pickOne(items, "ServerPublicKey", ServerPublicKey)
        }),
        ({ id, serverPublicKey, token }) =>
          new Installation({ id: id.id, token, serverPublicKey: serverPublicKey.server_public_key })
      ),
    encode: (installation) =>
      Effect.all([
        items_.encodeItem("Id", Id, new Id({ id: installation.id })),
        items_.encodeItem("Token", Token, installation.token),
        items_.encodeItem(
          "ServerPublicKey",
          ServerPublicKey,
          new ServerPublicKey({ server_public_key: installation.serverPublicKey })
        )
      ])
  }
)

/**
 * Decodes the answer to `POST /installation` from the `Response` items (or a decoded envelope).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeCreateResponse = (
  source: Envelope.Source
): Effect.Effect<Installation, SchemaDecodeError.SchemaDecodeError> =>
  Envelope.fromItems(source, "Installation.CreateResponse", (items) => items_.decodeWith(CreateResponse, items))

/**
 * Decodes the answer to `GET /installation/{id}`: the installation id.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeReadResponse = (
  source: Envelope.Source
): Effect.Effect<number, SchemaDecodeError.SchemaDecodeError> => Envelope.createdId(source)

/**
 * Decodes the answer to `GET /installation`: the installation ids.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeListResponse = (
  source: Envelope.Source
): Effect.Effect<Array<number>, SchemaDecodeError.SchemaDecodeError> =>
  Effect.map(Envelope.pickAll(source, "Id", Id), (ids) => ids.map((id) => id.id))

/**
 * Decodes the answer to `GET /installation/{id}/server-public-key`: the server's public key PEM.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeServerPublicKeyResponse = (
  source: Envelope.Source
): Effect.Effect<string, SchemaDecodeError.SchemaDecodeError> =>
  Effect.map(Envelope.pickOne(source, "ServerPublicKey", ServerPublicKey), (key) => key.server_public_key)
