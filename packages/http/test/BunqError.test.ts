import { ApiError, ErrorDescription, reasonFromStatus } from "@effect-bunq/http/BunqError"
import { describe, expect, it } from "@effect/vitest"

describe("BunqError", () => {
  it("maps every documented status to its reason", () => {
    const table: Array<[number, string]> = [
      [399, "NotModified"],
      [400, "BadRequest"],
      [401, "Unauthorized"],
      [403, "Forbidden"],
      [404, "NotFound"],
      [405, "MethodNotAllowed"],
      [429, "TooManyRequests"],
      [466, "SignatureRequired"],
      [490, "UserError"],
      [491, "Maintenance"],
      [500, "ServerError"],
      [503, "ServerError"],
      [418, "Unknown"]
    ]
    for (const [status, reason] of table) expect(reasonFromStatus(status)).toBe(reason)
  })

  it("names status, descriptions and response id in the message", () => {
    const error = new ApiError({
      operation: "DeviceServer.get",
      method: "GET",
      path: "/device-server/1",
      requestId: "req",
      responseId: "resp-1",
      reason: "NotFound",
      status: 404,
      descriptions: [new ErrorDescription({ description: "Object not found.", translated: "Object niet gevonden." })]
    })
    expect(error.message).toBe("404 NotFound: Object not found. (GET /device-server/1, response id resp-1)")
    expect(error._tag).toBe("ApiError")
  })

  it("strips control characters from bunq's text in the message (hardening item 9)", () => {
    const error = new ApiError({
      operation: "DeviceServer.get",
      method: "GET",
      path: "/device-server/1",
      requestId: "req",
      reason: "NotFound",
      status: 404,
      descriptions: [new ErrorDescription({ description: "Bad\u001b[31m red\u0007\r\n", translated: "x" })]
    })
    expect(error.message).toBe("404 NotFound: Bad[31m red (GET /device-server/1, response id none)")
  })
})
