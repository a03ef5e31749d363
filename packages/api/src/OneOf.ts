/**
 * bunq's "one of" objects, as tagged unions.
 *
 * bunq wraps a value that can be one of several types in an object keyed by the type name: a monetary account is
 * `{"MonetaryAccountBank": {...}}` or `{"MonetaryAccountSavings": {...}}`, the object of an event or a callback is
 * `{"Payment": {...}}`, `{"RequestInquiry": {...}}`, …. bunq's spec describes these as objects with every member
 * as an optional key; this package decodes them into a tagged union by the wrapper key:
 *
 * ```ts
 * import type * as OneOf from "@effect-bunq/api/OneOf"
 * import type * as Schemas from "@effect-bunq/api/Schemas"
 *
 * const describe = (account: Schemas.MonetaryAccountListing): string => {
 *   switch (account._tag) {
 *     case "MonetaryAccountBank":
 *       return `bank account ${account.value.description ?? ""}`
 *     case "Unknown":
 *       return `a ${account.typeName ?? "?"} this version does not know`
 *     default:
 *       return account._tag
 *   }
 * }
 * const unknown: OneOf.Unknown = { _tag: "Unknown", typeName: "MonetaryAccountFuture", raw: {} }
 * ```
 *
 * A wrapper key this version does not know (bunq adds types) decodes to `Unknown`, keeping the raw JSON, so that a
 * new type never makes a list fail. So does a known type whose object does not match its schema (bunq changed a
 * field's shape), with `issue` saying why: one odd object never fails a list page or a callback.
 *
 * @since 0.1.0
 */

/**
 * A JSON object, as a schema's encoded side.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonObject = { readonly [key: string]: unknown }

/**
 * One known member of a "one of" object: the wrapper key as `_tag`, the decoded object as `value`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Member<Tag extends string, A> {
  readonly _tag: Tag
  readonly value: A
}

/**
 * A member this version does not know, or a known one whose object does not match its schema: `typeName` is the
 * wrapper key (`undefined` for an empty object), `raw` the whole object as bunq sent it, and `issue`, for a known type
 * only, why it did not decode (`Cannot decode Payment: ["attachment"] expected ReadonlyArray<…>`: paths and expected
 * types, never a value).
 *
 * @since 0.1.0
 * @category models
 */
export interface Unknown {
  readonly _tag: "Unknown"
  readonly typeName: string | undefined
  readonly raw: unknown
  readonly issue?: string
}

/**
 * Whether a union value is a member this version does not know.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isUnknown = (value: { readonly _tag: string }): value is Unknown => value._tag === "Unknown"
