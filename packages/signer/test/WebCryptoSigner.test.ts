import { inspect } from "node:util"
import * as WebCryptoSigner from "../src/WebCryptoSigner.js"
import { signerConformance } from "./SignerConformance.js"
import { webCryptoSignerSuite } from "./WebCryptoSignerSuite.js"

signerConformance("WebCryptoSigner (Node)", WebCryptoSigner.layer, { inspect })
webCryptoSignerSuite("Node")
