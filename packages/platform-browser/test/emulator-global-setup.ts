// Global setup of the browser test project (runs in Node): starts one bunq emulator with its control endpoints on
// 127.0.0.1 (the emulator's own bin, in a child process) and hands its base URL to the browser tests
// (`inject("bunqEmulatorUrl")`, typed in provided.d.ts).
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import type { TestProject } from "vitest/node"

export default async function setup(project: TestProject) {
  const bin = Path.join(import.meta.dirname, "..", "..", "emulator", "src", "bin.ts")
  const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", bin, "--port", "0", "--control"], {
    cwd: Path.dirname(bin),
    stdio: ["ignore", "pipe", "inherit"]
  })
  const url = await new Promise<string>((resolve, reject) => {
    let output = ""
    const timer = setTimeout(() => reject(new Error(`the emulator did not start: ${output}`)), 60_000)
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.on("exit", (code) => reject(new Error(`the emulator exited with ${code}: ${output}`)))
  })
  project.provide("bunqEmulatorUrl", url)
  return () => {
    child.kill("SIGTERM")
  }
}
