/**
 * `ApiContext.layerRuntime`'s implementation: every runtime service made in one layer from what the platform gives.
 *
 * @internal
 */
import { BunqClient, make as bunqClientMake, requestSettings } from "@effect-bunq/http/BunqClient"
import { BunqConfig } from "@effect-bunq/http/BunqConfig"
import { BunqRateLimiter } from "@effect-bunq/http/BunqRateLimiter"
import * as Signer from "@effect-bunq/signer/Signer"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { ApiContext, Options, Platform, RuntimeServices, ServiceSource } from "../ApiContext.js"
import * as ContextStore from "../ContextStore.js"
import { make } from "./apiContext.js"

/** @internal (the tag is a parameter: an internal module imports no value from its public facade) */
export const layerRuntime = (
  apiContextTag: Context.Tag<ApiContext, ApiContext.Service>,
  options: Options,
  platform: Platform<ServiceSource<HttpClient.HttpClient, HttpClient.HttpClient> | undefined>
): Layer.Layer<RuntimeServices, unknown, unknown> =>
  // `HttpClient` is read from the context only when the platform gives none.
  Layer.scopedContext(Effect.gen(function*() {
    const scope = yield* Effect.scope
    const service = <I, S, E, R>(
      tag: Context.Tag<I, S>,
      source: ServiceSource<I, S, E, R>
    ): Effect.Effect<S, E, R | Scope.Scope> =>
      Layer.isLayer(source)
        ? Effect.flatMap(
          Layer.CurrentMemoMap,
          (memoMap) =>
            Effect.map(Layer.buildWithMemoMap(source as Layer.Layer<I, E, R>, memoMap, scope), Context.get(tag))
        )
        : source as Effect.Effect<S, E, R | Scope.Scope>
    const http = platform.httpClient === undefined
      ? yield* HttpClient.HttpClient
      : yield* service(HttpClient.HttpClient, platform.httpClient)
    const config = yield* service(BunqConfig, platform.config)
    const signer = yield* service(Signer.Signer, platform.signer)
    const store = yield* Effect.provideService(
      service(ContextStore.ContextStore, platform.store),
      Signer.Signer,
      signer
    )
    const services = Context.make(BunqConfig, config).pipe(
      Context.add(Signer.Signer, signer),
      Context.add(HttpClient.HttpClient, http),
      Context.add(ContextStore.ContextStore, store)
    )
    // bunq's secret headers join `Headers.currentRedactedNames`, and the transport's own span is off for bunq's
    // requests, for everything built on this layer.
    yield* requestSettings
    // A provided rate limiter is seen by the client only (it is not one of the runtime services).
    const clientContext = platform.rateLimiter === undefined ? services : Context.add(
      services,
      BunqRateLimiter,
      yield* Effect.provideService(service(BunqRateLimiter, platform.rateLimiter), BunqConfig, config)
    )
    const withClient = Context.add(services, BunqClient, yield* Effect.provide(bunqClientMake, clientContext))
    return Context.add(withClient, apiContextTag, yield* Effect.provide(make(options), withClient))
  }))
