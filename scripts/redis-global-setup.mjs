// vitest globalSetup of the projects that use Redis: one throwaway redis-server for the run (free loopback port, no
// persistence), its URL given to the tests as `inject("redisUrl")`, stopped at the end.
import { startRedisServer } from "./redis-server.mjs"

/** @param {{ provide: (key: string, value: unknown) => void }} project */
export default async function setup(project) {
  const server = await startRedisServer()
  project.provide("redisUrl", server.url)
  return () => server.stop()
}
