/**
 * `POST /session-server`: the request body (`{"secret": <API key>}`) and the create response as one typed value:
 * the session id, the session token and the user.
 *
 * ```ts
 * import * as SessionServer from "@effect-bunq/schema/SessionServer"
 *
 * const session = SessionServer.decodeCreateResponse(response.items) // Effect<SessionServer, SchemaDecodeError>
 * // session.token.token: Redacted session token; session.user: User.User; SessionServer.sessionTimeout(session)
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Id, Token } from "./Common.js"
import * as Envelope from "./Envelope.js"
import * as items_ from "./internal/items.js"
import * as SchemaDecodeError from "./SchemaDecodeError.js"
import * as User from "./User.js"

/**
 * The body of `POST /session-server`. `secret` is the API key, kept `Redacted` (revealed only by encoding).
 *
 * @since 0.1.0
 * @category request bodies
 */
export class SessionServerCreateRequest extends Schema.Class<SessionServerCreateRequest>("SessionServerCreateRequest")({
  secret: Schema.Redacted(Schema.NonEmptyString)
}) {}

/**
 * Encodes the request body to the JSON object bunq expects (`{"secret":"…"}`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeCreateRequest: (
  request: SessionServerCreateRequest
) => Effect.Effect<typeof SessionServerCreateRequest.Encoded, SchemaDecodeError.SchemaDecodeError> = SchemaDecodeError
  .encode(SessionServerCreateRequest, "SessionServerCreateRequest")

/**
 * The answer to `POST /session-server`: the session's `id`, the session `token` (its `token` field is `Redacted`;
 * `created` is present in most responses) and the `user` the session belongs to.
 *
 * @since 0.1.0
 * @category models
 */
export class SessionServer extends Schema.Class<SessionServer>("SessionServer")({
  id: Schema.Int,
  token: Token,
  user: User.User
}) {}

/**
 * `Response` items ⇄ `SessionServer`. Decodes `Id`, `Token` and the first user object (`UserPerson`, `UserCompany`,
 * `UserApiKey` or `UserPaymentServiceProvider`) by type name, each required; encodes `[Id, Token, User…]`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateResponse: Schema.Schema<SessionServer, ReadonlyArray<Envelope.Item>> = items_.responseSchema(
  "SessionServer.CreateResponse",
  SessionServer,
  {
    decode: (items) =>
      Effect.map(
        Effect.all({
          id: items_.pickOne(items, "Id", Id),
          token: items_.pickOne(items, "Token", Token),
          user: User.pickUserIssue(items)
        }),
        ({ id, token, user }) => new SessionServer({ id: id.id, token, user })
      ),
    encode: (session) =>
      Effect.all([
        items_.encodeItem("Id", Id, new Id({ id: session.id })),
        items_.encodeItem("Token", Token, session.token),
        items_.encodeWith(User.User, session.user)
      ])
  }
)

/**
 * Decodes the answer to `POST /session-server` from the `Response` items (or a decoded envelope).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeCreateResponse = (
  source: Envelope.Source
): Effect.Effect<SessionServer, SchemaDecodeError.SchemaDecodeError> =>
  Envelope.fromItems(source, "SessionServer.CreateResponse", (items) => items_.decodeWith(CreateResponse, items))

/**
 * The session lifetime in seconds (see `User.sessionTimeout`: for `UserApiKey` it comes from `requested_by_user`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const sessionTimeout = (session: SessionServer): Option.Option<number> => User.sessionTimeout(session.user)
