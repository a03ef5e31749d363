/**
 * The two kinds of optional field this package uses, built with `Schema.optionalToOptional` /
 * `Schema.optionalToRequired` into the same property signatures `Schema.optionalWith` builds for these options
 * (`from` included). `optionalWith` itself carries the code of every combination of its options (defaults,
 * `undefined`, exactness, `Option`, constructor defaults), ≈ 0.25 KB gzipped in every browser app, of which these
 * two need one branch each.
 */
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/** A property signature that also holds `from` (kept by `annotations`), as `optionalWith` returns it. */
const withFrom = <S extends Schema.Schema.All>(signature: Schema.PropertySignature.All, from: S): any =>
  Object.assign(signature, {
    from,
    annotations: (annotations: Schema.PropertySignature.Annotations<unknown>) =>
      withFrom(Schema.makePropertySignature(signature.ast).annotations(annotations), from)
  })

/**
 * `Schema.optionalWith(schema, { nullable: true, exact: true })`.
 *
 * @internal
 */
export const nullableExact = <A, I, R>(
  schema: Schema.Schema<A, I, R>
): Schema.optionalWith<Schema.Schema<A, I, R>, { nullable: true; exact: true }> =>
  withFrom(
    Schema.optionalToOptional(Schema.NullOr(schema), Schema.typeSchema(schema), {
      decode: Option.filter(Predicate.isNotNull),
      encode: identity
    }),
    schema
  )

/**
 * `Schema.optionalWith(schema, { nullable: true, as: "Option", onNoneEncoding })` (without `onNoneEncoding`, `None`
 * is encoded as an absent field).
 *
 * @internal
 */
export const nullableOption = <S extends Schema.Schema.AnyNoContext>(
  schema: S,
  onNoneEncoding?: () => Option.Option<null>
): Schema.optionalWith<S, { nullable: true; as: "Option" }> =>
  withFrom(
    Schema.optionalToRequired(
      Schema.NullishOr(schema),
      Schema.OptionFromSelf(Schema.typeSchema(schema)),
      {
        decode: Option.filter(Predicate.isNotNullable),
        encode: onNoneEncoding ? Option.orElse(onNoneEncoding) : identity
      }
    ),
    schema
  )
