/**
 * A tracer that keeps every span: its name, attributes, events, links and exit. Shared by the tests that check that
 * no secret reaches a span (`http`, `device-server`, `reliability`).
 */
import { type Exit, Inspectable, Tracer } from "effect"

export interface RecordedSpan {
  readonly name: string
  /** The parent span's name, when the parent is a span of this tracer or another (`undefined` for a root). */
  readonly parent: string | undefined
  readonly attributes: Map<string, unknown>
  /** `name attributes`, the attributes printed as `Inspectable.format` prints them. */
  readonly events: Array<string>
  /** Each link's attributes, printed as `Inspectable.format` prints them. */
  readonly links: Array<string>
  exit?: Exit.Exit<unknown, unknown>
}

export const makeRecordingTracer = (): { readonly spans: Array<RecordedSpan>; readonly tracer: Tracer.Tracer } => {
  const spans: Array<RecordedSpan> = []
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const recorded: RecordedSpan = {
        name,
        parent: parent._tag === "Some" && parent.value._tag === "Span" ? parent.value.name : undefined,
        attributes: new Map(),
        events: [],
        links: links.map((link) => Inspectable.format(link.attributes))
      }
      spans.push(recorded)
      return {
        _tag: "Span",
        name,
        spanId: `span-${spans.length}`,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes: recorded.attributes,
        links,
        sampled: true,
        kind,
        end(_endTime, exit) {
          recorded.exit = exit
        },
        attribute(key, value) {
          recorded.attributes.set(key, value)
        },
        event(name, _startTime, attributes) {
          recorded.events.push(`${name} ${Inspectable.format(attributes ?? {})}`)
        },
        addLinks(more) {
          recorded.links.push(...more.map((link) => Inspectable.format(link.attributes)))
        }
      }
    },
    context: (f) => f()
  })
  return { spans, tracer }
}
