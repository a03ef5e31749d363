/**
 * bunq's user objects, as returned by `POST /session-server`, `GET /user` and `GET /user/{id}`: each is wrapped in
 * its type name (`{"UserPerson":{...}}`), and `User` decodes such an item into the tagged union
 * `UserPerson | UserCompany | UserApiKey | UserPaymentServiceProvider` (discriminated by `_tag`, the wrapper key).
 *
 * The fields an app needs are typed (id, display name, public nick name, status, session timeout, aliases, avatar,
 * addresses, …); every field except `id` is optional and accepts `null`. Fields not modelled here are dropped when
 * decoding: read the raw `items` if you need one of them.
 *
 * (Over 400 lines on purpose: one schema per user variant bunq sends, the parts they share (`Pointer`, `Avatar`,
 * `Address`, `LabelUser`) and the union that picks one. The union decodes by class identity over the variants'
 * shared fields, so variants, parts and union change together; moving the parts to an internal module would only
 * add a value-and-type alias per public name here, and a public module of their own would change import paths.)
 *
 * ```ts
 * import * as User from "@effect-bunq/schema/User"
 *
 * const user = User.pickUser(response.items) // Effect<User.User, SchemaDecodeError>
 * // User.sessionTimeout(user): Option<number> (seconds), also for UserApiKey (from requested_by_user)
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Amount, OpenLiteral, optional, Timestamp } from "./Common.js"
import * as Envelope from "./Envelope.js"
import * as items_ from "./internal/items.js"
import type * as SchemaDecodeError from "./SchemaDecodeError.js"

/**
 * The known user statuses; other strings still decode.
 *
 * @since 0.1.0
 * @category models
 */
export type UserStatus = OpenLiteral<"ACTIVE" | "BLOCKED" | "SIGNUP" | "RECOVERY" | "DENIED" | "ABORTED">

/**
 * @since 0.1.0
 * @category schemas
 */
export const UserStatus: Schema.Schema<UserStatus, string> = OpenLiteral(
  "UserStatus",
  "ACTIVE",
  "BLOCKED",
  "SIGNUP",
  "RECOVERY",
  "DENIED",
  "ABORTED"
)

/**
 * An alias of a user or account: `{"type":"EMAIL","value":"bravo@bunq.com","name":""}` (type EMAIL, PHONE_NUMBER,
 * IBAN, …).
 *
 * @since 0.1.0
 * @category schemas
 */
export class Pointer extends Schema.Class<Pointer>("Pointer")({
  type: OpenLiteral("PointerType", "EMAIL", "PHONE_NUMBER", "IBAN"),
  value: Schema.String,
  name: optional(Schema.String),
  service: optional(Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category schemas
 */
export class Image extends Schema.Class<Image>("Image")({
  attachment_public_uuid: optional(Schema.String),
  content_type: optional(Schema.String),
  height: optional(Schema.Number),
  width: optional(Schema.Number)
}) {}

/**
 * @since 0.1.0
 * @category schemas
 */
export class Avatar extends Schema.Class<Avatar>("Avatar")({
  uuid: optional(Schema.String),
  anchor_uuid: optional(Schema.String),
  style: optional(Schema.String),
  image: optional(Schema.Array(Image))
}) {}

/**
 * @since 0.1.0
 * @category schemas
 */
export class Address extends Schema.Class<Address>("Address")({
  street: optional(Schema.String),
  house_number: optional(Schema.String),
  po_box: optional(Schema.String),
  postal_code: optional(Schema.String),
  city: optional(Schema.String),
  country: optional(Schema.String),
  province: optional(Schema.String),
  extra: optional(Schema.String),
  mailbox_name: optional(Schema.String)
}) {}

/**
 * A user as shown to other users (`LabelUser`), e.g. a company's director.
 *
 * @since 0.1.0
 * @category schemas
 */
export class LabelUser extends Schema.Class<LabelUser>("LabelUser")({
  uuid: optional(Schema.String),
  display_name: optional(Schema.String),
  public_nick_name: optional(Schema.String),
  country: optional(Schema.String),
  avatar: optional(Avatar)
}) {}

const commonFields = {
  id: Schema.Int,
  created: optional(Timestamp),
  updated: optional(Timestamp),
  public_uuid: optional(Schema.String),
  display_name: optional(Schema.String),
  public_nick_name: optional(Schema.String),
  alias: optional(Schema.Array(Pointer)),
  avatar: optional(Avatar),
  status: optional(UserStatus),
  sub_status: optional(Schema.String),
  language: optional(Schema.String),
  region: optional(Schema.String),
  /** Seconds a session of this user lives (the auto-logout setting). */
  session_timeout: optional(Schema.Number),
  daily_limit_without_confirmation_login: optional(Amount),
  notification_filters: optional(Schema.Array(Schema.Unknown)),
  version_terms_of_service: optional(Schema.String),
  address_main: optional(Address),
  address_postal: optional(Address),
  address_shipping: optional(Address)
}

/**
 * A natural person (`UserPerson`).
 *
 * @since 0.1.0
 * @category schemas
 */
export class UserPerson extends Schema.Class<UserPerson>("UserPerson")({
  ...commonFields,
  first_name: optional(Schema.String),
  middle_name: optional(Schema.String),
  last_name: optional(Schema.String),
  legal_name: optional(Schema.String),
  date_of_birth: optional(Schema.String),
  place_of_birth: optional(Schema.String),
  country_of_birth: optional(Schema.String),
  nationality: optional(Schema.String),
  gender: optional(Schema.String),
  subscription_type: optional(Schema.String)
}) {
  /**
   * The wrapper key this object came in; discriminates the `User` union.
   *
   * @since 0.1.0
   */
  get _tag(): "UserPerson" {
    return "UserPerson"
  }
}

/**
 * A company (`UserCompany`).
 *
 * @since 0.1.0
 * @category schemas
 */
export class UserCompany extends Schema.Class<UserCompany>("UserCompany")({
  ...commonFields,
  name: optional(Schema.String),
  country: optional(Schema.String),
  chamber_of_commerce_number: optional(Schema.String),
  type_of_business_entity: optional(Schema.String),
  sector_of_industry: optional(Schema.String),
  legal_form: optional(Schema.String),
  counter_bank_iban: optional(Schema.String),
  director_alias: optional(LabelUser),
  ubo: optional(Schema.Array(Schema.Unknown))
}) {
  /**
   * The wrapper key this object came in; discriminates the `User` union.
   *
   * @since 0.1.0
   */
  get _tag(): "UserCompany" {
    return "UserCompany"
  }
}

/**
 * A PSD2 payment service provider (`UserPaymentServiceProvider`).
 *
 * @since 0.1.0
 * @category schemas
 */
export class UserPaymentServiceProvider extends Schema.Class<UserPaymentServiceProvider>("UserPaymentServiceProvider")({
  ...commonFields,
  certificate_distinguished_name: optional(Schema.String)
}) {
  /**
   * The wrapper key this object came in; discriminates the `User` union.
   *
   * @since 0.1.0
   */
  get _tag(): "UserPaymentServiceProvider" {
    return "UserPaymentServiceProvider"
  }
}

const anchoredFields = {
  id: optional(Schema.Int),
  display_name: optional(Schema.String),
  public_nick_name: optional(Schema.String),
  avatar: optional(Avatar),
  session_timeout: optional(Schema.Number)
}

const AnchoredUserBody = Schema.Struct(anchoredFields)

/** Decodes `wrapper[type]`, with the issue path `[type, ...]`. */
const decodeWrapped = <A, I>(
  wrapper: Envelope.Item,
  type: string,
  schema: Schema.Schema<A, I, never>
): Effect.Effect<A, ParseResult.ParseIssue> =>
  Effect.mapError(items_.decodeWith(schema, wrapper[type]), (issue) => new ParseResult.Pointer(type, wrapper, issue))

/**
 * The user behind an OAuth key (`requested_by_user` / `granted_by_user` of a `UserApiKey`), wrapped in its type
 * name in JSON (`{"UserPerson":{...}}`). `type` is that wrapper key (`"UserPerson"`, `"UserCompany"`,
 * `"UserPaymentServiceProvider"`, or a type bunq adds later). bunq sends a reduced object here (often without `id`).
 *
 * @since 0.1.0
 * @category models
 */
export class AnchoredUser extends Schema.Class<AnchoredUser>("AnchoredUser")({
  type: Schema.String,
  ...anchoredFields
}) {}

/**
 * `{"UserPerson":{...}}` ⇄ `AnchoredUser`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AnchoredUserFromWrapper: Schema.Schema<AnchoredUser, Envelope.Item> = Schema.transformOrFail(
  Envelope.Item,
  Schema.typeSchema(AnchoredUser),
  {
    strict: true,
    decode: (wrapper, _, ast) => {
      const type = items_.typeNameOf(wrapper)
      if (type === undefined) return ParseResult.fail(new ParseResult.Type(ast, wrapper))
      return Effect.map(decodeWrapped(wrapper, type, AnchoredUserBody), (body) => new AnchoredUser({ type, ...body }))
    },
    encode: ({ type, ...body }) => items_.encodeItem(type, AnchoredUserBody, body)
  }
).annotations({ identifier: "AnchoredUser" })

/**
 * An OAuth session's user (`UserApiKey`): the user who requested the key (whose `session_timeout` applies) and the
 * user who granted it.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UserApiKey extends Schema.Class<UserApiKey>("UserApiKey")({
  id: Schema.Int,
  created: optional(Timestamp),
  updated: optional(Timestamp),
  requested_by_user: AnchoredUserFromWrapper,
  granted_by_user: optional(AnchoredUserFromWrapper)
}) {
  /**
   * The wrapper key this object came in; discriminates the `User` union.
   *
   * @since 0.1.0
   */
  get _tag(): "UserApiKey" {
    return "UserApiKey"
  }
}

/**
 * Any user object; switch on `_tag`.
 *
 * @since 0.1.0
 * @category models
 */
export type User = UserPerson | UserCompany | UserApiKey | UserPaymentServiceProvider

/**
 * The type names of the user objects, as they appear as wrapper keys.
 *
 * @since 0.1.0
 * @category models
 */
export const userTypeNames: ReadonlyArray<User["_tag"]> = [
  "UserPerson",
  "UserCompany",
  "UserApiKey",
  "UserPaymentServiceProvider"
]

const variants = {
  UserPerson,
  UserCompany,
  UserApiKey,
  UserPaymentServiceProvider
} as const

/**
 * The JSON of a wrapped user.
 *
 * @since 0.1.0
 * @category models
 */
export type UserEncoded =
  | { readonly UserPerson: typeof UserPerson.Encoded }
  | { readonly UserCompany: typeof UserCompany.Encoded }
  | { readonly UserApiKey: typeof UserApiKey.Encoded }
  | { readonly UserPaymentServiceProvider: typeof UserPaymentServiceProvider.Encoded }

/**
 * A wrapped user item, `{"UserPerson":{...}}` (or any other user type) ⇄ `User`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const User: Schema.Schema<User, Envelope.Item> = Schema.transformOrFail(
  Envelope.Item,
  // by class, not by structure: every variant's fields are optional, so a structural union would mix them up
  Schema.declare(
    (input): input is User => userTypeNames.some((name) => input instanceof variants[name]),
    { identifier: "User" }
  ),
  {
    strict: true,
    decode: (wrapper, _, ast) => {
      const index = userTypeNames.findIndex((name) => items_.hasType(wrapper, name))
      if (index < 0) return ParseResult.fail(new ParseResult.Type(ast, wrapper))
      const tag = userTypeNames[index]!
      return decodeWrapped(wrapper, tag, variants[tag] as Schema.Schema<User, unknown>)
    },
    encode: (user) => items_.encodeItem(user._tag, variants[user._tag] as Schema.Schema<User, unknown>, user)
  }
).annotations({
  identifier: "User",
  description: "{UserPerson|UserCompany|UserApiKey|UserPaymentServiceProvider:{...}}"
})

const pickIndex = (items: Envelope.Items): number =>
  items.findIndex((item) => userTypeNames.some((name) => items_.hasType(item, name)))

/** @internal */
export const pickUserIssue = (items: Envelope.Items): Effect.Effect<User, ParseResult.ParseIssue> => {
  const index = pickIndex(items)
  if (index < 0) return Effect.fail(items_.missingObject(items, userTypeNames, User.ast))
  return Effect.mapError(
    items_.decodeWith(User, items[index]),
    (issue) => new ParseResult.Pointer(index, items, issue)
  )
}

/**
 * Decodes the first user object of the `Response` (any of the four types).
 *
 * @since 0.1.0
 * @category decoding
 */
export const pickUser = (source: Envelope.Source): Effect.Effect<User, SchemaDecodeError.SchemaDecodeError> =>
  Envelope.fromItems(source, "User", pickUserIssue)

/**
 * Decodes the answer to `GET /user/{id}`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeReadResponse: (source: Envelope.Source) => Effect.Effect<User, SchemaDecodeError.SchemaDecodeError> =
  pickUser

/**
 * Decodes one page of `GET /user`: every user object, in order (items of other types are skipped).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeListResponse = (
  source: Envelope.Source
): Effect.Effect<Array<User>, SchemaDecodeError.SchemaDecodeError> =>
  Envelope.fromItems(source, "User", (items) =>
    Effect.forEach(
      items.flatMap((item, index) => userTypeNames.some((name) => items_.hasType(item, name)) ? [index] : []),
      (index) =>
        Effect.mapError(items_.decodeWith(User, items[index]), (issue) => new ParseResult.Pointer(index, items, issue))
    ))

/**
 * The session lifetime in seconds for this user: `session_timeout`, or for `UserApiKey` (OAuth) the
 * `session_timeout` of `requested_by_user`. `None` when bunq did not send it.
 *
 * @since 0.1.0
 * @category accessors
 */
export const sessionTimeout = (user: User): Option.Option<number> =>
  Option.fromNullable(user._tag === "UserApiKey" ? user.requested_by_user.session_timeout : user.session_timeout)

/**
 * The id to use in `/user/{id}/…` paths. For `UserApiKey` it is the key's own id.
 *
 * @since 0.1.0
 * @category accessors
 */
export const userId = (user: User): number => user.id

/**
 * A name to show: `display_name`, else `public_nick_name`, else for `UserApiKey` the granting user's name.
 *
 * @since 0.1.0
 * @category accessors
 */
export const displayName = (user: User): Option.Option<string> => {
  if (user._tag === "UserApiKey") {
    return Option.fromNullable(
      user.granted_by_user?.display_name ?? user.granted_by_user?.public_nick_name ??
        user.requested_by_user.display_name ?? user.requested_by_user.public_nick_name
    )
  }
  return Option.fromNullable(user.display_name ?? user.public_nick_name)
}
