/**
 * bunqJSClient 1.1.2 (`@bunq-community/bunq-js-client`): node-forge RSA in JavaScript, axios, body-only signatures.
 *
 * Pointed at the emulator by setting `Session.environmentUrl` after `run()` (its environments are hard-coded URLs in
 * `dist/Session.js` `URL_ENVIROMENTS`; the `environmentType` setter copies one into `environmentUrl`, which
 * `ApiAdapter.request` prefixes to relative paths). No monkey-patching of the module is needed.
 *
 * It has no device-server read or list endpoint, so GET/POST/list go through its `ApiAdapter` — the same path its own
 * endpoint classes take (sign with forge, axios request, verify with forge), minus its request limiter (rate limits
 * are off for every contender). `POST /device-server` needs the installation token while a session exists, so that
 * call passes the header itself with `disableAuthentication`.
 *
 * Its store must be given (Node has no localStorage): an in-memory `{ get, set, remove }` object. It always encrypts
 * what it stores (AES with the given key) and derives an api-key id with PBKDF2 (10,000 rounds) in `run()`.
 *
 * Finding: it cannot verify responses that contain non-ASCII text (it hashes the decoded JS string with forge's
 * `"raw"` encoding, one byte per UTF-16 unit, instead of the UTF-8 bytes). The emulator's `POST /session-server`
 * response carries `€` and `é` as real bunq user data does, so its session bootstrap fails with "We couldn't verify
 * the received response". To measure it at all, `make()` sets `ENV_CI=true`, its own switch that keeps going after a
 * failed verification (the verification work is still done, so the cost is still measured), and passes
 * `ignoreCi = true` to `run()` so it still generates its own key pair.
 */
import * as Fs from "node:fs/promises"
import { createRequire } from "node:module"
import * as Path from "node:path"
import type { Client, Contender, Target } from "./types.js"

const require = createRequire(import.meta.url)
const BunqJSClient: new(store: unknown, logger?: unknown) => any = require("@bunq-community/bunq-js-client").default

/** Its default logger (loglevel) at its default level; `debug` lines are formatted but not printed. */
const encryptionKey = "0123456789abcdef0123456789abcdef"

const memoryStore = (map: Map<string, unknown>) => ({
  get: (key: string) => map.get(key),
  set: (key: string, value: unknown) => {
    map.set(key, value)
    return true
  },
  remove: (key: string) => map.delete(key)
})

const start = async (target: Target, apiKey: string, map: Map<string, unknown>): Promise<any> => {
  const client = new BunqJSClient(memoryStore(map))
  await client.run(apiKey, ["*"], "SANDBOX", encryptionKey, 2048, true)
  client.Session.environmentUrl = target.origin
  return client
}

const makeClient = (target: Target, apiKey: string, client: any): Client => {
  const basePath = new URL(target.url).pathname
  return {
    deviceId: client.Session.deviceId,
    get: async (id) => {
      const response = await client.ApiAdapter.get(`${basePath}/device-server/${id}`)
      if (response.Response[0].DeviceServer.id !== id) throw new Error("bunqJSClient: wrong device")
    },
    post: async () => {
      const response = await client.ApiAdapter.post(
        `${basePath}/device-server`,
        { description: "bench", secret: apiKey, permitted_ips: ["*"] },
        { "X-Bunq-Client-Authentication": client.Session.installToken },
        { skipSessionCheck: true, disableAuthentication: true }
      )
      if (typeof response.Response[0].Id.id !== "number") throw new Error("bunqJSClient: no id")
    },
    listAll: async () => {
      let seen = 0
      let path: string | null = `${basePath}/device-server?count=200`
      while (path !== null) {
        const response: any = await client.ApiAdapter.get(path)
        seen += response.Response.length
        path = response.Pagination?.older_url ?? null
      }
      return seen
    },
    close: async () => {
      client.clearExpiryTimer()
    }
  }
}

export const make = (dir: string): Contender => {
  process.env.ENV_CI = "true"
  // What its store held after the bootstrap, as a JSON file, so a child process can restore from it too.
  const file = Path.join(dir, "bunqjs-store.json")
  const bootstrap = async (target: Target, apiKey: string) => {
    const map = new Map<string, unknown>()
    const client = await start(target, apiKey, map)
    await client.install()
    await client.registerDevice("bench")
    await client.registerSession()
    return { client: makeClient(target, apiKey, client), map }
  }
  return {
    name: "bunqJSClient",
    bootstrap: async (target, apiKey) => (await bootstrap(target, apiKey)).client,
    prepareRestore: async (target, apiKey) => {
      const { client, map } = await bootstrap(target, apiKey)
      await client.close()
      await Fs.writeFile(file, JSON.stringify([...map]), { mode: 0o600 })
    },
    restore: async (target, apiKey) => {
      const saved = new Map<string, unknown>(JSON.parse(await Fs.readFile(file, "utf8")))
      const client = makeClient(target, apiKey, await start(target, apiKey, saved))
      await client.get(client.deviceId)
      return client
    }
  }
}
