import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as TransportDeadline from "@effect-bunq/http/TransportDeadline"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Layer, Redacted } from "effect"
import { fixture } from "./utils/fixtures.js"

const body = fixture("device-server-read.response.json")

interface Seen {
  /** The budget each request carried, in order. */
  readonly budgets: Array<number | undefined>
}

/**
 * A transport that honours `TransportDeadline`: a request whose path ends in `/hang` never answers, so it fails with
 * the timeout cause when its budget is spent (on a real timer); anything else answers the device fixture unsigned.
 */
const makeTransport = (seen: Seen): HttpClient.HttpClient =>
  // `makeWith`, like `UndiciHttpClient`: `HttpClient.make` would hand its function a copy of the request (with trace
  // headers), which does not carry the budget.
  HttpClient.makeWith(
    Effect.flatMap((request) => {
      const budget = TransportDeadline.millis(request)
      seen.budgets.push(budget)
      if (!request.url.endsWith("/hang")) {
        const headers = { "x-bunq-client-request-id": request.headers["x-bunq-client-request-id"]! }
        return Effect.succeed(
          HttpClientResponse.fromWeb(request, new Response(new Uint8Array(body), { status: 200, headers }))
        )
      }
      if (budget === undefined) return Effect.never
      return Effect.promise(() => new Promise((resolve) => setTimeout(resolve, budget))).pipe(
        Effect.zipRight(Effect.fail(
          new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: TransportDeadline.timeoutCause(budget)
          })
        ))
      )
    }),
    Effect.succeed as HttpClient.HttpClient.Preprocess<never, never>
  )

const clientOver = (http: HttpClient.HttpClient) =>
  Effect.provide(
    BunqClient.BunqClient,
    BunqClient.layer.pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, http)),
      Layer.provide(WebCryptoSigner.layer),
      Layer.provide(Layer.orDie(BunqConfig.layer({
        baseUrl: "https://bunq.test/v1",
        timeout: "250 millis",
        retry: false,
        rateLimits: false
      })))
    )
  )

const get = (path: string): BunqClient.BunqRequest => ({
  operation: "Test.get",
  method: "GET",
  path,
  auth: { _tag: "Session", token: Redacted.make("token") }
})

describe("TransportDeadline", () => {
  it("enforce marks a copy; the original and wrapped clients stay unmarked", () => {
    const plain = makeTransport({ budgets: [] })
    const marked = TransportDeadline.enforce(plain)
    assert.isTrue(TransportDeadline.isEnforced(marked))
    assert.isFalse(TransportDeadline.isEnforced(plain))
    assert.isFalse(TransportDeadline.isEnforced(HttpClient.filterStatusOk(marked)))
    assert.strictEqual(typeof marked.execute, "function")
  })

  it("attach and millis: the budget travels with that request object only", () => {
    const request = HttpClientRequest.get("https://bunq.test/v1/user")
    assert.isUndefined(TransportDeadline.millis(request))
    TransportDeadline.attach(request, 1234)
    assert.strictEqual(TransportDeadline.millis(request), 1234)
    assert.isUndefined(TransportDeadline.millis(HttpClientRequest.setHeader(request, "x-a", "1")))
    // Not part of the request's data: not in its JSON, not in its keys.
    assert.notInclude(JSON.stringify(request), "1234")
  })

  it("isTimeoutCause recognises only the timeout cause", () => {
    assert.isTrue(TransportDeadline.isTimeoutCause(TransportDeadline.timeoutCause(5)))
    assert.isTrue(TransportDeadline.isTimeoutCause(new Cause.TimeoutException()))
    assert.isFalse(TransportDeadline.isTimeoutCause(new Error("socket hang up")))
    assert.isFalse(TransportDeadline.isTimeoutCause(undefined))
  })

  it.live("BunqClient hands a marked client the configured timeout and reports its timeout as TransportError Timeout", () =>
    Effect.gen(function*() {
      const seen: Seen = { budgets: [] }
      const client = yield* clientOver(TransportDeadline.enforce(makeTransport(seen)))
      const response = yield* client.execute(get("/device-server/1"))
      assert.strictEqual(response.status, 200)
      const error = yield* Effect.flip(client.execute(get("/hang")))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as any).reason, "Timeout")
      assert.include(error.message, "no complete response within 250")
      assert.deepStrictEqual(seen.budgets, [250, 250])
    }))

  it.live("an unmarked client gets no budget: BunqClient's own timer interrupts it", () =>
    Effect.gen(function*() {
      const seen: Seen = { budgets: [] }
      const client = yield* clientOver(makeTransport(seen))
      const started = Date.now()
      const error = yield* Effect.flip(client.execute(get("/hang")))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual((error as any).reason, "Timeout")
      assert.isBelow(Date.now() - started, 5_000)
      assert.deepStrictEqual(seen.budgets, [undefined])
    }))
})
