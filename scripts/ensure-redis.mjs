// Makes sure the Redis tests have a `redis-server` to start: Debian's `redis-server` package, never a downloaded
// build. If it is missing and this process may install it (root with apt-get), it installs it; otherwise it fails with
// a message saying how. The package's own service is not used (in a container without an init system it does not even
// start): the tests start their own server on a free loopback port without persistence and stop it afterwards (see
// packages/platform-node/test/utils/redisServer.ts).
import { ensureDebianPackage } from "./ensure-debian-package.mjs"

ensureDebianPackage({
  tag: "ensure-redis",
  path: process.env.REDIS_SERVER_PATH ?? "/usr/bin/redis-server",
  defaultPath: "/usr/bin/redis-server",
  pkg: "redis-server",
  envVar: "REDIS_SERVER_PATH",
  purpose: "the Redis tests (and the fleet bench)"
})
