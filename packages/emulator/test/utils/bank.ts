/**
 * A sandbox user's session with helpers for the money endpoints, over any transport (loopback `fetch` or the
 * in-process client), built on the raw protocol helpers.
 */
import type { CallOptions, Context, RawResponse } from "./raw.js"
import { call, openSession } from "./raw.js"

export interface Bank {
  readonly ctx: Context
  readonly base: string
  /** A call with this user's session token; `signed` signs the body with the installation key. */
  readonly call: (path: string, options?: CallOptions & { readonly signed?: boolean }) => Promise<RawResponse>
  /** The user's default bank account (the first one, holding the email alias). */
  readonly account: () => Promise<any>
  readonly accountPath: (accountId?: number) => Promise<string>
  /** `POST …/request-inquiry` to the sugar daddy for `value`. */
  readonly topUp: (value: string) => Promise<RawResponse>
  readonly pay: (
    to: { readonly type: "IBAN" | "EMAIL"; readonly value: string; readonly name?: string },
    value: string,
    extra?: Record<string, unknown>
  ) => Promise<RawResponse>
}

export const openBank = async (base: string, transport?: typeof fetch): Promise<Bank> => {
  const ctx = await openSession(base, transport === undefined ? {} : { fetch: transport })
  const bankCall: Bank["call"] = (path, options = {}) =>
    call(`${base}${path}`, {
      token: ctx.sessionToken,
      ...(options.signed === true ? { signWith: ctx.keys.privateKeyPem } : {}),
      ...(transport === undefined ? {} : { fetch: transport }),
      ...options
    })
  const account = async () => {
    const list = await bankCall(`/user/${ctx.userId}/monetary-account-bank`)
    // The default account: the one holding the user's email alias (lists are newest first).
    return list.json.Response.map((r: any) => r.MonetaryAccountBank).find((a: any) =>
      a.status === "ACTIVE" && a.alias.some((alias: any) => alias.type === "EMAIL")
    )
  }
  const accountPath = async (accountId?: number) =>
    `/user/${ctx.userId}/monetary-account/${accountId ?? (await account()).id}`
  return {
    ctx,
    base,
    call: bankCall,
    account,
    accountPath,
    topUp: async (value) =>
      bankCall(`${await accountPath()}/request-inquiry`, {
        method: "POST",
        body: {
          amount_inquired: { value, currency: "EUR" },
          counterparty_alias: { type: "EMAIL", value: "sugardaddy@bunq.com", name: "Sugar Daddy" },
          description: "sandbox money",
          allow_bunqme: false
        }
      }),
    pay: async (to, value, extra = {}) =>
      bankCall(`${await accountPath()}/payment`, {
        method: "POST",
        signed: true,
        body: { amount: { value, currency: "EUR" }, counterparty_alias: to, description: "test payment", ...extra }
      })
  }
}

export const ibanOf = (account: any): string => account.alias.find((a: any) => a.type === "IBAN").value
export const emailOf = (account: any): string => account.alias.find((a: any) => a.type === "EMAIL").value
export const errorOf = (response: RawResponse): string => response.json.Error[0].error_description
