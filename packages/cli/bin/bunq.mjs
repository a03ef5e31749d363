#!/usr/bin/env node
// The installed `bunq` command: registers tsx's loader, then runs the TypeScript entry point (no build step).
import { register } from "tsx/esm/api"

register()
await import("../src/bin.ts")
