// Starts a throwaway `redis-server` for the tests and the fleet bench: on a free loopback port, no persistence
// (`--save '' --appendonly no`), bound to 127.0.0.1, no config file. Stopped by `stop()` (SIGTERM, then SIGKILL).
// Used by scripts/redis-global-setup.mjs (the tests) and packages/bench/src/fleet.ts (the fleet bench).
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { createConnection, createServer } from "node:net"

const binary = () => process.env.REDIS_SERVER_PATH ?? "/usr/bin/redis-server"

/** A port the OS says is free on 127.0.0.1 right now. */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const answersPing = (port) =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port })
    let reply = ""
    socket.setTimeout(500, () => socket.destroy())
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (data) => {
      reply += data.toString("utf8")
      if (reply.includes("\r\n")) {
        socket.destroy()
        resolve(reply.startsWith("+PONG"))
      }
    })
    socket.on("error", () => resolve(false))
    socket.on("close", () => resolve(false))
  })

/**
 * Start a server (on `port`, or a free one) and wait until it answers PING.
 *
 * @param {{ port?: number, args?: ReadonlyArray<string> }} [options] `args` go last (they win over the defaults)
 * @returns {Promise<{ url: string, port: number, pid: number, stop: () => Promise<void> }>}
 */
export const startRedisServer = async (options = {}) => {
  if (!existsSync(binary())) {
    throw new Error(
      `no redis-server at ${binary()}: run \`node scripts/ensure-redis.mjs\` (as root it installs Debian's package), ` +
        "or set REDIS_SERVER_PATH"
    )
  }
  const port = options.port ?? await freePort()
  const child = spawn(binary(), [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--protected-mode",
    "yes",
    "--loglevel",
    "warning",
    ...(options.args ?? [])
  ], { stdio: ["ignore", "ignore", "pipe"] })
  let stderr = ""
  child.stderr.on("data", (data) => (stderr += data.toString("utf8")))
  const exited = new Promise((resolve) => child.once("exit", resolve))
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${stderr.trim()}`)
    if (await answersPing(port)) break
    if (Date.now() > deadline) {
      child.kill("SIGKILL")
      throw new Error(`redis-server did not answer on 127.0.0.1:${port} within 10 s: ${stderr.trim()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill("SIGTERM")
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000)
    await exited
    clearTimeout(timer)
  }
  return { url: `redis://127.0.0.1:${port}`, port, pid: child.pid, stop }
}
