/**
 * bunq's error descriptions, in English with the Dutch `error_description_translated` real sandbox users get.
 *
 * @internal
 */
import { formatAmount } from "./ledger.js"

/** @internal */
export interface Message {
  readonly description: string
  readonly translated: string
  readonly extra?: Readonly<Record<string, unknown>> | undefined
}

/** @internal */
export const insufficientAuthorisation: Message = {
  description: "Insufficient authorisation.",
  translated: "Onvoldoende autorisatie."
}

/** @internal */
export const insufficientAuthentication: Message = {
  description: "Insufficient authentication.",
  translated: "Onvoldoende authenticatie."
}

/** @internal */
export const incorrectCredentials: Message = {
  description: "User credentials are incorrect. Incorrect API key or IP address.",
  translated: "Gebruikersgegevens zijn onjuist. Onjuiste API-sleutel of IP-adres."
}

/** @internal */
export const signatureRequired: Message = {
  description: "For this operation a request signature is required. Check the urls for more information.",
  translated: "Voor deze actie is een handtekening van het verzoek vereist. Bekijk de url’s voor meer informatie.",
  extra: {
    error_additional_parameter: [{ url_together_post: "https://together.bunq.com/d/15399" }]
  }
}

/** @internal */
export const signatureInvalid: Message = {
  description: "The request signature is invalid.",
  translated: "De handtekening van het verzoek is ongeldig."
}

/** @internal */
export const requestIdReused: Message = {
  description: "The X-Bunq-Client-Request-Id header has already been used for this device. Use a unique id for " +
    "every request.",
  translated: "De X-Bunq-Client-Request-Id is al gebruikt voor dit apparaat. Gebruik voor elk verzoek een uniek id."
}

/** @internal */
export const rateLimited = (calls: number, seconds: number): Message => ({
  description: `You can do a maximum of ${calls} calls per ${seconds} seconds to this endpoint.`,
  translated: `Je kunt maximaal ${calls} verzoeken per ${seconds} seconden naar dit endpoint doen.`
})

/** @internal */
export const notFound = (type: string, dutch: string, id: string): Message => ({
  description: `${type} for id "${id}" not found.`,
  translated: `${dutch} met id "${id}" is niet gevonden.`
})

/** @internal */
export const routeNotFound: Message = {
  description: "Route not found.",
  translated: "Deze route bestaat niet."
}

/** @internal */
export const invalidJson: Message = {
  description: "The request body is not valid JSON.",
  translated: "De inhoud van het verzoek is geen geldige JSON."
}

/** @internal */
export const invalidField = (field: string): Message => ({
  description: `Field "${field}" is missing or not valid.`,
  translated: `Veld "${field}" ontbreekt of is ongeldig.`
})

/** @internal */
export const invalidPublicKey: Message = {
  description: "The client public key is not a valid RSA public key of at least 2048 bits.",
  translated: "De publieke sleutel van de client is geen geldige RSA-sleutel van minstens 2048 bits."
}

/** @internal */
export const invalidCount: Message = {
  description: "Parameter \"count\" must be a whole number from 1 to 200.",
  translated: "Parameter \"count\" moet een heel getal van 1 tot en met 200 zijn."
}

/** @internal */
export const invalidPaginationId = (name: string): Message => ({
  description: `Parameter "${name}" must be a positive whole number.`,
  translated: `Parameter "${name}" moet een positief heel getal zijn.`
})

/** @internal */
export const bothPaginationIds: Message = {
  description: "Use either \"older_id\" or \"newer_id\", not both.",
  translated: "Gebruik óf \"older_id\" óf \"newer_id\", niet allebei."
}

/** @internal */
export const maintenance: Message = {
  description: "bunq is in maintenance. Please try again in a few minutes.",
  translated: "bunq is even in onderhoud — probeer het over een paar minuten opnieuw."
}

/** @internal */
export const serverError: Message = {
  description: "Something went wrong on our side. Please try again later.",
  translated: "Er ging iets mis aan onze kant. Probeer het later opnieuw."
}

/** @internal */
export const injected = (status: number): Message => ({
  description: `Request failed with status ${status}.`,
  translated: `Verzoek mislukt met status ${status}.`
})

/** @internal */
export const methodNotAllowed = (method: string): Message => ({
  description: `Method ${method} is not allowed on this route.`,
  translated: `Methode ${method} is niet toegestaan op deze route.`
})

/** @internal */
export const userAgentMissing: Message = {
  description: "The User-Agent header is required.",
  translated: "De User-Agent header is verplicht."
}

/** @internal */
export const invalidAmount = (value: string): Message => ({
  description: `The amount "${value}" is not valid: use a positive number with at most two decimals, e.g. "12.50".`,
  translated:
    `Het bedrag "${value}" is ongeldig: gebruik een positief getal met hoogstens twee decimalen, bijv. "12.50".`
})

/** @internal */
export const currencyMismatch = (given: string, expected: string): Message => ({
  description: `The currency "${given}" does not match the currency of the monetary account (${expected}).`,
  translated: `De valuta "${given}" komt niet overeen met de valuta van de rekening (${expected}).`
})

/** @internal */
export const insufficientBalance: Message = {
  description: "Insufficient balance. The payment exceeds the available balance of the monetary account.",
  translated: "Onvoldoende saldo. De betaling is hoger dan het beschikbare saldo van de rekening."
}

/** Cents for a message: `"1000.00 EUR"` in English, `"1000,00 EUR"` in Dutch. */
const money = (cents: number, currency: string, dutch = false): string =>
  `${dutch ? formatAmount(cents).replace(".", ",") : formatAmount(cents)} ${currency}`

/** @internal */
export const dailyLimitExceeded = (limit: number, spent: number, currency: string): Message => ({
  description: `The payment exceeds the daily limit of the monetary account: ${money(limit, currency)} a day, ` +
    `${money(spent, currency)} spent today (UTC).`,
  translated: `De betaling overschrijdt de daglimiet van de rekening: ${money(limit, currency, true)} per dag, ` +
    `vandaag (UTC) ${money(spent, currency, true)} uitgegeven.`
})

/** @internal */
export const accountNotActive: Message = {
  description: "The monetary account is not active.",
  translated: "De rekening is niet actief."
}

/** @internal */
export const accountHasBalance: Message = {
  description: "A monetary account can only be closed when its balance is zero.",
  translated: "Een rekening kan alleen worden opgeheven als het saldo nul is."
}

/** @internal */
export const unknownAlias = (type: string, value: string): Message => ({
  description: `No bunq user or account found for the ${type} alias "${value}".`,
  translated: `Geen bunq-gebruiker of rekening gevonden voor de ${type}-alias "${value}".`
})

/** @internal */
export const invalidIban = (value: string): Message => ({
  description: `"${value}" is not a valid IBAN.`,
  translated: `"${value}" is geen geldige IBAN.`
})

/** @internal */
export const nameRequired: Message = {
  description: "A name is required for a payment to an IBAN outside bunq.",
  translated: "Een naam is verplicht voor een betaling naar een IBAN buiten bunq."
}

/** @internal */
export const requestOutsideBunq = (value: string): Message => ({
  description: `A request can only be sent to a bunq user: the IBAN "${value}" is not a bunq account. Ask for the ` +
    "money with an email address or the IBAN of a bunq account.",
  translated: `Een betaalverzoek kan alleen naar een bunq-gebruiker: de IBAN "${value}" is geen bunq-rekening. ` +
    "Vraag het geld met een e-mailadres of de IBAN van een bunq-rekening."
})

/** @internal */
export const sameAccount: Message = {
  description: "The counterparty cannot be the same monetary account.",
  translated: "De tegenpartij kan niet dezelfde rekening zijn."
}

/** @internal */
export const sugarDaddyLimit: Message = {
  description: "Sugar daddy will only give you up to 500.00 EUR per request. Ask for less.",
  translated: "Sugar daddy geeft maximaal 500,00 EUR per verzoek. Vraag om minder."
}

/** @internal */
export const invalidStatusChange = (from: string, to: string): Message => ({
  description: `The status cannot change from ${from} to ${to}.`,
  translated: `De status kan niet veranderen van ${from} naar ${to}.`
})

/** @internal */
export const callbackTarget = (target: string): Message => ({
  description: `The notification target "${target}" is not allowed: the emulator delivers callbacks to loopback ` +
    "URLs only (http://127.0.0.1, http://localhost, http://[::1]).",
  translated: `Het notificatiedoel "${target}" is niet toegestaan: de emulator stuurt callbacks alleen naar ` +
    "loopback-URL’s."
})

/** @internal */
export const attachmentHeaders: Message = {
  description: "An attachment needs a Content-Type header and an X-Bunq-Attachment-Description header.",
  translated: "Een bijlage heeft een Content-Type header en een X-Bunq-Attachment-Description header nodig."
}
