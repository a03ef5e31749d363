/**
 * The JSON objects the emulator returns, shaped like bunq's (with nulls, non-ASCII text and fields clients do not
 * know yet, on purpose).
 *
 * @internal
 */
import type { UserType } from "../BunqEmulator.js"

/** @internal */
export interface UserRecord {
  readonly id: number
  readonly type: UserType
  readonly apiKey: string
  readonly created: number
  readonly sessionTimeout: number
  /** The IP binding of the API key, set by the first device registration. */
  binding: { readonly ips: ReadonlySet<string>; readonly wildcard: boolean } | undefined
  /** Device ids of this user, ascending. */
  readonly devices: Array<number>
  /** An OAuth user (`api-key`) made by the token endpoint: who granted access and who asked for it. */
  grant?: { readonly grantedBy: UserRecord; readonly requestedBy: UserRecord } | undefined
  /** A PSD2 provider: its certificate's subject. */
  certificateSubject?: string | undefined
}

/**
 * Whose accounts, payments and other data a user's session sees: the granting user's for an OAuth user, its own
 * for everyone else. (Paths still carry the session's own user id: the `UserApiKey`'s.)
 *
 * @internal
 */
export const dataOwner = (user: UserRecord): UserRecord => user.grant?.grantedBy ?? user

/** @internal */
export interface DeviceRecord {
  readonly id: number
  readonly created: number
  readonly description: string
  readonly ip: string
  readonly status: "ACTIVE" | "BLOCKED" | "NEEDS_CONFIRMATION" | "OBSOLETE"
  readonly userId: number
  readonly installationId: number | undefined
}

/** @internal */
export const timestamp = (millis: number): string => {
  const iso = new Date(millis).toISOString() // 2024-01-02T03:04:05.678Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`
}

const firstNames = ["Zoë", "Daniël", "Anaïs", "Jeroen", "Sanne", "Thijs", "Noël", "Fleur"]
const lastNames = ["de Vries", "Bakker", "van ’t Hof", "Jansen", "Smit", "Çelik", "Visser", "Mulder"]
const companies = [
  "Café De Stijl B.V.",
  "Bakkerij Van ’t Hof & Zonen",
  "Fietsenmakerij Zoë",
  "Coöperatie De Eendracht U.A."
]

const uuid = (seed: number, salt: number): string => {
  const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, "0").slice(-width)
  const a = Math.imul(seed + 0x9e3779b9, 2654435761 + salt)
  const b = Math.imul(seed ^ 0x85ebca6b, 3266489917 + salt)
  return `${hex(a, 8)}-${hex(b, 4)}-4${hex(a >>> 8, 3)}-a${hex(b >>> 12, 3)}-${hex(a ^ b, 8)}${hex(seed, 4)}`
}

const avatar = (seed: number) => ({
  uuid: uuid(seed, 1),
  anchor_uuid: uuid(seed, 2),
  image: [{
    attachment_public_uuid: uuid(seed, 3),
    content_type: "image/png",
    height: 1024,
    width: 1024,
    urls: [{ type: "ORIGINAL", url: `https://bunq-emulator.local/avatar/${uuid(seed, 3)}.png` }]
  }],
  style: "NONE"
})

const address = (seed: number) => ({
  street: ["Keizersgracht", "Coolsingel", "Oudegracht", "Grote Markt"][seed % 4],
  house_number: String(10 + (seed % 90)),
  po_box: null,
  postal_code: `10${10 + (seed % 89)} AB`,
  city: ["Amsterdam", "Rotterdam", "Utrecht", "Groningen"][seed % 4],
  country: "NL",
  province: null,
  extra: null,
  mailbox_name: null,
  is_user_address_updated: false
})

const commonUserFields = (user: UserRecord, displayName: string) => ({
  id: user.id,
  created: timestamp(user.created),
  updated: timestamp(user.created),
  public_uuid: uuid(user.id, 7),
  display_name: displayName,
  public_nick_name: displayName.split(" ")[0],
  alias: [
    { type: "EMAIL", value: `sandbox+${user.id}@bunq-emulator.local`, name: displayName },
    { type: "PHONE_NUMBER", value: `+3162${String(user.id).padStart(7, "0")}`, name: displayName }
  ],
  avatar: avatar(user.id),
  status: "ACTIVE",
  sub_status: "NONE",
  session_timeout: user.sessionTimeout,
  daily_limit_without_confirmation_login: { value: "250.00", currency: "EUR" },
  notification_filters: [],
  language: "nl_NL",
  region: "nl_NL",
  address_main: address(user.id),
  address_postal: null,
  version_terms_of_service: "1.3",
  // Fields no client knows (bunq adds fields all the time): decoders must ignore them.
  relations: [],
  savings_goal_note: "Sparen voor een café-fiets van € 1.250",
  billing_preview: { next_invoice: null, plan: { name: "Easy Money", price: { value: "9.99", currency: "EUR" } } }
})

const personName = (user: UserRecord) =>
  [firstNames[user.id % firstNames.length], lastNames[(user.id >> 3) % lastNames.length]] as const

/** The name bunq shows for a user (a person's first and last name, a company's name). @internal */
export const displayName = (user: UserRecord): string =>
  user.type === "company" ? companies[user.id % companies.length] : personName(user).join(" ")

/** @internal */
export const avatarObject = avatar

/** @internal */
export const uuidFor = uuid

/** @internal */
export const personObject = (user: UserRecord): Record<string, unknown> => {
  const [first, last] = personName(user)
  return {
    ...commonUserFields(user, `${first} ${last}`),
    first_name: first,
    middle_name: null,
    last_name: last,
    legal_name: `${first} ${last}`,
    date_of_birth: "1990-02-28",
    place_of_birth: "’s-Hertogenbosch",
    country_of_birth: "NL",
    nationality: "NL",
    gender: null,
    document_type: "PASSPORT",
    document_country_of_issuance: "NL"
  }
}

/** @internal */
export const companyObject = (user: UserRecord): Record<string, unknown> => {
  const name = companies[user.id % companies.length]
  return {
    ...commonUserFields(user, name),
    name,
    chamber_of_commerce_number: String(60000000 + user.id),
    type_of_business_entity: "BV",
    sector_of_industry: "HORECA",
    counter_bank_iban: null,
    ubo: [{ name: "Zoë de Vries", date_of_birth: "1985-06-01", nationality: "NL" }]
  }
}

/** @internal */
export const userApiKeyObject = (user: UserRecord): Record<string, unknown> => {
  if (user.grant !== undefined) {
    return {
      id: user.id,
      created: timestamp(user.created),
      updated: timestamp(user.created),
      requested_by_user: userWrapper(user.grant.requestedBy),
      granted_by_user: userWrapper(user.grant.grantedBy)
    }
  }
  const requester = personObject(user)
  return {
    id: user.id,
    created: timestamp(user.created),
    updated: timestamp(user.created),
    requested_by_user: { UserPerson: requester },
    granted_by_user: { UserPerson: { ...requester, id: user.id + 1_000_000 } }
  }
}

/** @internal */
export const paymentServiceProviderObject = (user: UserRecord): Record<string, unknown> => ({
  ...commonUserFields(user, user.certificateSubject ?? "PSD2 provider"),
  certificate_distinguished_name: user.certificateSubject ?? null
})

/** @internal */
export const userWrapper = (user: UserRecord): Record<string, unknown> => {
  switch (user.type) {
    case "person":
      return { UserPerson: personObject(user) }
    case "company":
      return { UserCompany: companyObject(user) }
    case "api-key":
      return { UserApiKey: userApiKeyObject(user) }
    case "payment-service-provider":
      return { UserPaymentServiceProvider: paymentServiceProviderObject(user) }
  }
}

/** @internal */
export const deviceObject = (device: DeviceRecord): Record<string, unknown> => ({
  DeviceServer: {
    id: device.id,
    created: timestamp(device.created),
    updated: timestamp(device.created),
    description: device.description,
    ip: device.ip,
    status: device.status,
    // Not in bunq's spec: decoders must ignore it.
    permitted_device_capabilities: null
  }
})
