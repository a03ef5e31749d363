/**
 * The patch layer: every place where bunq's OpenAPI document (`spec/openapi.json`) is wrong or says too little, and
 * what the generator does instead. Reviewed like code; the spec itself is never edited.
 *
 * What the generator corrects everywhere (by rule, not per operation), documented here:
 *
 * - Envelope. The spec describes a response as the bare object (`PaymentRead`) or an array of them (`PaymentListing`);
 *   bunq answers `{"Response":[{"Payment":{...}}],"Pagination":{...}}`. Reads and lists decode each `Response`
 *   item's value (the key is bunq's type name, which the spec does not give reliably, so any key is accepted); a
 *   "one of" response (`MonetaryAccountRead`) decodes the item itself.
 * - Creates and updates. Whatever the spec says (`PaymentCreate` is `{id}`, `NotificationFilterUrlCreate` is
 *   `{Id}`), a response whose schema is only an id answers `{"Response":[{"Id":{"id":1}}]}`: the program returns the
 *   id. The exceptions are listed in `createResults` below.
 * - "One of" objects. An object whose every property is a `$ref` under a PascalCase key (`MonetaryAccountListing`,
 *   `EventObject`, `UserRead`, …) is one of its members, wrapped by the type name: it becomes a tagged union
 *   (`OneOf.Member`), with `OneOf.Unknown` for a wrapper key the spec does not list. `notOneOf` lists the objects of
 *   that shape that are not unions.
 * - Pagination. No list declares `count`, `older_id` or `newer_id`: every `List_all_…` operation gets a one-page
 *   program (`count`, `olderId`, `newerId`) and a lazy `Stream`, through `@effect-bunq/http/Pagination`. The filters some lists
 *   take are in `queryParams` below.
 * - Optional fields. bunq leaves fields out and sends `null` for absent ones; the spec marks nothing optional in
 *   responses. Every field of a response object is optional and accepts `null`; unknown fields are ignored.
 * - Request bodies. A request body sends only the fields the spec does not mark `readOnly`; its `required` fields are
 *   required only when no `PUT` uses the same body (an update sends what changes).
 * - Embedded objects. bunq's spec names an object's request form `Payment` and its answers `PaymentRead` /
 *   `PaymentListing`; "one of" objects (an event's object, a callback's object) point at the request form, which
 *   lacks what bunq adds when it answers (`BunqMeTab` has no `id`, `bunqme_tab_share_url`, …). Every object gets the
 *   fields of its `…Read` and `…Listing` forms too (decoding ignores what is absent anyway); request bodies keep the
 *   request form's writable fields only.
 * - Enums. The spec has none (values are listed in descriptions only): every such field is a `string`, so a value bunq
 *   adds later always decodes.
 */

/** Module names where PascalCase of the tag is not bunq's spelling of the resource. */
export const moduleNames: Readonly<Record<string, string>> = {
  "bunqme-fundraiser-profile": "BunqMeFundraiserProfile",
  "bunqme-fundraiser-result": "BunqMeFundraiserResult",
  "bunqme-tab": "BunqMeTab",
  "bunqme-tab-result-response": "BunqMeTabResultResponse"
}

/**
 * Fields that are amounts: `{"value":"12.50","currency":"EUR"}`. The spec says `value` is a string; it is a decimal,
 * kept exact as a validated string (`Amount.toBigDecimal` converts), never a float.
 */
export const decimalFields: Readonly<Record<string, ReadonlyArray<string>>> = {
  Amount: ["value"]
}

/**
 * Fields that hold a secret: decoded into (and, in request bodies, taken as) `Redacted<string>`, so that printing,
 * logging or tracing an object never shows them; `Redacted.value` reads one. By object, the `…Read`/`…Listing`/`…Body`
 * forms included. Every secret-bearing field of the spec (its `secret`, `token`, `pin`, `cvc`, `password` fields):
 *
 * - `OauthClient.secret`: an OAuth client's secret (`GET …/oauth-client`);
 * - `Card.pin_code`, `CardPinAssignment.pin_code`: a card's PIN in a card request or `pin_code_assignment`;
 * - `CardGeneratedCvc2.cvc2`: a virtual card's generated CVC2;
 * - `PaymentServiceProviderCredential.token_value`, `UserCredentialPasswordIp.token_value`: a credential's token
 *   while it is `PENDING_FIRST_USE`;
 * - `DeviceServer.secret`, `SessionServer.secret` (the API key), `InstallationToken.token`, `SessionServerToken.token`:
 *   the registration's secrets (those operations are excluded below, `ApiContext` sends them; the objects are marked
 *   anyway in case another object embeds them).
 *
 * Not secrets, left as strings: `TokenQrRequestIdeal.token` / `TokenQrRequestSofort.token` (the payment token printed
 * in an iDEAL or Sofort QR code, public by design), `MasterCardAction.token_status` and `pin_status` (statuses).
 */
export const secretFields: Readonly<Record<string, ReadonlyArray<string>>> = {
  OauthClient: ["secret"],
  Card: ["pin_code"],
  CardPinAssignment: ["pin_code"],
  CardGeneratedCvc2: ["cvc2"],
  PaymentServiceProviderCredential: ["token_value"],
  UserCredentialPasswordIp: ["token_value"],
  DeviceServer: ["secret"],
  SessionServer: ["secret"],
  InstallationToken: ["token"],
  SessionServerToken: ["token"]
}

/** The object a schema is a form of: `OauthClientRead`, `OauthClientListing` → `OauthClient`. */
export const baseObject = (name: string): string => name.replace(/(Read|Listing|Create|Update|Body)$/, "")

/** Objects shaped like a "one of" that are not: bags of several `Response` items (registration answers). */
export const notOneOf: ReadonlyArray<string> = ["InstallationCreate", "SessionServerCreate"]

/**
 * Creates and updates whose answer is not `{"Id":{"id":<integer>}}`:
 *
 * - public attachments and avatars answer with a UUID: `{"Uuid":{"uuid":"<uuid>"}}` (bunq's SDKs read `Uuid` for
 *   `AttachmentPublic.create` and `Avatar.create`; jorttbv/bunq-client's `avatars.post.json`), or, in older captures,
 *   `{"Id":{"id":"<uuid>"}}` (its `attachment_publics.post.json`): both are accepted and the program returns the UUID
 *   string;
 * - a monetary account's attachment answers with an integer id, `{"Id":{"id":1}}` (bunq's SDKs:
 *   `AttachmentMonetaryAccount.create` returns an int, and a payment's `attachment: [{id}]` takes it; the emulator
 *   answers so), but jorttbv/bunq-client's `attachments.post.json` holds `{"Id":{"id":"<uuid>"}}`: `"idOrUuid"`
 *   returns the integer, or the UUID string when that is what came;
 * - notification filters answer the filters they set, one item each (bunq's SDKs read
 *   `{"NotificationFilterUrl":{…}}` items from the answer to `POST …/notification-filter-url`, and the same for push
 *   and email filters): the program returns them, decoded as the filter object;
 * - ordering a card and updating one answer the card, not its id (the spec says `{Id}`). bunq's SDKs at the spec's
 *   release (1.27.17.56: sdk_python `endpoint.py`, sdk_php `Model/Generated/Endpoint`) decode the first `Response`
 *   item's `CardDebit` (`CardDebit.create`, returning `BunqResponseCardDebit`), `CardCredit` (`CardCredit.create`,
 *   `BunqResponseCardCredit`) and `Card` (`Card.update`, `BunqResponseCard`, `OBJECT_TYPE_PUT = 'Card'`) object, and
 *   their releases until 2024 list the fields of that object: a card's (`id`, `created`, `public_uuid`, `type`,
 *   `second_line`, `status`, `order_status`, `expiry_date`, …, every one a field of `CardRead`). bunq's partner API
 *   document (`bunq/partner-mcp` `partner-api-swagger.yaml`) has the same answers: `{"CardDebit": Card}` for
 *   `POST …/card-debit`, `{"CardCredit": Card}` for `POST …/card-credit`, and `{"CardDebit"|"CardCredit": Card}` for
 *   `PUT …/card/{id}`. The program returns the card, decoded as `Card` whatever the wrapper key. A card order that
 *   succeeded at bunq and failed to decode here invited a retry, and a second card;
 * - a Sofort QR token answers the request it created: the SDKs decode the first item's `RequestResponse` object
 *   (`TokenQrRequestSofort._OBJECT_TYPE_POST = "RequestResponse"`, `BunqResponseTokenQrRequestSofort`). The program
 *   returns it, decoded as `RequestResponse`.
 *
 * Any other create or update whose spec answer is only an id returns that id; when bunq answers an object instead (no
 * `Id` item), the first item's integer `id` is taken (see `internal/operation.ts`), so a spec mistake not listed
 * here does not turn a write that succeeded into a `DecodeError`.
 */
export const createResults: Readonly<
  Record<string, "uuid" | "idOrUuid" | { readonly list: string } | { readonly object: string }>
> = {
  CREATE_Attachment_for_User_MonetaryAccount: "idOrUuid",
  CREATE_AttachmentPublic: "uuid",
  CREATE_Avatar: "uuid",
  CREATE_NotificationFilterUrl_for_User: { list: "NotificationFilterUrl" },
  CREATE_NotificationFilterUrl_for_User_MonetaryAccount: { list: "NotificationFilterUrl" },
  CREATE_NotificationFilterPush_for_User: { list: "NotificationFilterPush" },
  CREATE_NotificationFilterEmail_for_User: { list: "NotificationFilterEmail" },
  CREATE_CardDebit_for_User: { object: "Card" },
  CREATE_CardCredit_for_User: { object: "Card" },
  UPDATE_Card_for_User: { object: "Card" },
  CREATE_TokenQrRequestSofort_for_User: { object: "RequestResponse" }
}

/**
 * Query parameters of a list besides the page's (`count`, `older_id`, `newer_id`): the spec declares none, but an
 * operation's description names the filters bunq takes. A program takes each by the name given here, with the type
 * given; it is sent on every page (a `Stream` keeps filtering as it walks), a list comma-separated (`1,2`, as the
 * descriptions write `{id,id}`; an empty list sends nothing), a boolean as `true`/`false`. Each from the spec's
 * description of the operation:
 *
 * - `List_all_Event_for_User`: "You can add query the parameters monetary_account_id, status and/or
 *   display_user_event to filter the response. When monetary_account_id={id,id} is provided only events that relate
 *   to these monetary account ids are returned. When status={AWAITING_REPLY/FINALIZED} is provided the response only
 *   contains events with the status AWAITING_REPLY or FINALIZED. When display_user_event={true/false} is set to false
 *   user events are excluded from the response, when not provided user events are displayed."
 * - `List_all_Schedule_for_User` and `List_all_Schedule_for_User_MonetaryAccount`: "You can add the parameter type to
 *   filter the response. When type={SCHEDULE_DEFINITION_PAYMENT,SCHEDULE_DEFINITION_PAYMENT_BATCH} is provided only
 *   schedule definition object that relate to these definitions are returned."
 */
export interface QueryParam {
  /** The query parameter's name in bunq's URL. */
  readonly query: string
  /** Its TypeScript type in the program's parameters. */
  readonly type: string
  readonly description: string
}

const scheduleType = `"SCHEDULE_DEFINITION_PAYMENT" | "SCHEDULE_DEFINITION_PAYMENT_BATCH"`
const scheduleFilters: Readonly<Record<string, QueryParam>> = {
  type: {
    query: "type",
    type: `${scheduleType} | ReadonlyArray<${scheduleType}>`,
    description: "only schedules of these definition types (`type`)"
  }
}

export const queryParams: Readonly<Record<string, Readonly<Record<string, QueryParam>>>> = {
  List_all_Event_for_User: {
    monetaryAccountId: {
      query: "monetary_account_id",
      type: "number | ReadonlyArray<number>",
      description: "only events that relate to these monetary accounts (`monetary_account_id`)"
    },
    status: {
      query: "status",
      type: `"AWAITING_REPLY" | "FINALIZED"`,
      description: "only events with this status (`status`)"
    },
    displayUserEvent: {
      query: "display_user_event",
      type: "boolean",
      description:
        "`false` leaves out user events, those not about a monetary account such as connect invites (`display_user_event`; default: included)"
    }
  },
  List_all_Schedule_for_User: scheduleFilters,
  List_all_Schedule_for_User_MonetaryAccount: scheduleFilters
}

/**
 * Path parameters the spec types `integer` that are UUID strings: public attachments and avatars are addressed by
 * UUID.
 */
export const stringParams: Readonly<Record<string, ReadonlyArray<string>>> = {
  READ_AttachmentPublic: ["itemId"],
  READ_Avatar: ["itemId"],
  List_all_Content_for_AttachmentPublic: ["attachment-publicUUID"]
}

/**
 * Uploads: the spec declares a JSON body, but bunq takes the file's raw bytes with its `Content-Type` and an
 * `X-Bunq-Attachment-Description` header, signed over those bytes.
 */
export const uploads: ReadonlyArray<string> = ["CREATE_Attachment_for_User_MonetaryAccount", "CREATE_AttachmentPublic"]

/**
 * Downloads: the spec declares a JSON list (`…ContentListing`, an empty object), but bunq answers the file's raw
 * bytes (with its `Content-Type`), signed like any body. Every operation of the `content` tag, and the invoice PDF.
 */
export const isDownload = (operationId: string, tag: string): boolean =>
  tag === "content" || operationId === "List_all_PdfContent_for_User_Invoice"

/**
 * Operations sent without a session (no `ApiContext`): creating a sandbox user needs no token at all. bunq answers
 * `{"Response":[{"ApiKey":{"api_key":"sandbox_…"}}]}`, not the spec's `{Id}` (bunq's SDKs read `ApiKey`).
 */
export const sandboxUserCreates: ReadonlyArray<string> = ["CREATE_SandboxUserPerson", "CREATE_SandboxUserCompany"]

/**
 * Operations left out, and why. They are the registration flow, which needs the installation token rather than a
 * session: `@effect-bunq/device-server` implements them (`ApiContext` runs them for you).
 */
export const excluded: Readonly<Record<string, string>> = {
  CREATE_Installation: "registration: sent before any token exists; ApiContext does it (device-server Installation)",
  CREATE_DeviceServer:
    "registration: needs the installation token; ApiContext does it (device-server DeviceServer.create)",
  CREATE_SessionServer: "registration: needs the installation token; ApiContext does it (device-server Session)"
}

/**
 * Fields bunq sends (and takes) that the spec leaves out of every form of an object:
 *
 * - an `id` on objects a callback carries (bunq's own callback bodies, `test/fixtures/callbacks/PaymentBatch.json`
 *   and `ScheduledPayment.json`, have one);
 * - a notification filter's own fields. The spec makes `notification_filters` an array of the object that holds it
 *   (`NotificationFilterUrl.notification_filters: NotificationFilterUrl[]`); bunq's filters are
 *   `{"category","notification_target"}` (URL) and `{"category"}` (push, email), as bunq's SDKs
 *   (`NotificationFilterUrl(category, notification_target)`) and the callback docs have them. Adding the fields to
 *   the object makes its array items right.
 */
export const extraFields: Readonly<
  Record<string, Readonly<Record<string, { readonly type: string; readonly description: string }>>>
> = {
  PaymentBatch: {
    id: { type: "integer", description: "The id of the payment batch (not in bunq's spec; bunq sends it)." }
  },
  SchedulePayment: {
    id: { type: "integer", description: "The id of the scheduled payment (not in bunq's spec; bunq sends it)." }
  },
  NotificationFilterUrl: {
    category: { type: "string", description: "The notification category (MUTATION, PAYMENT, REQUEST, …)." },
    notification_target: { type: "string", description: "The URL bunq posts the callbacks of this category to." }
  },
  NotificationFilterPush: {
    category: { type: "string", description: "The notification category (MUTATION, PAYMENT, REQUEST, …)." }
  },
  NotificationFilterEmail: {
    category: { type: "string", description: "The notification category (MUTATION, PAYMENT, REQUEST, …)." }
  }
}

/**
 * Fields where bunq sends another shape than the spec says: the field decodes as the spec's shape or any of these.
 * `PaymentBatch.payments` is `PaymentBatchAnchoredPayment` in the spec, a plain array of payments in bunq's
 * callback bodies (`test/fixtures/callbacks/PaymentBatch.json`).
 */
export const fieldAlternatives: Readonly<
  Record<
    string,
    Readonly<
      Record<
        string,
        ReadonlyArray<{ readonly type?: string; readonly $ref?: string; readonly items?: { readonly $ref: string } }>
      >
    >
  >
> = {
  PaymentBatch: { payments: [{ type: "array", items: { $ref: "#/components/schemas/Payment" } }] }
}

/**
 * Request fields whose type the spec gets wrong. bunq takes a `Pointer` (`{"type":"IBAN","value":…,"name":…}`) for
 * the counterparty of a payment, a request and a draft payment entry, and the user of a share invite (bunq's SDKs:
 * `Payment.create(amount, counterparty_alias: Pointer, …)`, `RequestInquiry.create(…, counterparty_alias: Pointer)`,
 * `DraftPaymentEntry(…, counterparty_alias: Pointer)`, `ShareInviteMonetaryAccountInquiry.create(counter_user_alias:
 * Pointer, …)`), the co-owners of a joint account (`CoOwner(alias: Pointer)`, sdk_php `CoOwner::__construct(Pointer
 * $alias)`) and the counterparty of a scheduled payment (sdk_php `SchedulePaymentEntry::__construct(Amount $amount,
 * Pointer $counterpartyAlias, …)`); the spec says `LabelMonetaryAccount`/`LabelUser`, which are what bunq answers with
 * (and `LabelMonetaryAccount` has no writable field at all). The generator refuses a request field that points at a
 * `Label…` object or an object with no writable field (`requestFormsOf` in `schemas.ts`). A payment batch
 * sends `payments` as an array of payments (SDK `PaymentBatch.create(payments: List[Payment])`); the spec's
 * `PaymentBatchAnchoredPayment` has no writable field.
 */
export const requestFields: Readonly<
  Record<
    string,
    Readonly<
      Record<
        string,
        {
          readonly type?: string
          readonly $ref?: string
          readonly items?: { readonly $ref: string }
          readonly description?: string
        }
      >
    >
  >
> = {
  Payment: { counterparty_alias: { $ref: "#/components/schemas/Pointer" } },
  RequestInquiry: { counterparty_alias: { $ref: "#/components/schemas/Pointer" } },
  DraftPaymentEntry: { counterparty_alias: { $ref: "#/components/schemas/Pointer" } },
  ShareInviteMonetaryAccountInquiry: { counter_user_alias: { $ref: "#/components/schemas/Pointer" } },
  CoOwner: { alias: { $ref: "#/components/schemas/Pointer" } },
  SchedulePaymentEntry: { counterparty_alias: { $ref: "#/components/schemas/Pointer" } },
  PaymentBatch: { payments: { type: "array", items: { $ref: "#/components/schemas/Payment" } } }
}
