/**
 * The three contenders, by name (the list child process picks one by name).
 */
import * as Baseline from "./clients/baseline.js"
import * as Bunqjs from "./clients/bunqjs.js"
import * as Ours from "./clients/ours.js"
import type { Client, Contender } from "./clients/types.js"

export type Name = "baseline" | "ours" | "bunqJSClient"

export const names: ReadonlyArray<Name> = ["baseline", "ours", "bunqJSClient"]

/** One signed request of `operation` by `client`: a GET of its own device, or a POST registering one more device. */
export const call = (client: Client, operation: "GET" | "POST"): () => Promise<void> =>
  operation === "GET" ? () => client.get(client.deviceId) : () => client.post()

export const make = (name: Name, dir: string): Contender => {
  switch (name) {
    case "baseline":
      return Baseline.make(dir)
    case "ours":
      return Ours.make(dir)
    case "bunqJSClient":
      return Bunqjs.make(dir)
  }
}
