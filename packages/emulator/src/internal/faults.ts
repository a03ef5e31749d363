/**
 * Fault injection: matching injected faults against requests, and what a fault does to a response.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { RateLimits } from "../BunqEmulator.js"
import type { Fault, FaultKind, RequestMatch } from "../BunqEmulatorTesting.js"
import * as Messages from "./messages.js"
import type { Env } from "./state.js"

/** @internal */
export const bunqRateLimits: RateLimits = {
  GET: { calls: 3, seconds: 3 },
  POST: { calls: 5, seconds: 3 },
  PUT: { calls: 2, seconds: 3 },
  DELETE: { calls: 2, seconds: 3 },
  sessionServer: { calls: 1, seconds: 30 }
}

/** @internal */
export interface FaultEntry {
  readonly fault: Fault
  /** Matching requests left; `Infinity` for `"unlimited"` (and for a `duration` without `times`). */
  remaining: number
  /** `Clock` millis after which the fault is over (`duration`), or `undefined`. */
  readonly endsAt: number | undefined
  readonly matches: (method: string, path: string) => boolean
}

/** @internal */
export const globToRegExp = (pattern: string): RegExp => {
  let source = ""
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        source += ".*"
        i++
      } else {
        source += "[^/]*"
      }
    } else {
      source += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&")
    }
  }
  return new RegExp(`^${source}$`)
}

/** A `RequestMatch` as a predicate on a request's method and path (relative to `basePath`). @internal */
export const matcher = (match: RequestMatch, basePath: string): (method: string, path: string) => boolean => {
  const method = match.method?.toUpperCase()
  const pattern = match.path === undefined ? undefined : globToRegExp(match.path)
  return (m, path) =>
    (method === undefined || method === m) &&
    (pattern === undefined || pattern.test(path) || pattern.test(`${basePath}${path}`))
}

/** @internal */
export const flipByte = (bytes: Uint8Array): Uint8Array => {
  const copy = new Uint8Array(bytes)
  // Prefer a digit: the body stays valid JSON with a different value, so only verification can tell.
  let index = copy.findIndex((b) => b >= 0x30 && b <= 0x39)
  if (index === -1) index = copy.length >> 1
  if (copy.length === 0) return copy
  copy[index] = copy[index] >= 0x30 && copy[index] <= 0x39 ? 0x30 + ((copy[index] - 0x30 + 1) % 10) : copy[index] ^ 1
  return copy
}

/** @internal */
export const corruptSignature = (signature: string): string => {
  const first = signature[0] === "A" ? "B" : "A"
  return first + signature.slice(1)
}

/** @internal */
export const makeFaults = (env: Env) => {
  const takeFault = (method: string, path: string, now: number): Effect.Effect<Fault | undefined> =>
    env.withStore((store) => {
      // Faults whose time is up go first, matched or not.
      for (let i = store.faults.length - 1; i >= 0; i--) {
        const endsAt = store.faults[i].endsAt
        if (endsAt !== undefined && now >= endsAt) store.faults.splice(i, 1)
      }
      const entry = store.faults.find((f) => f.remaining > 0 && f.matches(method, path))
      if (entry === undefined) return undefined
      entry.remaining--
      if (entry.remaining <= 0) store.faults.splice(store.faults.indexOf(entry), 1)
      return entry.fault
    })

  const injectFault = (fault: Fault): Effect.Effect<void> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      env.withStore((store) => {
        const duration = fault.duration === undefined ? undefined : Duration.toMillis(fault.duration)
        const times = fault.times ?? (duration === undefined ? 1 : "unlimited")
        store.faults.push({
          fault,
          remaining: times === "unlimited" ? Number.POSITIVE_INFINITY : times,
          endsAt: duration === undefined ? undefined : now + duration,
          matches: matcher(fault, env.basePath)
        })
      }))

  const faultStatusMessage = (fault: Extract<FaultKind, { _tag: "Status" }>): Messages.Message => {
    if (fault.description !== undefined) return { description: fault.description, translated: fault.description }
    if (fault.status === 429) {
      const limit = (env.rateLimits ?? bunqRateLimits).GET
      return Messages.rateLimited(limit.calls, limit.seconds)
    }
    if (fault.status === 491) return Messages.maintenance
    if (fault.status >= 500) return Messages.serverError
    return Messages.injected(fault.status)
  }

  return { takeFault, injectFault, faultStatusMessage } as const
}
