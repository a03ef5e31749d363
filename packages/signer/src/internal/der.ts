/**
 * A minimal DER reader and writer: just enough ASN.1 for RSA keys (PKCS#1, PKCS#8, SPKI).
 */

/** @internal */
export const Tag = {
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  ObjectIdentifier: 0x06,
  Sequence: 0x30
} as const

/** @internal */
export interface Node {
  readonly tag: number
  /** The content octets (a view into the input). */
  readonly content: Uint8Array
}

/** @internal */
export class DerError extends Error {}

const readLength = (bytes: Uint8Array, offset: number): readonly [length: number, next: number] => {
  const first = bytes[offset]
  if (first === undefined) throw new DerError("truncated length")
  if (first < 0x80) return [first, offset + 1]
  const count = first & 0x7f
  if (count === 0 || count > 4) throw new DerError("unsupported length encoding")
  let length = 0
  for (let i = 1; i <= count; i++) {
    const b = bytes[offset + i]
    if (b === undefined) throw new DerError("truncated length")
    length = length * 256 + b
  }
  return [length, offset + 1 + count]
}

/**
 * Reads one TLV at `offset`; returns the node and the offset after it.
 *
 * @internal
 */
export const readNode = (bytes: Uint8Array, offset: number): readonly [node: Node, next: number] => {
  const tag = bytes[offset]
  if (tag === undefined) throw new DerError("truncated tag")
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not supported")
  const [length, start] = readLength(bytes, offset + 1)
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
  const first = content[0]!
  let value = 0
  let isFirst = true
  for (let i = 0; i < content.length; i++) {
    const b = content[i]!
    value = value * 128 + (b & 0x7f)
    if ((b & 0x80) === 0) {
      if (isFirst) {
        const a = first < 80 ? Math.floor(value / 40) : 2
        parts.push(a, value - a * 40)
        isFirst = false
      } else {
        parts.push(value)
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
  if ((content[0]! & 0x80) !== 0) throw new DerError("negative integer")
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
  let i = 0
  while (i < magnitude.length && magnitude[i] === 0) i++
  if (i === magnitude.length) return 0
  return (magnitude.length - i) * 8 - Math.clz32(magnitude[i]!) + 24
}

const encodeLength = (length: number): Array<number> => {
  if (length < 0x80) return [length]
  const bytes: Array<number> = []
  let n = length
  while (n > 0) {
    bytes.unshift(n & 0xff)
    n = Math.floor(n / 256)
  }
  return [0x80 | bytes.length, ...bytes]
}

/**
 * Encodes one TLV.
 *
 * @internal
 */
export const encode = (tag: number, ...contents: ReadonlyArray<Uint8Array>): Uint8Array => {
  const length = contents.reduce((n, c) => n + c.length, 0)
  const header = [tag, ...encodeLength(length)]
  const out = new Uint8Array(header.length + length)
  out.set(header, 0)
  let offset = header.length
  for (const c of contents) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

/**
 * Encodes an unsigned magnitude as a DER INTEGER (adds a leading zero when the high bit is set).
 *
 * @internal
 */
export const encodeUnsignedInteger = (magnitude: Uint8Array): Uint8Array => {
  const m = stripLeadingZeros(magnitude.length === 0 ? new Uint8Array([0]) : magnitude)
  return (m[0]! & 0x80) !== 0 ? encode(Tag.Integer, new Uint8Array([0]), m) : encode(Tag.Integer, m)
}
