import * as BunqConfig from "@effect-bunq/http/BunqConfig"
import { assert, describe, it } from "@effect/vitest"
import { ConfigError, ConfigProvider, Duration, Effect, Either, Layer } from "effect"

const fromEnv = (env: Record<string, string>, defaults?: BunqConfig.Options) =>
  Effect.provide(
    BunqConfig.BunqConfig,
    BunqConfig.layerConfig(defaults).pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromJson(env))))
  )

describe("BunqConfig", () => {
  it("defaults: sandbox, bunq's header values, classic limits, GET retries", () => {
    const config = BunqConfig.make()
    assert.strictEqual(config.environment, "sandbox")
    assert.strictEqual(config.baseUrl, "https://public-api.sandbox.bunq.com/v1")
    assert.strictEqual(config.userAgent, BunqConfig.defaultUserAgent)
    assert.strictEqual(config.language, "en_US")
    assert.strictEqual(config.region, "nl_NL")
    assert.strictEqual(config.geolocation, "0 0 0 0 000")
    assert.deepStrictEqual(config.rateLimits, BunqConfig.classicRateLimits)
    assert.strictEqual(config.rateLimits?.GET?.limit, 3)
    assert.strictEqual(config.rateLimits?.sessionServer?.limit, 1)
    assert.isTrue(Duration.equals(config.rateLimits!.sessionServer!.window, Duration.seconds(30)))
    assert.deepStrictEqual(config.retry, BunqConfig.defaultRetryPolicy)
    assert.isFalse(config.allowUnsignedErrors)
  })

  it("production, a custom base URL, limits and retries off", () => {
    assert.strictEqual(BunqConfig.make({ environment: "production" }).baseUrl, "https://api.bunq.com/v1")
    const custom = BunqConfig.make({ baseUrl: "http://127.0.0.1:8080/bunq/v1/", rateLimits: false, retry: false })
    assert.strictEqual(custom.environment, "custom")
    assert.strictEqual(custom.baseUrl, "http://127.0.0.1:8080/bunq/v1")
    assert.isUndefined(custom.rateLimits)
    assert.isUndefined(custom.retry)
    assert.throws(() => BunqConfig.make({ baseUrl: "ftp://example.com" }))
    assert.throws(() => BunqConfig.make({ baseUrl: "not a url" }))
    const oneBucket = BunqConfig.make({ rateLimits: { GET: undefined } })
    assert.isUndefined(oneBucket.rateLimits?.GET)
    assert.strictEqual(oneBucket.rateLimits?.POST?.limit, 5)
  })

  it.effect("layerConfig reads BUNQ_* variables", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv({
        BUNQ_ENVIRONMENT: "production",
        BUNQ_USER_AGENT: "my-app/2.0",
        BUNQ_LANGUAGE: "nl_NL",
        BUNQ_REGION: "de_DE",
        BUNQ_GEOLOCATION: "4.9 52.3 0 10 NL",
        BUNQ_TIMEOUT: "5 seconds",
        BUNQ_RATE_LIMIT: "false",
        BUNQ_RETRY_MAX_ATTEMPTS: "2",
        BUNQ_ALLOW_UNSIGNED_ERRORS: "true"
      })
      assert.strictEqual(config.environment, "production")
      assert.strictEqual(config.baseUrl, "https://api.bunq.com/v1")
      assert.strictEqual(config.userAgent, "my-app/2.0")
      assert.strictEqual(config.language, "nl_NL")
      assert.strictEqual(config.region, "de_DE")
      assert.strictEqual(config.geolocation, "4.9 52.3 0 10 NL")
      assert.strictEqual(Duration.toMillis(config.timeout), 5000)
      assert.isUndefined(config.rateLimits)
      assert.strictEqual(config.retry?.maxAttempts, 2)
      assert.isTrue(config.allowUnsignedErrors)

      const custom = yield* fromEnv({ BUNQ_ENVIRONMENT: "production", BUNQ_BASE_URL: "http://localhost:9000/v1" })
      assert.strictEqual(custom.baseUrl, "http://localhost:9000/v1")
      assert.strictEqual(custom.environment, "custom")

      // The header variables count as unset when empty: never an empty header sent to bunq.
      const emptyHeaders = yield* fromEnv({
        BUNQ_USER_AGENT: "",
        BUNQ_LANGUAGE: "",
        BUNQ_REGION: "",
        BUNQ_GEOLOCATION: ""
      })
      assert.strictEqual(emptyHeaders.userAgent, BunqConfig.make().userAgent)
      assert.strictEqual(emptyHeaders.language, "en_US")
      assert.strictEqual(emptyHeaders.region, "nl_NL")
      assert.strictEqual(emptyHeaders.geolocation, "0 0 0 0 000")
      // any other variable that is set must hold a value: empty is an error naming it
      for (const name of ["BUNQ_ENVIRONMENT", "BUNQ_BASE_URL", "BUNQ_TIMEOUT", "BUNQ_RETRY_MAX_ATTEMPTS"]) {
        assert.include(String(yield* Effect.flip(fromEnv({ [name]: "" }))), name)
      }

      const defaults = yield* fromEnv({}, { environment: "production", language: "nl_NL" })
      assert.strictEqual(defaults.baseUrl, "https://api.bunq.com/v1")
      assert.strictEqual(defaults.language, "nl_NL")
      assert.deepStrictEqual(defaults.rateLimits, BunqConfig.classicRateLimits)
    }))

  it.effect("options: defaults < BUNQ_* variables < overrides, validated; config and layerConfig read the same", () =>
    Effect.gen(function*() {
      const provider = ConfigProvider.fromJson({
        BUNQ_ENVIRONMENT: "production",
        BUNQ_TIMEOUT: "5 seconds",
        BUNQ_LANGUAGE: "nl_NL"
      })
      const options = yield* Effect.withConfigProvider(
        BunqConfig.options({ timeout: Duration.seconds(9), region: "de_DE" }, { language: "en_GB", region: undefined }),
        provider
      )
      assert.strictEqual(options.environment, "production")
      assert.deepStrictEqual(options.timeout, Duration.seconds(5))
      assert.strictEqual(options.language, "en_GB") // the override beats the variable
      assert.strictEqual(options.region, "de_DE") // an undefined override leaves the default
      const config = yield* Effect.provide(
        BunqConfig.BunqConfig,
        BunqConfig.layerConfig({}, { baseUrl: "http://127.0.0.1:9/v1" }).pipe(
          Layer.provide(Layer.setConfigProvider(provider))
        )
      )
      assert.strictEqual(config.baseUrl, "http://127.0.0.1:9/v1")
      assert.strictEqual(Duration.toMillis(config.timeout), 5000)
      // an invalid override is a ConfigError too
      const error = yield* Effect.flip(Effect.withConfigProvider(BunqConfig.options({}, { baseUrl: "nope" }), provider))
      assert.isTrue(ConfigError.isConfigError(error))
    }))

  it.effect("layerConfig fails with a ConfigError on bad values", () =>
    Effect.gen(function*() {
      for (
        const env of [
          { BUNQ_ENVIRONMENT: "staging" },
          { BUNQ_BASE_URL: "nope" },
          { BUNQ_TIMEOUT: "soon" },
          { BUNQ_RETRY_MAX_ATTEMPTS: "0" }
        ]
      ) {
        const error = yield* Effect.flip(fromEnv(env))
        assert.isTrue(ConfigError.isConfigError(error), JSON.stringify(env))
      }
    }))

  it.effect("layer(options) fails with a ConfigError naming the option, never a defect", () =>
    Effect.gen(function*() {
      for (
        const options of [{ baseUrl: "not a url" }, { baseUrl: "ftp://example.com" }, { retry: { maxAttempts: 0 } }]
      ) {
        const error = yield* Effect.flip(Effect.provide(BunqConfig.BunqConfig, BunqConfig.layer(options)))
        assert.isTrue(ConfigError.isConfigError(error), JSON.stringify(options))
      }
      const ok = yield* Effect.provide(BunqConfig.BunqConfig, BunqConfig.layer({ baseUrl: "http://127.0.0.1:9/v1/" }))
      assert.strictEqual(ok.baseUrl, "http://127.0.0.1:9/v1")
    }))
  it.effect("an http: base URL is allowed for loopback hosts only, or with allowInsecureHttp", () =>
    Effect.gen(function*() {
      for (const baseUrl of ["http://127.0.0.1:8080/v1", "http://localhost:3000/v1", "http://[::1]:9/v1"]) {
        assert.isTrue(Either.isRight(BunqConfig.validate({ baseUrl })), baseUrl)
      }
      for (
        const options of [
          { baseUrl: "http://api.bunq.com/v1" },
          { baseUrl: "http://192.168.1.10:8080/v1", environment: "production" as const },
          { baseUrl: "http://127.0.0.1.example.com/v1" }
        ]
      ) {
        const result = BunqConfig.validate(options)
        assert.isTrue(Either.isLeft(result), options.baseUrl)
        if (Either.isLeft(result)) {
          assert.include(String(result.left), "baseUrl")
          assert.include(String(result.left), "must be https:")
        }
      }
      assert.isTrue(
        Either.isRight(BunqConfig.validate({ baseUrl: "http://proxy.internal/v1", allowInsecureHttp: true }))
      )
      const fromEnvironment = yield* Effect.flip(fromEnv({ BUNQ_BASE_URL: "http://bunq.example/v1" }))
      assert.include(String(fromEnvironment), "BUNQ_BASE_URL")
      const allowed = yield* fromEnv({ BUNQ_BASE_URL: "http://bunq.example/v1", BUNQ_ALLOW_INSECURE_HTTP: "true" })
      assert.strictEqual(allowed.baseUrl, "http://bunq.example/v1")
    }))

  it.effect("credentials in a base URL are rejected, and the message does not repeat them", () =>
    Effect.gen(function*() {
      for (
        const baseUrl of ["https://alice:hunter2secret@api.bunq.com/v1", "http://alice:hunter2secret@127.0.0.1:9/v1"]
      ) {
        const result = BunqConfig.validate({ baseUrl })
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) {
          const text = String(result.left)
          assert.include(text, "must not contain credentials")
          assert.notInclude(text, "hunter2secret")
          assert.notInclude(text, "alice")
        }
      }
      const error = yield* Effect.flip(fromEnv({ BUNQ_BASE_URL: "https://alice:hunter2secret@api.bunq.com/v1" }))
      assert.notInclude(String(error), "hunter2secret")
    }))

  it.effect("maxResponseBytes: 64 MiB by default, configurable, a positive integer", () =>
    Effect.gen(function*() {
      assert.strictEqual(BunqConfig.make().maxResponseBytes, 64 * 1024 * 1024)
      assert.strictEqual(BunqConfig.make({ maxResponseBytes: 1000 }).maxResponseBytes, 1000)
      for (const maxResponseBytes of [0, -1, 1.5, Number.NaN]) {
        assert.isTrue(Either.isLeft(BunqConfig.validate({ maxResponseBytes })), String(maxResponseBytes))
      }
      const fromEnvironment = yield* fromEnv({ BUNQ_MAX_RESPONSE_BYTES: "2048" })
      assert.strictEqual(fromEnvironment.maxResponseBytes, 2048)
    }))
})
