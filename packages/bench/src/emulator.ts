/**
 * A handle on the emulator process: fork it, wait for its URL, send commands.
 */
import { fork } from "node:child_process"
import * as Files from "./files.js"

export interface EmulatorHandle {
  /** The base URL, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string
  /** The origin, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string
  readonly pid: number
  readonly createUser: () => Promise<string>
  readonly seedDevices: (apiKey: string, count: number) => Promise<number>
  readonly clearLog: () => Promise<void>
  readonly close: () => Promise<void>
}

export const start = (): Promise<EmulatorHandle> =>
  new Promise((resolve, reject) => {
    const child = fork(Files.script("emulatorProcess"), [], {
      execArgv: [...Files.execArgv],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let next = 0
    const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>()
    const send = (op: string, fields: object = {}): Promise<any> =>
      new Promise((resolve, reject) => {
        const id = next++
        pending.set(id, { resolve, reject })
        child.send({ id, op, ...fields })
      })
    child.on("error", reject)
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`emulator process exited with ${code}`))
    })
    child.on("message", (message: any) => {
      if (message.ready !== undefined) {
        const url: string = message.ready
        resolve({
          url,
          origin: new URL(url).origin,
          pid: child.pid!,
          createUser: () => send("createUser"),
          seedDevices: (apiKey, count) => send("seedDevices", { apiKey, count }),
          clearLog: () => send("clearLog"),
          close: () =>
            new Promise<void>((done) => {
              child.once("exit", () => done())
              child.disconnect()
            })
        })
        return
      }
      const entry = pending.get(message.id)
      if (entry === undefined) return
      pending.delete(message.id)
      if (message.error !== undefined) entry.reject(new Error(message.error))
      else entry.resolve(message.result)
    })
  })
