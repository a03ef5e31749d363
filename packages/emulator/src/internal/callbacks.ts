/**
 * Callbacks: the notification filters of a user or account, and delivering bunq's `NotificationUrl` body to their
 * URLs when a matching event happens. Deliveries run in the background (a daemon fiber per event and target), POST
 * with `@effect/platform`'s fetch client (browser-safe), are signed with the server key like every bunq body
 * (`X-Bunq-Server-Signature`), and are retried `callbackRetries` times `callbackRetrySpacing` apart. Only loopback
 * targets are allowed: an emulator must never call out to the internet.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import type { EventRecord } from "./ledger.js"
import type { MoneyObjects } from "./moneyObjects.js"
import type { Env } from "./state.js"
import { encoder } from "./state.js"
import { serializeJson } from "./wire.js"

/** A loopback http(s) URL, or `undefined`. @internal */
export const loopbackTarget = (target: string): URL | undefined => {
  try {
    const url = new URL(target)
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
    const host = url.hostname.replace(/^\[|\]$/g, "")
    return host === "127.0.0.1" || host === "localhost" || host === "::1" ? url : undefined
  } catch {
    return undefined
  }
}

/** @internal */
export const makeCallbacks = (env: Env, objects: MoneyObjects) => {
  const { signer, withStore } = env

  const record = (fields: {
    targetUrl: string
    category: string
    eventType: string
    eventId: number
    attempt: number
    status: number
  }) =>
    withStore((store) => {
      store.deliveries.push({
        seq: store.nextDeliverySeq++,
        ...fields,
        delivered: fields.status >= 200 && fields.status < 300
      })
    })

  const deliver = (target: string, category: string, eventType: string, event: EventRecord, body: Uint8Array) =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const signature = yield* Effect.orDie(signer.sign(env.serverKey.privateKey, body))
      const request = HttpClientRequest.post(target).pipe(
        HttpClientRequest.bodyUint8Array(body, "application/json"),
        HttpClientRequest.setHeaders({ "User-Agent": "bunq-emulator", "X-Bunq-Server-Signature": signature })
      )
      for (let attempt = 1; attempt <= 1 + env.callbackRetries; attempt++) {
        if (attempt > 1) yield* Effect.sleep(env.callbackRetrySpacing)
        const status = yield* client.execute(request).pipe(
          Effect.map((response) => response.status),
          Effect.timeout("5 seconds"),
          Effect.scoped,
          Effect.orElseSucceed(() => 0)
        )
        yield* record({ targetUrl: target, category, eventType, eventId: event.id, attempt, status })
        if (status >= 200 && status < 300) return
      }
    }).pipe(Effect.provide(FetchHttpClient.layer))

  /** Start delivering the callbacks of `events` to every matching filter; returns at once. */
  const notify = (events: ReadonlyArray<EventRecord>): Effect.Effect<void> =>
    Effect.flatMap(
      withStore((store) => {
        const jobs: Array<Effect.Effect<void>> = []
        for (const event of events) {
          for (const [category, eventType] of event.categories) {
            const filters = store.ledger.filters.filter((f) =>
              f.userId === event.userId && f.category === category &&
              (f.accountId === undefined || f.accountId === event.accountId)
            )
            if (filters.length === 0) continue
            const object = objects.eventObject(store, event)
            for (const filter of new Set(filters.map((f) => f.target))) {
              const body = encoder.encode(serializeJson(
                { NotificationUrl: { target_url: filter, category, event_type: eventType, object } },
                { pretty: true, escapeSlashes: env.fidelity.escapedSlashes }
              ))
              jobs.push(deliver(filter, category, eventType, event, body))
            }
          }
        }
        return jobs
      }),
      (jobs) => Effect.forEach(jobs, (job) => Effect.forkDaemon(job), { discard: true })
    )

  return { notify } as const
}
