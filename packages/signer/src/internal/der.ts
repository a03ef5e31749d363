/**
 * A minimal DER reader and writer: just enough ASN.1 for RSA keys (PKCS#1, PKCS#8, SPKI).
 *
 * The tags are separate numeric constants rather than one object: bundlers inline a numeric constant at each use,
 * not an object's property (≈ 70 B gzipped less in the browser API-context app).
 */

/** @internal */
export const INTEGER = 0x02
/** @internal */
export const BIT_STRING = 0x03
/** @internal */
export const OCTET_STRING = 0x04
/** @internal */
export const NULL = 0x05
/** @internal */
export const OBJECT_IDENTIFIER = 0x06
/** @internal */
export const SEQUENCE = 0x30

/** @internal */
export interface Node {
  readonly tag: number
  /** The content octets (a view into the input). */
  readonly content: Uint8Array
}

/** @internal */
export class DerError extends Error {}

/**
 * Reads one TLV at `offset`; returns the node and the offset after it.
 *
 * @internal
 */
export const readNode = (bytes: Uint8Array, offset: number): readonly [node: Node, next: number] => {
  const tag = bytes[offset]
  if (tag === undefined) throw new DerError("truncated tag")
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not supported")
  // the length: one byte below 0x80, else 0x80 | count followed by count big-endian bytes
  let length = bytes[offset + 1]!
  let start = offset + 2
  if (length >= 0x80) {
    const count = length & 0x7f
    if (count === 0 || count > 4) throw new DerError("unsupported length encoding")
    length = 0
    for (const b of bytes.subarray(start, start += count)) length = length * 256 + b
  }
  // past the end also when the length byte itself is missing (then `length` is undefined and unused)
  if (start > bytes.length) throw new DerError("truncated length")
  const end = start + length
  if (end > bytes.length) throw new DerError("truncated content")
  return [{ tag, content: bytes.subarray(start, end) }, end]
}

/**
 * Parses exactly one TLV spanning the whole input, with the expected tag.
 *
 * @internal
 */
export const parseOne = (bytes: Uint8Array, tag: number): Node => {
  const [node, next] = readNode(bytes, 0)
  if (node.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`)
  if (next !== bytes.length) throw new DerError("trailing bytes after the outer structure")
  return node
}

/**
 * The children of a constructed node (a SEQUENCE).
 *
 * @internal
 */
export const children = (node: Node): Array<Node> => {
  const out: Array<Node> = []
  let offset = 0
  while (offset < node.content.length) {
    const [child, next] = readNode(node.content, offset)
    out.push(child)
    offset = next
  }
  return out
}

/**
 * The child at `index` with the expected tag.
 *
 * @internal
 */
export const expectChild = (nodes: ReadonlyArray<Node>, index: number, tag: number, what: string): Node => {
  const node = nodes[index]
  if (node === undefined) throw new DerError(`missing ${what}`)
  if (node.tag !== tag) throw new DerError(`${what}: unexpected tag 0x${node.tag.toString(16)}`)
  return node
}

/**
 * Dotted text of an OBJECT IDENTIFIER's content.
 *
 * @internal
 */
export const oidToString = (content: Uint8Array): string => {
  if (content.length === 0) throw new DerError("empty object identifier")
  const parts: Array<number> = []
  let value = 0
  for (const b of content) {
    value = value * 128 + (b & 0x7f)
    if (b < 0x80) {
      if (parts.length > 0) {
        parts.push(value)
      } else {
        // the first subidentifier holds the first two arcs
        const a = content[0]! < 80 ? Math.floor(value / 40) : 2
        parts.push(a, value - a * 40)
      }
      value = 0
    }
  }
  if (value !== 0) throw new DerError("truncated object identifier")
  return parts.join(".")
}

/**
 * The magnitude of a non-negative INTEGER's content, without leading zero bytes.
 *
 * @internal
 */
export const unsignedInteger = (content: Uint8Array): Uint8Array => {
  if (content.length === 0) throw new DerError("empty integer")
  if (content[0]! > 0x7f) throw new DerError("negative integer")
  return stripLeadingZeros(content)
}

const stripLeadingZeros = (bytes: Uint8Array): Uint8Array => {
  let i = 0
  while (i < bytes.length - 1 && bytes[i] === 0) i++
  return bytes.subarray(i)
}

/**
 * Bit length of an unsigned big-endian magnitude.
 *
 * @internal
 */
export const bitLength = (magnitude: Uint8Array): number => {
  const m = stripLeadingZeros(magnitude)
  // `m[0]` is 0 only when the value is 0, undefined only when the input is empty
  return m[0] ? m.length * 8 - Math.clz32(m[0]) + 24 : 0
}

const encodeLength = (length: number): Array<number> => {
  if (length < 0x80) return [length]
  const bytes: Array<number> = []
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff)
  return [0x80 | bytes.length, ...bytes]
}

/**
 * Encodes one TLV.
 *
 * @internal
 */
export const encode = (tag: number, ...contents: ReadonlyArray<Uint8Array>): Uint8Array =>
  contents.reduce((out, content) => {
    const next = new Uint8Array(out.length + content.length)
    next.set(out)
    next.set(content, out.length)
    return next
  }, new Uint8Array([tag, ...encodeLength(contents.reduce((n, content) => n + content.length, 0))]))

/**
 * Encodes an unsigned magnitude as a DER INTEGER (adds a leading zero when the high bit is set).
 *
 * @internal
 */
export const encodeUnsignedInteger = (magnitude: Uint8Array): Uint8Array => {
  const m = stripLeadingZeros(magnitude.length === 0 ? new Uint8Array(1) : magnitude)
  // the leading zero byte: `m[0] >> 7` is 1 when the high bit is set, else 0 (no byte)
  return encode(INTEGER, new Uint8Array(m[0]! >> 7), m)
}
