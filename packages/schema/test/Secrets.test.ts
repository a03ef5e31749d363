/**
 * Secrets (installation and session tokens, API keys) never show up when a decoded value or a decode error is
 * printed, logged or serialized.
 */
import { ApiKey, DeviceServer, Envelope, Installation, SchemaDecodeError, SessionServer } from "@effect-bunq/schema"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck, Inspectable, Logger, Redacted } from "effect"
import * as util from "node:util"
import { fixture } from "./fixtures.js"

/** Every way a value gets turned into text in practice. */
const renderings = (value: unknown): Array<string> => [
  String(value),
  `${value as string}`,
  JSON.stringify(value),
  util.inspect(value, { depth: null }),
  util.format("%o", value),
  Inspectable.format(value),
  Inspectable.toStringUnknown(value)
]

/** Captures what `Effect.log` writes with the default logger. */
const logged = (value: unknown): string => {
  const lines: Array<string> = []
  const logger = Logger.map(Logger.logfmtLogger, (line) => lines.push(line))
  Effect.runSync(Effect.log("decoded", value).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger))))
  return lines.join("\n")
}

const assertHidden = (value: unknown, secret: string): void => {
  for (const text of [...renderings(value), logged(value)]) {
    assert.notInclude(text, secret)
  }
}

describe("decoded values do not print secrets", () => {
  it.effect("installation token", () =>
    Effect.gen(function*() {
      const json = fixture("installation-create.response.json")
      const secret: string = json.Response[1].Token.token
      const installation = yield* Installation.decodeCreateResponse(json.Response)
      assert.strictEqual(Redacted.value(installation.token.token), secret)
      assertHidden(installation, secret)
      assertHidden(installation.token, secret)
      assert.include(String(installation), "<redacted>")
    }))

  it.effect("session tokens, for both user types", () =>
    Effect.gen(function*() {
      for (
        const name of [
          "session-server-create.user-company.response.json",
          "session-server-create.user-api-key.response.json"
        ]
      ) {
        const json = fixture(name)
        const secret: string = json.Response[1].Token.token
        const session = yield* SessionServer.decodeCreateResponse(json.Response)
        assert.strictEqual(Redacted.value(session.token.token), secret)
        assertHidden(session, secret)
      }
    }))

  it.effect("sandbox API key", () =>
    Effect.gen(function*() {
      const secret = "sandbox_5c1d0f7f9a2b4e6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c"
      const key = yield* ApiKey.decodeCreateResponse([{ ApiKey: { api_key: secret } }])
      assert.strictEqual(Redacted.value(key.api_key), secret)
      assertHidden(key, secret)
    }))

  it.effect("request bodies hold the API key redacted until encoded", () =>
    Effect.gen(function*() {
      const secret = "sandbox_request_body_secret_0123456789"
      const device = new DeviceServer.DeviceServerCreateRequest({
        description: "d",
        secret: Redacted.make(secret),
        permitted_ips: ["*"]
      })
      assertHidden(device, secret)
      const session = new SessionServer.SessionServerCreateRequest({ secret: Redacted.make(secret) })
      assertHidden(session, secret)
      // only the wire object has it
      assert.strictEqual((yield* SessionServer.encodeCreateRequest(session)).secret, secret)
    }))

  it.effect("a decoded Envelope prints type names, not the raw items", () =>
    Effect.gen(function*() {
      const json = fixture("installation-create.response.json")
      const secret: string = json.Response[1].Token.token
      const envelope = yield* Envelope.decode(json)
      assertHidden(envelope, secret)
      assert.include(String(envelope), "Id, Token, ServerPublicKey")
      // the raw items are still there for the pickers
      assert.strictEqual((envelope.Response[1] as any).Token.token, secret)
    }))
})

describe("decode errors name the path and the type, never the value", () => {
  const secretArbitrary = FastCheck.stringMatching(/^[a-f0-9]{32,64}$/)

  /** Places the secret where a decoder will reject it, with the path the error must report. */
  const misplacements = (secret: string): ReadonlyArray<{
    readonly name: string
    readonly run: Effect.Effect<unknown, SchemaDecodeError.SchemaDecodeError>
    readonly path: string
  }> => [
    {
      name: "token as id",
      run: Installation.decodeCreateResponse([{ Id: { id: 1 } }, { Token: { id: secret, token: secret } }, {
        ServerPublicKey: { server_public_key: "x" }
      }]),
      path: "[1][\"Token\"][\"id\"]"
    },
    {
      name: "token wrapped in an object",
      run: SessionServer.decodeCreateResponse([{ Id: { id: 1 } }, { Token: { id: 2, token: { value: secret } } }, {
        UserPerson: { id: 3 }
      }]),
      path: "[1][\"Token\"][\"token\"]"
    },
    {
      name: "api key in an array",
      run: ApiKey.decodeCreateResponse({ Response: [{ ApiKey: { api_key: [secret] } }] } as any),
      path: "[\"Response\"][0][\"ApiKey\"][\"api_key\"]"
    },
    {
      name: "secret as server public key",
      run: Installation.decodeServerPublicKeyResponse([{ ServerPublicKey: { server_public_key: secret } }]),
      path: "[0][\"ServerPublicKey\"][\"server_public_key\"]"
    },
    {
      name: "secret as timestamp",
      run: SessionServer.decodeCreateResponse([{ Id: { id: 1 } }, {
        Token: { id: 2, token: secret, created: secret }
      }, { UserPerson: { id: 3 } }]),
      path: "[1][\"Token\"][\"created\"]"
    },
    {
      name: "secret as a user status",
      run: SessionServer.decodeCreateResponse([{ Id: { id: 1 } }, { Token: { id: 2, token: secret } }, {
        UserCompany: { id: 3, status: { secret } }
      }]),
      path: "[2][\"UserCompany\"][\"status\"]"
    },
    {
      name: "secret as not-JSON text",
      run: Envelope.decodeJson(`{"Response":[{"Token":{"token":"${secret}"`),
      path: ""
    }
  ]

  it.prop(
    "messages, fields and renderings of the error hold the path, not the secret",
    [secretArbitrary],
    ([secret]) => {
      for (const { name, path, run } of misplacements(secret)) {
        const exit = Effect.runSyncExit(run)
        assert.isTrue(Exit.isFailure(exit), name)
        if (Exit.isSuccess(exit)) continue
        const error = Cause.failureOption(exit.cause)
        assert.isTrue(error._tag === "Some", name)
        if (error._tag !== "Some") continue
        assert.include(error.value.message, path, name)
        assert.include(error.value.message, path === "" ? "is not valid JSON" : "expected", name)
        for (
          const text of [...renderings(error.value), error.value.message, Cause.pretty(exit.cause), logged(error.value)]
        ) {
          assert.notInclude(text, secret, name)
        }
      }
    }
  )
})
