/**
 * X.509 certificates, read with the package's minimal DER reader: the fields a PSD2 registration needs (validity,
 * subject, the public key) and nothing else. No chain or signature validation: bunq validates the chain.
 */
import * as Der from "./der.js"
import * as KeyEncoding from "./keyEncoding.js"

/** @internal */
export class CertificateDecodeError {
  constructor(
    readonly reason: "Malformed" | "UnsupportedKey",
    readonly description: string
  ) {}
}

/** @internal */
export interface DecodedCertificate {
  readonly der: Uint8Array
  /** The certificate's SubjectPublicKeyInfo, re-encoded in the canonical RSA form (comparable byte for byte). */
  readonly spki: Uint8Array
  readonly modulusLength: number
  readonly notBefore: Date
  readonly notAfter: Date
  readonly subject: string
  readonly issuer: string
}

const Context0 = 0xa0
const UtcTime = 0x17
const GeneralizedTime = 0x18
const SetTag = 0x31

const ATTRIBUTE_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.97": "organizationIdentifier",
  "1.2.840.113549.1.9.1": "emailAddress"
}

const latin1 = (bytes: Uint8Array): string => String.fromCharCode(...bytes)
const utf8 = new TextDecoder("utf-8")

const decodeString = (node: Der.Node): string => {
  switch (node.tag) {
    case 0x1e: { // BMPString: UTF-16BE
      let out = ""
      for (let i = 0; i + 1 < node.content.length; i += 2) {
        out += String.fromCharCode((node.content[i]! << 8) | node.content[i + 1]!)
      }
      return out
    }
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString
      return latin1(node.content)
    default: // UTF8String and anything else: best effort
      return utf8.decode(node.content)
  }
}

/** `CN=My App PISP AISP, C=NL`: RFC 4514 order is reversed; this keeps the certificate's order, as `openssl` does. */
const nameToString = (name: Der.Node): string =>
  Der.children(name).flatMap((rdn) => {
    if (rdn.tag !== SetTag) throw new Der.DerError("Name: expected a SET")
    return Der.children(rdn).map((attribute) => {
      const fields = Der.children(attribute)
      const oid = Der.oidToString(Der.expectChild(fields, 0, Der.OBJECT_IDENTIFIER, "attribute type").content)
      const value = fields[1]
      if (value === undefined) throw new Der.DerError("attribute without a value")
      return `${ATTRIBUTE_NAMES[oid] ?? oid}=${decodeString(value)}`
    })
  }).join(", ")

const digits = (text: string, from: number, count: number): number => {
  const part = text.slice(from, from + count)
  if (!/^\d+$/.test(part) || part.length !== count) throw new Der.DerError("malformed time")
  return Number(part)
}

/** UTCTime `YYMMDDHHMMSSZ` (years 1950–2049) or GeneralizedTime `YYYYMMDDHHMMSSZ`, as RFC 5280 requires. */
const parseTime = (node: Der.Node): Date => {
  const text = latin1(node.content)
  let year: number
  let rest: string
  if (node.tag === UtcTime && /^\d{12}Z$/.test(text)) {
    const yy = digits(text, 0, 2)
    year = yy >= 50 ? 1900 + yy : 2000 + yy
    rest = text.slice(2)
  } else if (node.tag === GeneralizedTime && /^\d{14}Z$/.test(text)) {
    year = digits(text, 0, 4)
    rest = text.slice(4)
  } else {
    throw new Der.DerError("validity: expected UTCTime or GeneralizedTime in UTC (…Z)")
  }
  const millis = Date.UTC(
    year,
    digits(rest, 0, 2) - 1,
    digits(rest, 2, 2),
    digits(rest, 4, 2),
    digits(rest, 6, 2),
    digits(rest, 8, 2)
  )
  return new Date(millis)
}

/** @internal */
export const decodeDer = (der: Uint8Array): DecodedCertificate => {
  try {
    const certificate = Der.children(Der.parseOne(der, Der.SEQUENCE))
    if (certificate.length !== 3) throw new Der.DerError("Certificate must have three fields")
    const tbs = Der.children(Der.expectChild(certificate, 0, Der.SEQUENCE, "tbsCertificate"))
    const offset = tbs[0]?.tag === Context0 ? 1 : 0
    Der.expectChild(tbs, offset, Der.INTEGER, "serialNumber")
    Der.expectChild(tbs, offset + 1, Der.SEQUENCE, "signature")
    const issuer = Der.expectChild(tbs, offset + 2, Der.SEQUENCE, "issuer")
    const validity = Der.children(Der.expectChild(tbs, offset + 3, Der.SEQUENCE, "validity"))
    const subject = Der.expectChild(tbs, offset + 4, Der.SEQUENCE, "subject")
    const spkiFields = Der.children(Der.expectChild(tbs, offset + 5, Der.SEQUENCE, "subjectPublicKeyInfo"))
    if (validity.length !== 2) throw new Der.DerError("validity must have two fields")
    try {
      KeyEncoding.checkAlgorithm(Der.expectChild(spkiFields, 0, Der.SEQUENCE, "algorithm"))
    } catch (error) {
      if (error instanceof KeyEncoding.KeyDecodeError) {
        throw new CertificateDecodeError("UnsupportedKey", `the certificate's key is ${error.description}`)
      }
      throw error
    }
    const bits = Der.expectChild(spkiFields, 1, Der.BIT_STRING, "subjectPublicKey").content
    if (bits[0] !== 0) throw new Der.DerError("subjectPublicKey has unused bits")
    const parts = KeyEncoding.parseRsaPublicKey(bits.subarray(1))
    let modulusLength: number
    try {
      modulusLength = KeyEncoding.checkModulus(parts.modulus)
    } catch (error) {
      if (error instanceof KeyEncoding.KeyDecodeError) {
        throw new CertificateDecodeError("UnsupportedKey", `the certificate's key: ${error.description}`)
      }
      throw error
    }
    return {
      der,
      spki: KeyEncoding.spkiFromParts(parts),
      modulusLength,
      notBefore: parseTime(validity[0]!),
      notAfter: parseTime(validity[1]!),
      subject: nameToString(subject),
      issuer: nameToString(issuer)
    }
  } catch (error) {
    if (error instanceof Der.DerError) {
      throw new CertificateDecodeError("Malformed", `not a valid X.509 certificate: ${error.message}`)
    }
    throw error
  }
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g
const BEGIN = /-----BEGIN /g
const END = /-----END /g

const count = (text: string, marker: RegExp): number => Array.from(text.matchAll(marker)).length

/**
 * Every `CERTIFICATE` block of a PEM text, in order (a chain file holds several). Text around the blocks (openssl's
 * `subject=` lines) is ignored; a block of another kind is an error, and so is a `BEGIN` or `END` line that is not
 * part of a complete block (a text cut off in the middle of a certificate would otherwise decode as a shorter chain).
 *
 * @internal
 */
export const decodePemBlocks = (text: string): Array<DecodedCertificate> => {
  const blocks = Array.from(text.matchAll(BLOCK))
  if (blocks.length === 0) {
    throw new CertificateDecodeError(
      "Malformed",
      count(text, BEGIN) === 0
        ? "no PEM block (expected -----BEGIN CERTIFICATE-----)"
        : "the PEM block is not terminated (a BEGIN line without its END line): the text is cut off"
    )
  }
  const begins = count(text, BEGIN)
  const ends = count(text, END)
  if (begins !== blocks.length || ends !== blocks.length) {
    throw new CertificateDecodeError(
      "Malformed",
      `${begins} BEGIN and ${ends} END lines for ${blocks.length} complete PEM block(s): ` +
        "a block is cut off (the text is incomplete)"
    )
  }
  return blocks.map((match) => {
    if (match[1] !== "CERTIFICATE") {
      throw new CertificateDecodeError("Malformed", `expected a BEGIN CERTIFICATE block, got BEGIN ${match[1]}`)
    }
    let der: Uint8Array
    try {
      der = KeyEncoding.parsePem(match[0]).der
    } catch (error) {
      if (error instanceof KeyEncoding.KeyDecodeError) throw new CertificateDecodeError("Malformed", error.description)
      throw error
    }
    return decodeDer(der)
  })
}

// -----------------------------------------------------------------------------
// test certificates
// -----------------------------------------------------------------------------

const SHA256_WITH_RSA = new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b])
const OID_CN = new Uint8Array([0x55, 0x04, 0x03])
const OID_C = new Uint8Array([0x55, 0x04, 0x06])
const ascii = new TextEncoder()

/** @internal */
export interface NameParts {
  readonly commonName: string
  readonly country?: string | undefined
}

const encodeName = (name: NameParts): Uint8Array => {
  const attribute = (oid: Uint8Array, tag: number, value: string) =>
    Der.encode(
      SetTag,
      Der.encode(Der.SEQUENCE, Der.encode(Der.OBJECT_IDENTIFIER, oid), Der.encode(tag, ascii.encode(value)))
    )
  return Der.encode(
    Der.SEQUENCE,
    ...(name.country === undefined ? [] : [attribute(OID_C, 0x13, name.country)]),
    attribute(OID_CN, 0x0c, name.commonName)
  )
}

const two = (n: number) => String(n).padStart(2, "0")

const encodeTime = (date: Date): Uint8Array => {
  const year = date.getUTCFullYear()
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}` +
    `${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`
  return year >= 1950 && year < 2050
    ? Der.encode(UtcTime, ascii.encode(`${two(year % 100)}${rest}`))
    : Der.encode(GeneralizedTime, ascii.encode(`${String(year).padStart(4, "0")}${rest}`))
}

const sha256WithRsa = (): Uint8Array =>
  Der.encode(Der.SEQUENCE, Der.encode(Der.OBJECT_IDENTIFIER, SHA256_WITH_RSA), Der.encode(Der.NULL))

/**
 * The to-be-signed part of a version 3 certificate without extensions.
 *
 * @internal
 */
export const encodeTbs = (options: {
  readonly serial: Uint8Array
  readonly issuer: NameParts
  readonly subject: NameParts
  readonly notBefore: Date
  readonly notAfter: Date
  readonly spki: Uint8Array
}): Uint8Array =>
  Der.encode(
    Der.SEQUENCE,
    Der.encode(Context0, Der.encode(Der.INTEGER, new Uint8Array([2]))),
    Der.encodeUnsignedInteger(options.serial),
    sha256WithRsa(),
    encodeName(options.issuer),
    Der.encode(Der.SEQUENCE, encodeTime(options.notBefore), encodeTime(options.notAfter)),
    encodeName(options.subject),
    options.spki
  )

/** The certificate around a signed TBS. @internal */
export const encodeCertificate = (tbs: Uint8Array, signature: Uint8Array): Uint8Array =>
  Der.encode(Der.SEQUENCE, tbs, sha256WithRsa(), Der.encode(Der.BIT_STRING, new Uint8Array([0]), signature))
