/** A port the OS says is free on 127.0.0.1 right now. */
export declare const freePort: () => Promise<number>

/** A throwaway redis-server (see redis-server.mjs). */
export interface RedisServer {
  readonly url: string
  readonly port: number
  readonly pid: number
  readonly stop: () => Promise<void>
}

/** Start a server (on `port`, or a free one) and wait until it answers PING. */
export declare const startRedisServer: (
  options?: { readonly port?: number; readonly args?: ReadonlyArray<string> }
) => Promise<RedisServer>
