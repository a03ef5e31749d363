// What the browser project's global setup hands to the tests (see emulator-global-setup.ts).
import "vitest"

declare module "vitest" {
  export interface ProvidedContext {
    bunqEmulatorUrl: string
  }
}
