import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as AST from "effect/SchemaAST"

/**
 * One leaf of a parse issue, with the path where it happened and a message that never contains the offending value.
 *
 * @internal
 */
export interface IssueLine {
  readonly path: ReadonlyArray<string | number>
  readonly message: string
}

/**
 * Issues created by this package for "the Response has no object of this type": the formatter reports them with the
 * reason `MissingObject`.
 *
 * @internal
 */
export const missingObjectIssues: WeakSet<ParseResult.ParseIssue> = new WeakSet()

const MAX_EXPECTED_LENGTH = 120
const MAX_LINES = 10

/**
 * A short name for what a schema expects: its identifier or title, else its structure, truncated.
 *
 * @internal
 */
export const describeAst = (ast: AST.AST): string => {
  let text = nameOf(ast) ?? (AST.isTransformation(ast) ? nameOf(ast.to) ?? describeAst(ast.from) : undefined)
  if (text === undefined) {
    try {
      text = String(ast)
    } catch {
      text = ast._tag
    }
  }
  return text.length > MAX_EXPECTED_LENGTH ? `${text.slice(0, MAX_EXPECTED_LENGTH - 1)}…` : text
}

/** A schema's identifier, else its title. */
const nameOf = (ast: AST.AST): string | undefined =>
  Option.getOrUndefined(AST.getIdentifierAnnotation(ast)) ?? Option.getOrUndefined(AST.getTitleAnnotation(ast))

const toPathKey = (key: PropertyKey): string | number => typeof key === "symbol" ? String(key) : key

/**
 * Flattens a `ParseIssue` into leaf lines. Only the schema (expected types, identifiers) and the path are used: the
 * `actual` values, and messages that effect may have built from them, are never read.
 *
 * @internal
 */
export const flatten = (issue: ParseResult.ParseIssue): {
  readonly lines: ReadonlyArray<IssueLine>
  readonly missingObject: boolean
  readonly total: number
} => {
  const lines: Array<IssueLine> = []
  let missingObject = false
  let total = 0
  const push = (path: ReadonlyArray<string | number>, message: string) => {
    total++
    if (lines.length < MAX_LINES) lines.push({ path, message })
  }
  const go = (issue: ParseResult.ParseIssue, path: ReadonlyArray<string | number>): void => {
    switch (issue._tag) {
      case "Pointer":
        // `path` is one key or several
        return go(issue.issue, [...path, ...[issue.path].flat().map(toPathKey)])
      case "Transformation":
        return go(issue.issue, path)
      case "Refinement":
        if (issue.kind === "From") return go(issue.issue, path)
        break
      case "Composite": {
        const issues = [issue.issues].flat()
        // a union whose members all rejected the value's type: one line, "expected A | B"
        if (AST.isUnion(issue.ast) && issues.every((inner) => inner._tag === "Type")) break
        for (const inner of issues) go(inner, path)
        return
      }
      case "Missing":
        if (missingObjectIssues.has(issue)) {
          missingObject = true
          // the message of these issues is written by this package and holds only type names
          return push(path, issue.message ?? "is missing")
        }
        return push(path, `is missing (expected ${describeAst(issue.ast.type)})`)
      case "Unexpected":
        return push(path, "is unexpected")
      case "Forbidden":
        return push(path, "is forbidden")
    }
    // a `Type` issue, a refinement's own predicate, or a union of `Type` issues
    push(path, `expected ${describeAst(issue.ast)}`)
  }
  go(issue, [])
  return { lines, missingObject, total }
}

/**
 * `["Response"][0]["Token"]["token"]`
 *
 * @internal
 */
export const formatPath = (path: ReadonlyArray<string | number>): string =>
  path.map((key) => `[${JSON.stringify(key)}]`).join("")
