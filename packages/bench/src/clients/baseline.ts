/**
 * The baseline: only what the protocol requires, no library. `node:crypto` RSA-SHA256 signing of the exact body
 * bytes, an undici request on a keep-alive pool, `node:crypto` verification of the raw response body, `JSON.parse`.
 * No schema decoding, no retries, no rate limiter, no tracing: the physical limit on this machine.
 */
import * as Crypto from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { Agent, request } from "undici"
import type { Client, Contender, Target } from "./types.js"

interface Credentials {
  readonly privateKey: Crypto.KeyObject
  readonly serverKey: Crypto.KeyObject | undefined
  readonly installationToken: string | undefined
  readonly sessionToken: string | undefined
}

const userAgent = "bench-baseline/0.1.0"

const send = async (
  agent: Agent,
  target: Target,
  credentials: Credentials,
  method: "GET" | "POST",
  path: string,
  token: string | undefined,
  body: unknown
): Promise<any> => {
  const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body), "utf8")
  const headers: Record<string, string> = {
    "user-agent": userAgent,
    "cache-control": "no-cache",
    "x-bunq-client-request-id": Crypto.randomUUID(),
    "x-bunq-geolocation": "0 0 0 0 000",
    "x-bunq-language": "en_US",
    "x-bunq-region": "nl_NL",
    "x-bunq-client-signature": Crypto.sign("sha256", bytes, credentials.privateKey).toString("base64")
  }
  if (token !== undefined) headers["x-bunq-client-authentication"] = token
  if (body !== undefined) headers["content-type"] = "application/json"
  const response = await request(target.url + path, {
    method,
    headers,
    body: body === undefined ? null : bytes,
    dispatcher: agent
  })
  const raw = Buffer.from(await response.body.arrayBuffer())
  if (credentials.serverKey !== undefined) {
    const signature = response.headers["x-bunq-server-signature"]
    if (
      typeof signature !== "string" ||
      !Crypto.verify("sha256", raw, credentials.serverKey, Buffer.from(signature, "base64"))
    ) {
      throw new Error(`baseline: response to ${method} ${path} failed verification`)
    }
  }
  const json = JSON.parse(raw.toString("utf8"))
  if (response.statusCode >= 300) throw new Error(`baseline: ${method} ${path} answered ${response.statusCode}`)
  return json
}

const field = (response: any, name: string): any => response.Response.find((item: any) => name in item)[name]

interface Saved {
  readonly privateKeyPem: string
  readonly serverPublicKeyPem: string
  readonly installationToken: string
  readonly sessionToken: string
  readonly deviceId: number
}

const makeClient = (
  target: Target,
  apiKey: string,
  file: string,
  credentials: Credentials,
  deviceId: number,
  serverPublicKeyPem: string
): Client & { readonly save: () => Promise<void> } => {
  const agent = new Agent({ connections: 32 })
  return {
    deviceId,
    get: async (id) => {
      const response = await send(
        agent,
        target,
        credentials,
        "GET",
        `/device-server/${id}`,
        credentials.sessionToken,
        undefined
      )
      if (field(response, "DeviceServer").id !== id) throw new Error("baseline: wrong device")
    },
    post: async () => {
      const response = await send(agent, target, credentials, "POST", "/device-server", credentials.installationToken, {
        description: "bench",
        secret: apiKey,
        permitted_ips: ["*"]
      })
      if (typeof field(response, "Id").id !== "number") throw new Error("baseline: no id")
    },
    listAll: async () => {
      let seen = 0
      let path: string | null = "/device-server?count=200"
      while (path !== null) {
        const response: any = await send(agent, target, credentials, "GET", path, credentials.sessionToken, undefined)
        seen += response.Response.length
        const older: string | null = response.Pagination?.older_url ?? null
        // older_url carries the base path: make it relative to the base URL.
        path = older === null ? null : older.slice(new URL(target.url).pathname.length)
      }
      return seen
    },
    save: async () => {
      const saved: Saved = {
        privateKeyPem: credentials.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
        serverPublicKeyPem,
        installationToken: credentials.installationToken!,
        sessionToken: credentials.sessionToken!,
        deviceId
      }
      await Fs.writeFile(file, JSON.stringify(saved), { mode: 0o600 })
    },
    close: () => agent.close()
  }
}

export const make = (dir: string): Contender => {
  const file = Path.join(dir, "baseline-context.json")
  const bootstrap = async (target: Target, apiKey: string) => {
    const { privateKey, publicKey } = await new Promise<Crypto.KeyPairKeyObjectResult>((resolve, reject) =>
      Crypto.generateKeyPair(
        "rsa",
        { modulusLength: 2048, publicExponent: 65537 },
        (error, publicKey, privateKey) => error ? reject(error) : resolve({ publicKey, privateKey })
      )
    )
    const agent = new Agent({ connections: 1 })
    try {
      let credentials: Credentials = {
        privateKey,
        serverKey: undefined,
        installationToken: undefined,
        sessionToken: undefined
      }
      // POST /installation: no token, no verification (the server key arrives in the response).
      const installation = await send(agent, target, credentials, "POST", "/installation", undefined, {
        client_public_key: publicKey.export({ type: "spki", format: "pem" })
      })
      const serverPublicKeyPem: string = field(installation, "ServerPublicKey").server_public_key
      credentials = {
        ...credentials,
        serverKey: Crypto.createPublicKey(serverPublicKeyPem),
        installationToken: field(installation, "Token").token
      }
      const device = await send(agent, target, credentials, "POST", "/device-server", credentials.installationToken, {
        description: "bench",
        secret: apiKey,
        permitted_ips: ["*"]
      })
      const session = await send(agent, target, credentials, "POST", "/session-server", credentials.installationToken, {
        secret: apiKey
      })
      credentials = { ...credentials, sessionToken: field(session, "Token").token }
      return makeClient(target, apiKey, file, credentials, field(device, "Id").id, serverPublicKeyPem)
    } finally {
      await agent.close()
    }
  }
  return {
    name: "baseline",
    bootstrap,
    prepareRestore: async (target, apiKey) => {
      const client = await bootstrap(target, apiKey)
      await client.save()
      await client.close()
    },
    restore: async (target, apiKey) => {
      const saved: Saved = JSON.parse(await Fs.readFile(file, "utf8"))
      const client = makeClient(
        target,
        apiKey,
        file,
        {
          privateKey: Crypto.createPrivateKey(saved.privateKeyPem),
          serverKey: Crypto.createPublicKey(saved.serverPublicKeyPem),
          installationToken: saved.installationToken,
          sessionToken: saved.sessionToken
        },
        saved.deviceId,
        saved.serverPublicKeyPem
      )
      await client.get(saved.deviceId)
      return client
    }
  }
}
