/**
 * Decoders never throw or die, whatever JSON they get: the result is a value or a typed `SchemaDecodeError`.
 */
import {
  ApiKey,
  Common,
  DeviceServer,
  Envelope,
  ErrorBody,
  Installation,
  SchemaDecodeError,
  SessionServer,
  User
} from "@effect-bunq/schema"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, FastCheck } from "effect"
import { fixture, fixtureNames } from "./fixtures.js"

type Decoder = (input: any) => Effect.Effect<unknown, SchemaDecodeError.SchemaDecodeError>

const decoders: ReadonlyArray<readonly [string, Decoder]> = [
  ["Envelope.decode", Envelope.decode],
  ["Envelope.decodePagination", Envelope.decodePagination],
  ["ErrorBody.decode", ErrorBody.decode],
  ["Envelope.createdId", Envelope.createdId],
  ["Envelope.createdUuid", Envelope.createdUuid],
  ["Envelope.pickAll(Token)", (input) => Envelope.pickAll(input, "Token", Common.Token)],
  [
    "Envelope.pickOption(DeviceServer)",
    (input) => Envelope.pickOption(input, "DeviceServer", DeviceServer.DeviceServer)
  ],
  ["Installation.decodeCreateResponse", Installation.decodeCreateResponse],
  ["Installation.decodeListResponse", Installation.decodeListResponse],
  ["Installation.decodeServerPublicKeyResponse", Installation.decodeServerPublicKeyResponse],
  ["DeviceServer.decodeReadResponse", DeviceServer.decodeReadResponse],
  ["DeviceServer.decodeListResponse", DeviceServer.decodeListResponse],
  ["SessionServer.decodeCreateResponse", SessionServer.decodeCreateResponse],
  ["User.decodeReadResponse", User.decodeReadResponse],
  ["User.decodeListResponse", User.decodeListResponse],
  ["ApiKey.decodeCreateResponse", ApiKey.decodeCreateResponse],
  ["Timestamp", SchemaDecodeError.decodeUnknown(Common.Timestamp)],
  ["PublicKeyPem", SchemaDecodeError.decodeUnknown(Common.PublicKeyPem)],
  ["InstallationCreateRequest", SchemaDecodeError.decodeUnknown(Installation.InstallationCreateRequest)],
  ["DeviceServerCreateRequest", SchemaDecodeError.decodeUnknown(DeviceServer.DeviceServerCreateRequest)],
  ["SessionServerCreateRequest", SchemaDecodeError.decodeUnknown(SessionServer.SessionServerCreateRequest)],
  ["User item", SchemaDecodeError.decodeUnknown(User.User)],
  ["Installation.CreateResponse schema", SchemaDecodeError.decodeUnknown(Installation.CreateResponse)]
]

/** Runs a decoder and checks that it succeeded or failed with a SchemaDecodeError: no throw, no defect. */
const assertTotal = (name: string, decoder: Decoder, input: unknown): void => {
  const exit = Effect.runSyncExit(Effect.suspend(() => decoder(input)))
  if (Exit.isSuccess(exit)) return
  const failure = Cause.failureOption(exit.cause)
  assert.isTrue(
    failure._tag === "Some" && Cause.isFailType(exit.cause) && failure.value._tag === "SchemaDecodeError",
    `${name} did not fail with a SchemaDecodeError: ${Cause.pretty(exit.cause)}`
  )
  if (failure._tag === "Some") {
    // the message is always computable and non-empty
    assert.isAbove(failure.value.message.length, 0)
    assert.include(["InvalidJson", "MissingObject", "InvalidShape"], failure.value.reason)
  }
}

const typeNames = [
  "Id",
  "Uuid",
  "Token",
  "ServerPublicKey",
  "DeviceServer",
  "UserPerson",
  "UserCompany",
  "UserApiKey",
  "UserPaymentServiceProvider",
  "ApiKey"
]

/** Arrays of single-key items with bunq's type names and arbitrary JSON inside: closer to real inputs. */
const itemsArbitrary = FastCheck.array(
  FastCheck.dictionary(FastCheck.constantFrom(...typeNames), FastCheck.jsonValue({ maxDepth: 3 }), {
    minKeys: 1,
    maxKeys: 2
  }),
  { maxLength: 4 }
)

/** Every path (keys and indexes) inside a JSON value. */
const pathsOf = (
  value: unknown,
  prefix: ReadonlyArray<string | number> = []
): Array<ReadonlyArray<string | number>> => {
  const here = [prefix]
  if (Array.isArray(value)) return here.concat(...value.map((v, i) => pathsOf(v, [...prefix, i])))
  if (typeof value === "object" && value !== null) {
    return here.concat(...Object.entries(value).map(([k, v]) => pathsOf(v, [...prefix, k])))
  }
  return here
}

/** A copy of `value` with the node at `path` replaced (or deleted when `replacement` is undefined). */
const mutate = (value: unknown, path: ReadonlyArray<string | number>, replacement: unknown): unknown => {
  if (path.length === 0) return replacement
  const [head, ...rest] = path
  if (Array.isArray(value)) {
    const copy = [...value]
    if (replacement === undefined && rest.length === 0) copy.splice(head as number, 1)
    else copy[head as number] = mutate(copy[head as number], rest, replacement)
    return copy
  }
  const copy = { ...(value as Record<string, unknown>) }
  if (replacement === undefined && rest.length === 0) delete copy[head as string]
  else copy[head as string] = mutate(copy[head as string], rest, replacement)
  return copy
}

const fixtureMutation = FastCheck.record({
  name: FastCheck.constantFrom(...fixtureNames),
  pathIndex: FastCheck.nat(),
  replacement: FastCheck.option(
    FastCheck.oneof(
      FastCheck.jsonValue({ maxDepth: 2 }),
      FastCheck.constantFrom(null, "", 0, -1, 1.5, "2015-02-30 00:00:00.000000", [], {}, "\\n", "ACTIVE_NEW")
    ),
    { nil: undefined }
  )
})

describe("decoders are total", () => {
  it.prop("arbitrary JSON never makes a decoder throw or die", [FastCheck.jsonValue()], ([json]) => {
    for (const [name, decoder] of decoders) assertTotal(name, decoder, json)
  }, { fastCheck: { numRuns: 100 } })

  it.prop("arbitrary items arrays never make a decoder throw or die", [itemsArbitrary], ([items]) => {
    for (const [name, decoder] of decoders) {
      assertTotal(name, decoder, items)
      assertTotal(name, decoder, { Response: items })
    }
  }, { fastCheck: { numRuns: 100 } })

  it.prop("mutated fixtures never make a decoder throw or die", [fixtureMutation], ([mutation]) => {
    const original = fixture(mutation.name)
    const paths = pathsOf(original)
    const path = paths[mutation.pathIndex % paths.length]!
    const mutated = mutate(original, path, mutation.replacement)
    for (const [name, decoder] of decoders) {
      assertTotal(name, decoder, mutated)
      if (typeof mutated === "object" && mutated !== null && "Response" in mutated) {
        assertTotal(name, decoder, (mutated as { Response: unknown }).Response)
      }
    }
  }, { fastCheck: { numRuns: 100 } })

  it.prop("arbitrary text never makes the JSON decoders throw", [FastCheck.string()], ([text]) => {
    assertTotal("Envelope.decodeJson", Envelope.decodeJson, text)
    assertTotal("ErrorBody.decodeJson", ErrorBody.decodeJson, text)
    assertTotal("Timestamp", SchemaDecodeError.decodeUnknown(Common.Timestamp), text)
  })

  it("the mutation helper really changes fixtures (the properties above are not vacuous)", () => {
    const original = fixture("installation-create.response.json")
    const mutated = mutate(original, ["Response", 1, "Token", "token"], undefined) as any
    assert.isFalse("token" in mutated.Response[1].Token)
    assert.isTrue("token" in original.Response[1].Token)
    const exit = Effect.runSyncExit(Installation.decodeCreateResponse(mutated.Response))
    assert.isTrue(Exit.isFailure(exit))
    assert.isAbove(pathsOf(original).length, 10)
  })
})

describe("well-formed random values decode", () => {
  it.prop(
    "any Token with a non-empty token decodes",
    [FastCheck.integer(), FastCheck.string({ minLength: 1 })],
    ([id, token]) => {
      const exit = Effect.runSyncExit(Envelope.pickOne([{ Token: { id, token } }], "Token", Common.Token))
      assert.isTrue(Exit.isSuccess(exit))
    }
  )
})
