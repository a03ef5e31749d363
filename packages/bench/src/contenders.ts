/**
 * The three contenders, by name (the list child process picks one by name).
 */
import * as Baseline from "./clients/baseline.js"
import * as Bunqjs from "./clients/bunqjs.js"
import * as Ours from "./clients/ours.js"
import type { Contender } from "./clients/types.js"

export type Name = "baseline" | "ours" | "bunqJSClient"

export const names: ReadonlyArray<Name> = ["baseline", "ours", "bunqJSClient"]

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
