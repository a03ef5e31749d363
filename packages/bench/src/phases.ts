/**
 * Where a sequential signed request's time goes, for the two clients that send through undici (ours and the
 * baseline), read from undici's diagnostics channels:
 *
 * - **before send**: from the call to the request headers written to the socket (`undici:client:sendHeaders`):
 *   the client's own work first (building, signing, running the program);
 * - **server**: from there to the response headers (`undici:request:headers`): the emulator's work and the loopback
 *   round trip, plus any delay before the client's event loop picks the answer up;
 * - **body**: from the response headers to the end of the body (`undici:request:trailers`);
 * - **after body**: from there until the call's promise settles: reading, verifying, parsing, decoding, resuming.
 *
 * One request at a time, so every event belongs to the request in progress. bunqJSClient sends through axios and
 * `node:http`, which publish none of these events, so it has no row.
 */
import * as DiagnosticsChannel from "node:diagnostics_channel"

export const names = ["before send", "server", "body", "after body"] as const

/** The clients measured: the two that send through undici. */
export const contenders = ["baseline", "ours"] as const

export type Contender = typeof contenders[number]

export type Phase = typeof names[number]

/** One request's phases in milliseconds. */
export type Timeline = Record<Phase, number>

/** The undici channel that sets each mark. */
const channels = {
  sent: "undici:client:sendHeaders",
  headers: "undici:request:headers",
  trailers: "undici:request:trailers"
} as const

interface Marks {
  readonly call: number
  sent?: number
  headers?: number
  trailers?: number
}

/**
 * Runs `n` calls one after another and returns the timeline of each one whose undici events were all seen (a call
 * that sends more than one request is measured to its first request's events and last settle).
 */
export const record = async (n: number, call: () => Promise<void>): Promise<Array<Timeline>> => {
  let current: Marks | undefined
  // Each channel stamps its mark on the request in progress, the first time only.
  const listeners = (Object.keys(channels) as Array<keyof typeof channels>).map((mark) => {
    const listener = () => {
      if (current !== undefined && current[mark] === undefined) current[mark] = performance.now()
    }
    DiagnosticsChannel.subscribe(channels[mark], listener)
    return [channels[mark], listener] as const
  })
  const timelines: Array<Timeline> = []
  try {
    for (let i = 0; i < n; i++) {
      const marks: Marks = { call: performance.now() }
      current = marks
      await call()
      const end = performance.now()
      current = undefined
      const { call: start, headers, sent, trailers } = marks
      if (sent === undefined || headers === undefined || trailers === undefined) continue
      timelines.push({
        "before send": sent - start,
        server: headers - sent,
        body: trailers - headers,
        "after body": end - trailers
      })
    }
  } finally {
    current = undefined
    for (const [channel, listener] of listeners) DiagnosticsChannel.unsubscribe(channel, listener)
  }
  return timelines
}
