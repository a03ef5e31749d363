/**
 * Sandbox users and their devices: creating them (what `POST /sandbox-user-person` does) and seeding devices.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { CreateUserOptions, SandboxUser } from "../BunqEmulator.js"
import { openAccount } from "./ledger.js"
import type { DeviceRecord, UserRecord } from "./objects.js"
import type { Env, Store } from "./state.js"
import { randomHex } from "./state.js"

/** @internal */
export const makeUsers = (env: Env) => {
  const { withStore } = env
  const defaultSessionTimeout = env.defaultSessionTimeout
  const addUser = (store: Store, now: number, opts: CreateUserOptions | undefined): UserRecord => {
    const type = opts?.type ?? "person"
    const user: UserRecord = {
      id: store.nextUserId++,
      type,
      apiKey: type === "person" || type === "company" ? `sandbox_${randomHex(28)}` : randomHex(32),
      created: now,
      sessionTimeout: opts?.sessionTimeout ?? defaultSessionTimeout,
      binding: undefined,
      devices: []
    }
    store.users.set(user.id, user)
    store.usersByApiKey.set(user.apiKey, user)
    // Every new bunq user has a bank account (bunq's sandbox opens one with a user); an OAuth user sees its granting
    // user's accounts, a PSD2 provider has none.
    if (type === "person" || type === "company") {
      openAccount(store, { type: "MonetaryAccountBank", userId: user.id, now, description: "Main", currency: "EUR" })
    }
    return user
  }

  const addDevice = (
    store: Store,
    user: UserRecord,
    fields: { created: number; description: string; ip: string; installationId: number | undefined }
  ): DeviceRecord => {
    const device: DeviceRecord = { id: store.nextDeviceId++, status: "ACTIVE", userId: user.id, ...fields }
    store.devices.set(device.id, device)
    user.devices.push(device.id)
    if (fields.installationId !== undefined) {
      store.deviceByInstallationUser.set(`${fields.installationId}:${user.id}`, device.id)
    }
    return device
  }

  const createSandboxUser = (opts?: CreateUserOptions): Effect.Effect<SandboxUser> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      withStore((store) => {
        const user = addUser(store, now, opts)
        return { id: user.id, type: user.type, apiKey: Redacted.make(user.apiKey) }
      }))

  const seedDevices = (
    target: number | string | SandboxUser | Redacted.Redacted<string>,
    count: number
  ): Effect.Effect<ReadonlyArray<number>> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.flatten(withStore((store) => {
        const user = typeof target === "number"
          ? store.users.get(target)
          : typeof target === "string"
          ? store.usersByApiKey.get(target)
          : Redacted.isRedacted(target)
          ? store.usersByApiKey.get(Redacted.value(target))
          : store.users.get(target.id)
        if (user === undefined) return Effect.dieMessage("seedDevices: no such user")
        const ids: Array<number> = []
        for (let i = 0; i < count; i++) {
          const device = addDevice(store, user, {
            created: now - (count - i) * 1000,
            description: `Seeded device ${i + 1} · Zoë’s werkplek`,
            ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
            installationId: undefined
          })
          ids.push(device.id)
        }
        return Effect.succeed(ids)
      })))

  /** bunq forgets every installation, device and session; users, API keys, accounts and money stay. */
  const forgetRegistrations: Effect.Effect<void> = withStore((store) => {
    store.installations.clear()
    store.installationsByToken.clear()
    store.sessions.clear()
    store.sessionsByToken.clear()
    store.devices.clear()
    store.deviceByInstallationUser.clear()
    for (const user of store.users.values()) {
      user.devices.length = 0
      // The binding came from the first registration: the next one sets it again.
      user.binding = undefined
    }
  })

  return { addUser, addDevice, createSandboxUser, seedDevices, forgetRegistrations } as const
}

/** @internal */
export type Users = ReturnType<typeof makeUsers>
