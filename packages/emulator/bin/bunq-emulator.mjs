#!/usr/bin/env node
// The published `bunq-emulator` command: runs the built entry point (dist/bin.js).
import "../dist/bin.js"
