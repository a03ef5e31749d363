// Makes sure the browser test project has a Chromium to drive: Debian's `chromium` package, never a downloaded build.
// If it is missing and this process may install it (root with apt-get), it installs it; otherwise it fails with a
// message saying how. It never lets the browser tests be skipped silently.
import { ensureDebianPackage } from "./ensure-debian-package.mjs"

ensureDebianPackage({
  tag: "ensure-chromium",
  path: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  defaultPath: "/usr/bin/chromium",
  pkg: "chromium",
  envVar: "CHROMIUM_PATH",
  purpose: "the browser test project"
})
