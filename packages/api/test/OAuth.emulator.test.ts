/**
 * OAuth end to end on the emulator: the authorization URL and its state, the user's consent (the emulator's test
 * helper accepts as a user would), the code exchanged at both token endpoints, a context per access token whose
 * session is a `UserApiKey`, and the generated programs on the granting user's accounts with the `UserApiKey`'s id in
 * every path. Also: a wrong state, a refusal, a reused code, two connected users at once, and the OAuth client managed
 * with the generated `oauth-client` and `callback-url` programs.
 */
import * as ApiContext from "@effect-bunq/device-server/ApiContext"
import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as OAuth from "@effect-bunq/device-server/OAuth"
import * as Psd2 from "@effect-bunq/device-server/Psd2"
import * as BunqEmulator from "@effect-bunq/emulator/BunqEmulator"
import * as BunqClient from "@effect-bunq/http/BunqClient"
import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import * as Certificate from "@effect-bunq/signer/Certificate"
import * as Signer from "@effect-bunq/signer/Signer"
import * as WebCryptoSigner from "@effect-bunq/signer/WebCryptoSigner"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Inspectable, Layer, Option, Redacted, Stream, TestClock } from "effect"
import * as CallbackUrl from "../src/CallbackUrl.js"
import * as MonetaryAccount from "../src/MonetaryAccount.js"
import * as OauthClient from "../src/OauthClient.js"
import * as Payment from "../src/Payment.js"

const redirectUri = "https://app.example/bunq/callback"

const setup = Effect.gen(function*() {
  yield* TestClock.setTime(Date.now())
  const signer = yield* WebCryptoSigner.make
  const emulator = yield* BunqEmulator.make().pipe(Effect.provideService(Signer.Signer, signer))
  const url = yield* emulator.url
  const http = BunqEmulator.makeHttpClient(emulator)
  const store = yield* Effect.provide(ContextStore.ContextStore, ContextStore.layerMemory)
  const services = BunqClient.layer.pipe(
    Layer.provideMerge(Layer.succeed(HttpClient.HttpClient, http)),
    Layer.provideMerge(Layer.succeed(Signer.Signer, signer)),
    Layer.provideMerge(BunqConfig.layer({ baseUrl: url, rateLimits: false, retry: false })),
    Layer.provideMerge(Layer.succeed(ContextStore.ContextStore, store))
  )
  const oauthBase = `${new URL(url).origin}/oauth`
  const requests = Effect.map(emulator.log, (entries) => entries.map((e) => `${e.method} ${e.path}`))
  return { emulator, services, store, oauthBase, requests }
})

/** The app's OAuth client for a client registered on the emulator. */
const clientOf = (
  registered: BunqEmulator.OAuthClient,
  oauthBase: string,
  tokenRequest: OAuth.TokenRequest = "query"
): OAuth.Client => ({
  clientId: registered.clientId,
  clientSecret: registered.clientSecret,
  redirectUri,
  endpoints: OAuth.customEndpoints(oauthBase, tokenRequest)
})

/** The app's side of one user's connection: URL, consent (as that user), state check, exchange. */
const connect = (
  emulator: BunqEmulator.Emulator.Service,
  client: OAuth.Client,
  user: BunqEmulator.SandboxUser
) =>
  Effect.gen(function*() {
    const authorization = yield* OAuth.authorize(client)
    const redirect = yield* emulator.authorizeOAuth({ url: authorization.url, user })
    const code = yield* OAuth.parseCallback(redirect, authorization.state)
    return yield* OAuth.exchange(client, code)
  })

describe("OAuth on the emulator", () => {
  it.effect("the round trip: URL, state, code, token, a UserApiKey session, the granting user's payments", () =>
    Effect.gen(function*() {
      const { emulator, oauthBase, requests, services } = yield* setup
      const alice = yield* emulator.createSandboxUser()
      yield* emulator.topUp(alice, "125.50")
      const registered = yield* emulator.createOAuthClient({ redirectUris: [redirectUri] })
      const client = clientOf(registered, oauthBase)

      const authorization = yield* OAuth.authorize(client)
      const params = new URL(authorization.url).searchParams
      assert.strictEqual(params.get("client_id"), registered.clientId)
      assert.strictEqual(params.get("state"), authorization.state)
      const redirect = yield* emulator.authorizeOAuth({ url: authorization.url, user: alice })
      assert.isTrue(redirect.startsWith(`${redirectUri}?code=`))
      // a redirect whose state is not ours is refused, and its code is never sent
      const forged = yield* Effect.flip(OAuth.parseCallback(redirect, "not-the-state"))
      assert.strictEqual(forged.reason, "StateMismatch")
      const code = yield* OAuth.parseCallback(redirect, authorization.state)
      const token = yield* OAuth.exchange(client, code).pipe(Effect.provide(services))
      assert.strictEqual(token.tokenType, "bearer")
      // a code works once
      const reused = yield* Effect.flip(OAuth.exchange(client, code).pipe(Effect.provide(services)))
      assert.strictEqual(reused._tag === "OAuthError" && reused.reason, "InvalidGrant")
      assert.strictEqual(reused._tag === "OAuthError" && reused.status, 400)

      const seen = yield* Effect.gen(function*() {
        const connection = yield* OAuth.connection()
        const session = yield* (yield* ApiContext.ApiContext).session
        const accounts = yield* MonetaryAccount.listPage()
        const bank = accounts.items.find((a) => a._tag === "MonetaryAccountBank")
        assert.isDefined(bank)
        const accountId = bank!._tag === "MonetaryAccountBank" ? bank!.value.id! : -1
        const payments = Chunk.toReadonlyArray(yield* Stream.runCollect(Payment.list({ monetaryAccountId: accountId })))
        return { connection, session, accountId, payments }
      }).pipe(Effect.provide(OAuth.layerContext(token.accessToken)), Effect.provide(services))

      assert.strictEqual(seen.connection.user._tag, "UserApiKey")
      assert.notStrictEqual(seen.connection.userId, alice.id)
      assert.strictEqual(seen.session.userId, seen.connection.userId, "the path user is the UserApiKey")
      assert.strictEqual(Option.getOrUndefined(seen.connection.grantedBy)?.id, alice.id)
      assert.strictEqual(Option.getOrUndefined(seen.connection.grantedBy)?.type, "UserPerson")
      assert.isTrue(seen.payments.some((p) => p.amount?.value === "125.50"), "the top-up is among alice's payments")
      const log = yield* requests
      const apiKeyUser = seen.connection.userId
      assert.include(log, `GET /user/${apiKeyUser}/monetary-account`)
      assert.include(log, `GET /user/${apiKeyUser}/monetary-account/${seen.accountId}/payment`)
      assert.isFalse(log.some((line) => line.includes(`/user/${alice.id}/`)), "alice's own id is never in a path")
    }))

  it.effect("the form endpoint, a refusal, a wrong secret", () =>
    Effect.gen(function*() {
      const { emulator, oauthBase, services } = yield* setup
      const bob = yield* emulator.createSandboxUser()
      const registered = yield* emulator.createOAuthClient({ redirectUris: [redirectUri] })
      const client = clientOf(registered, oauthBase, "form")
      const token = yield* connect(emulator, client, bob).pipe(Effect.provide(services))
      const user = yield* OAuth.connection().pipe(
        Effect.provide(OAuth.layerContext(token.accessToken)),
        Effect.provide(services)
      )
      assert.strictEqual(Option.getOrUndefined(user.grantedBy)?.id, bob.id)

      const authorization = yield* OAuth.authorize(client)
      const refused = yield* emulator.authorizeOAuth({ url: authorization.url, user: bob, deny: true })
      const denied = yield* Effect.flip(OAuth.parseCallback(refused, authorization.state))
      assert.strictEqual(denied.reason, "AuthorizationDenied")

      const wrongSecret = yield* Effect.flip(
        connect(emulator, { ...client, clientSecret: Redacted.make("not-the-secret") }, bob).pipe(
          Effect.provide(services)
        )
      )
      assert.strictEqual(wrongSecret._tag === "OAuthError" && wrongSecret.reason, "InvalidClient")
      // a redirect URI the client did not register is refused on bunq's page
      const unregistered = yield* Effect.flip(
        Effect.flatMap(
          OAuth.authorize({ ...client, redirectUri: "https://evil.example/" }),
          (a) => emulator.authorizeOAuth({ url: a.url, user: bob })
        )
      )
      assert.strictEqual(unregistered._tag, "OAuthAuthorizationError")
    }))

  it.effect("two connected users in one process, side by side: their own ids, their own accounts, no crossing", () =>
    Effect.gen(function*() {
      const { emulator, oauthBase, services, store } = yield* setup
      const registered = yield* emulator.createOAuthClient({ redirectUris: [redirectUri] })
      const client = clientOf(registered, oauthBase)
      const alice = yield* emulator.createSandboxUser()
      const bob = yield* emulator.createSandboxUser()
      yield* emulator.topUp(alice, "11.00")
      yield* emulator.topUp(bob, "22.00")
      const [aliceToken, bobToken] = yield* Effect.all([
        connect(emulator, client, alice),
        connect(emulator, client, bob)
      ], { concurrency: 2 }).pipe(Effect.provide(services))

      const view = Effect.gen(function*() {
        const connection = yield* OAuth.connection()
        const accounts = yield* MonetaryAccount.listPage()
        const ids = accounts.items.flatMap((a) => a._tag === "MonetaryAccountBank" ? [a.value.id!] : [])
        const payments = yield* Effect.forEach(
          ids,
          (id) =>
            Stream.runCollect(Payment.list({ monetaryAccountId: id })).pipe(
              Effect.map((all) => Chunk.toReadonlyArray(all).map((p) => p.amount?.value))
            )
        )
        return { userId: connection.userId, grantor: Option.getOrUndefined(connection.grantedBy)?.id, ids, payments }
      })
      const asUser = (token: OAuth.AccessToken) => Effect.provide(view, OAuth.layerContext(token.accessToken))
      // twice each, interleaved: the second round restores each context from the store
      const rounds = yield* Effect.all([asUser(aliceToken), asUser(bobToken), asUser(bobToken), asUser(aliceToken)], {
        concurrency: 4
      }).pipe(Effect.provide(services))
      const [a1, b1, b2, a2] = rounds
      assert.deepStrictEqual(a1, a2)
      assert.deepStrictEqual(b1, b2)
      assert.strictEqual(a1!.grantor, alice.id)
      assert.strictEqual(b1!.grantor, bob.id)
      assert.notStrictEqual(a1!.userId, b1!.userId)
      assert.isTrue(a1!.ids.every((id) => !b1!.ids.includes(id)), "no account of one is the other's")
      assert.deepStrictEqual(a1!.payments.flat(), ["11.00"])
      assert.deepStrictEqual(b1!.payments.flat(), ["22.00"])
      // one saved context per access token, each under its own key
      const aliceKey = yield* OAuth.storeKey(aliceToken.accessToken)
      const bobKey = yield* OAuth.storeKey(bobToken.accessToken)
      assert.notStrictEqual(aliceKey, bobKey)
      const saved = yield* Effect.all([store.load(aliceKey), store.load(bobKey)])
      assert.deepStrictEqual(saved.map((s) => Option.map(s, (c) => Option.map(c.session, (x) => x.userId))), [
        Option.some(Option.some(a1!.userId)),
        Option.some(Option.some(b1!.userId))
      ])
    }))

  it.effect("a PSD2 provider manages its OAuth client with the generated programs, then connects a user", () =>
    Effect.gen(function*() {
      const { emulator, oauthBase, services } = yield* setup
      const root = yield* Certificate.makeTest({ commonName: "Emulated QTSP Root", country: "NL" })
      const leaf = yield* Certificate.makeTest({ commonName: "Test App PISP AISP", country: "NL", issuer: root })
      const provider = Psd2.layer({
        certificatePem: leaf.certificatePem,
        chainPem: root.certificatePem,
        privateKeyPem: leaf.privateKeyPem,
        storeKey: "provider",
        onRegistered: () => Effect.void // a test: the API key is not needed after it
      })
      const registered = yield* Effect.gen(function*() {
        const id = yield* OauthClient.create({ body: { status: "ACTIVE" } })
        yield* CallbackUrl.create({ oauthClientId: id, body: { url: redirectUri } })
        const read = yield* OauthClient.get({ id })
        const listed = Chunk.toReadonlyArray(yield* Stream.runCollect(OauthClient.list()))
        assert.deepStrictEqual(listed.map((c) => c.id), [id])
        return read
      }).pipe(Effect.provide(provider), Effect.provide(services))
      assert.deepStrictEqual(registered.callback_url?.map((c) => c.url), [redirectUri])
      // the client's secret decodes as Redacted: printing or serializing the object never shows it
      const secret = Redacted.value(registered.secret!)
      assert.isAbove(secret.length, 0)
      assert.notInclude(JSON.stringify(registered), secret)
      assert.notInclude(String(registered.secret), secret)
      assert.notInclude(Inspectable.format(registered), secret)

      const carol = yield* emulator.createSandboxUser()
      const client: OAuth.Client = {
        clientId: registered.client_id!,
        clientSecret: registered.secret!,
        redirectUri,
        endpoints: OAuth.customEndpoints(oauthBase)
      }
      const token = yield* connect(emulator, client, carol).pipe(Effect.provide(services))
      const connection = yield* OAuth.connection().pipe(
        Effect.provide(OAuth.layerContext(token.accessToken)),
        Effect.provide(services)
      )
      assert.strictEqual(Option.getOrUndefined(connection.grantedBy)?.id, carol.id)
      assert.strictEqual(connection.requestedBy.type, "UserPaymentServiceProvider")
    }))
})
