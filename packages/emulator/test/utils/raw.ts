/**
 * A bunq client made of plain `fetch` and `node:crypto`, independent of this repository's client and signer, so the
 * emulator is checked against the protocol itself.
 */
import { createSign, createVerify, generateKeyPairSync, randomUUID } from "node:crypto"

export interface Keys {
  readonly publicKeyPem: string
  readonly privateKeyPem: string
}

export const makeKeys = (): Keys => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" }
  })
  return { publicKeyPem: publicKey, privateKeyPem: privateKey }
}

let shared: Keys | undefined
/** One key pair reused by most tests (an installation may reuse a key pair; generating RSA keys is slow). */
export const sharedKeys = (): Keys => shared ??= makeKeys()

export const signBytes = (privateKeyPem: string, bytes: Uint8Array): string =>
  createSign("sha256").update(bytes).sign(privateKeyPem, "base64")

export const verifyBytes = (publicKeyPem: string, bytes: Uint8Array, signature: string): boolean =>
  createVerify("sha256").update(bytes).verify(publicKeyPem, signature, "base64")

export interface CallOptions {
  readonly method?: string
  readonly body?: unknown
  /** Raw body text, sent as is (takes precedence over `body`). */
  readonly rawBody?: string
  readonly token?: string
  /** Sign the body bytes with this private key. */
  readonly signWith?: string
  /** Override the signature header value. */
  readonly signature?: string
  readonly requestId?: string
  readonly clientIp?: string
  readonly headers?: Record<string, string>
  /** Raw bytes sent as is with `headers` (an attachment upload), taking precedence over `body` and `rawBody`. */
  readonly bytes?: Uint8Array
  /** The transport: `fetch` over loopback (default) or the in-process client (see `inProcessFetch`). */
  readonly fetch?: typeof fetch
}

export interface RawResponse {
  readonly status: number
  readonly headers: Headers
  readonly bytes: Uint8Array
  readonly text: string
  readonly json: any
  readonly requestId: string
}

export const call = async (url: string, options: CallOptions = {}): Promise<RawResponse> => {
  const method = options.method ?? "GET"
  const bodyText = options.rawBody ?? (options.body === undefined ? "" : JSON.stringify(options.body))
  const bytes = options.bytes ?? new TextEncoder().encode(bodyText)
  const requestId = options.requestId ?? randomUUID()
  const headers: Record<string, string> = {
    "User-Agent": "emulator-protocol-test/1.0",
    "Cache-Control": "no-cache",
    "X-Bunq-Client-Request-Id": requestId,
    "X-Bunq-Geolocation": "0 0 0 0 000",
    "X-Bunq-Language": "en_US",
    "X-Bunq-Region": "nl_NL",
    ...options.headers
  }
  if (bodyText.length > 0 && options.bytes === undefined) headers["Content-Type"] = "application/json"
  if (options.token !== undefined) headers["X-Bunq-Client-Authentication"] = options.token
  if (options.signature !== undefined) headers["X-Bunq-Client-Signature"] = options.signature
  else if (options.signWith !== undefined) headers["X-Bunq-Client-Signature"] = signBytes(options.signWith, bytes)
  if (options.clientIp !== undefined) headers["X-Emulator-Client-Ip"] = options.clientIp
  const response = await (options.fetch ?? fetch)(url, {
    method,
    headers,
    ...(method === "GET" || method === "HEAD" ? {} : { body: bytes as Uint8Array<ArrayBuffer> })
  })
  const buffer = new Uint8Array(await response.arrayBuffer())
  const isJson = (response.headers.get("content-type") ?? "").startsWith("application/json")
  const text = isJson ? new TextDecoder("utf-8", { fatal: true }).decode(buffer) : ""
  return {
    status: response.status,
    headers: response.headers,
    bytes: buffer,
    text,
    json: isJson ? JSON.parse(text) : undefined,
    requestId
  }
}

/** The response verifies with the server's public key over its raw bytes. */
export const verified = (response: RawResponse, serverPublicKeyPem: string): boolean => {
  const signature = response.headers.get("x-bunq-server-signature")
  return signature !== null && verifyBytes(serverPublicKeyPem, response.bytes, signature)
}

export interface Context {
  readonly keys: Keys
  readonly apiKey: string
  readonly installationToken: string
  readonly serverPublicKeyPem: string
  readonly deviceId: number
  readonly sessionToken: string
  readonly userId: number
  readonly sessionResponse: RawResponse
}

/** sandbox user → installation → device-server → session-server. */
export const openSession = async (
  base: string,
  options: {
    readonly permittedIps?: ReadonlyArray<string>
    readonly clientIp?: string
    readonly apiKey?: string
    readonly fetch?: typeof fetch
  } = {}
): Promise<Context> => {
  const ip = {
    ...(options.clientIp === undefined ? {} : { clientIp: options.clientIp }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch })
  }
  const apiKey = options.apiKey ??
    (await call(`${base}/sandbox-user-person`, { method: "POST", ...ip })).json.Response[0].ApiKey.api_key
  const keys = sharedKeys()
  const installation = await call(`${base}/installation`, {
    method: "POST",
    body: { client_public_key: keys.publicKeyPem },
    ...ip
  })
  if (installation.status !== 200) throw new Error(`installation: ${installation.text}`)
  const installationToken = installation.json.Response[1].Token.token
  const serverPublicKeyPem = installation.json.Response[2].ServerPublicKey.server_public_key
  const device = await call(`${base}/device-server`, {
    method: "POST",
    body: {
      description: "protocol test",
      secret: apiKey,
      ...(options.permittedIps === undefined ? {} : { permitted_ips: options.permittedIps })
    },
    token: installationToken,
    signWith: keys.privateKeyPem,
    ...ip
  })
  if (device.status !== 200) throw new Error(`device-server: ${device.text}`)
  const session = await call(`${base}/session-server`, {
    method: "POST",
    body: { secret: apiKey },
    token: installationToken,
    signWith: keys.privateKeyPem,
    ...ip
  })
  if (session.status !== 200) throw new Error(`session-server: ${session.text}`)
  const userWrapper = session.json.Response[2]
  const user: any = Object.values(userWrapper)[0]
  return {
    keys,
    apiKey,
    installationToken,
    serverPublicKeyPem,
    deviceId: device.json.Response[0].Id.id,
    sessionToken: session.json.Response[1].Token.token,
    userId: user.id,
    sessionResponse: session
  }
}
