import * as WebCryptoSigner from "../src/WebCryptoSigner.js"
import { signerConformance } from "./SignerConformance.js"
import { webCryptoSignerSuite } from "./WebCryptoSignerSuite.js"

signerConformance("WebCryptoSigner (Chromium)", WebCryptoSigner.layer)
webCryptoSignerSuite("Chromium")
