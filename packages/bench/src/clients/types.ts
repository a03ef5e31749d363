/**
 * What each contender implements. Every call is a real, signed request against the emulator, with the response's
 * server signature verified.
 */

export interface Target {
  /** The base URL with the base path, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string
  /** The origin, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string
}

/** A client with a full API context (installation, device, session). */
export interface Client {
  /** The device id registered by the bootstrap. */
  readonly deviceId: number
  /** Signed `GET /device-server/{id}` with the session token; the response signature is verified. */
  readonly get: (id: number) => Promise<void>
  /** Signed `POST /device-server` with the installation token (registers one more device). */
  readonly post: () => Promise<void>
  /** `GET /device-server` page by page (200 per page), every device; returns how many were seen. */
  readonly listAll: () => Promise<number>
  /**
   * Ours only: how many operations the Effect fiber runtime evaluates per call, averaged over `n` calls. Unlike a
   * time it does not move with the machine's load, so it shows a request path that grew or shrank between commits.
   */
  readonly effectOps?: (operation: "GET" | "POST", n: number) => Promise<number>
  /** Release timers, connections, runtimes. */
  readonly close: () => Promise<void>
}

export interface Contender {
  readonly name: string
  /** Key generation + `POST /installation` + `POST /device-server` + `POST /session-server`. */
  readonly bootstrap: (target: Target, apiKey: string) => Promise<Client>
  /** Bootstrap once and save the context where `restore` finds it. */
  readonly prepareRestore: (target: Target, apiKey: string) => Promise<void>
  /** From what `prepareRestore` saved, a client that has completed one signed `GET /device-server/{id}`. */
  readonly restore: (target: Target, apiKey: string) => Promise<Client>
}
