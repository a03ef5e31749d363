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
import * as AST from "effect/SchemaAST"

/**
 * The signature as `optionalWith` returns it: `Schema.propertySignature(from)` is an instance of the same class, which
 * holds `from` and keeps it in `annotations`; it gets the signature's AST.
 */
const withFrom = <S extends Schema.Schema.All>(signature: Schema.PropertySignature.All, from: S): any =>
  Object.assign(Schema.propertySignature(from), { ast: signature.ast })

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
 * `Schema.OptionFromSelf(schema)` without the `description` annotation (`Option<…>`) that it adds: `optionalWith` uses
 * the declaration without it, and the description would show in JSON Schemas (on the field) and in constructor errors.
 */
const optionFromSelf = <A, I, R>(
  schema: Schema.Schema<A, I, R>
): Schema.Schema<Option.Option<A>, Option.Option<I>, R> => {
  const ast = Schema.OptionFromSelf(schema).ast as AST.Declaration
  const { [AST.DescriptionAnnotationId]: _, ...annotations } = ast.annotations
  return Schema.make(new AST.Declaration(ast.typeParameters, ast.decodeUnknown, ast.encodeUnknown, annotations))
}

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
      optionFromSelf(Schema.typeSchema(schema)),
      {
        decode: Option.filter(Predicate.isNotNullable),
        encode: onNoneEncoding ? Option.orElse(onNoneEncoding) : identity
      }
    ),
    schema
  )
