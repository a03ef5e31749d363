import * as WebCryptoSigner from "../src/WebCryptoSigner.js"
import { signerConformance } from "./SignerConformance.js"

signerConformance("WebCryptoSigner (Chromium)", WebCryptoSigner.layer)
