/**
 * The state of access granted to others (part of the emulator's `Store`, so `reset` forgets it): OAuth clients with
 * their callback URLs, and authorization codes. The logic is in `grants.ts`.
 *
 * @internal
 */

/** @internal */
export interface CallbackUrlRecord {
  readonly id: number
  readonly created: number
  url: string
}

/** @internal */
export interface OAuthClientRecord {
  readonly id: number
  readonly created: number
  readonly clientId: string
  readonly secret: string
  readonly ownerUserId: number
  displayName: string
  status: string
  readonly callbackUrls: Array<CallbackUrlRecord>
}

/** @internal */
export interface CodeRecord {
  readonly clientId: string
  readonly redirectUri: string
  readonly state: string | undefined
  readonly userId: number
  readonly expiresAt: number
  used: boolean
}

/** The grants of one emulator (part of its `Store`, so `reset` forgets them). @internal */
export class Grants {
  nextClientId = 801
  nextCallbackUrlId = 901
  nextCredentialId = 1001
  readonly clients = new Map<number, OAuthClientRecord>()
  readonly clientsByClientId = new Map<string, OAuthClientRecord>()
  readonly codes = new Map<string, CodeRecord>()
}

/** How long an authorization code can be exchanged: ten minutes, by the emulator's `Clock`. @internal */
export const codeLifetimeMillis = 10 * 60 * 1000
