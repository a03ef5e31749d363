/**
 * The table behind `NodeErrors` (see there), used by `UndiciHttpClient` directly.
 *
 * @internal
 */

const causeByCode: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the server",
  EPIPE: "connection closed by the server",
  ENOTFOUND: "DNS lookup failed (host not found)",
  EAI_AGAIN: "DNS lookup failed (temporary)",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  UND_ERR_SOCKET: "connection closed unexpectedly",
  UND_ERR_HEADERS_TIMEOUT: "no response headers in time",
  CERT_HAS_EXPIRED: "TLS: the server certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "TLS: the server certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "TLS: a self-signed certificate is in the chain",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "TLS: the server certificate could not be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "TLS: the certificate does not match the host name"
}

/**
 * `connection refused (ECONNREFUSED)` for the first error code in the cause chain (undici nests the system error under
 * `fetch failed`/`other side closed`); `undefined` when the chain has no code.
 *
 * @internal
 */
export const describe = (cause: unknown): string | undefined => {
  let current: unknown = cause
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { readonly code?: unknown }).code
    if (typeof code === "string" && code.length > 0) {
      const known = causeByCode[code] ??
        (code.startsWith("ERR_TLS") || code.includes("CERT") ? "TLS failure" : undefined)
      return known === undefined ? code : `${known} (${code})`
    }
    current = (current as { readonly cause?: unknown }).cause
  }
  return undefined
}

/**
 * `{ description }` for an `HttpClientError`'s constructor, or nothing when the chain has no code.
 *
 * @internal
 */
export const descriptionOf = (cause: unknown): { readonly description?: string } => {
  const description = describe(cause)
  return description === undefined ? {} : { description }
}
