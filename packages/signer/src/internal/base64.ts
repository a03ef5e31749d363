/** @internal */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Standard base64 (RFC 4648 §4, padded) of bytes. Uses `btoa`, available in browsers and Node ≥ 16.
 *
 * @internal
 */
export const encode = (bytes: Uint8Array): string => {
  let binary = ""
  const chunk = 0x8000
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as Array<number>)
  }
  return btoa(binary)
}

/**
 * Strict standard base64: alphabet `A-Z a-z 0-9 + /`, padded to a multiple of 4, no whitespace. Returns `undefined`
 * for anything else (including URL-safe base64 and unpadded input).
 *
 * @internal
 */
export const decodeStrict = (text: string): Uint8Array | undefined => {
  if (!STRICT_BASE64.test(text)) return undefined
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
