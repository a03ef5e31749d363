import { inspect } from "node:util"
import { signerConformance } from "../../signer/test/SignerConformance.js"
import * as NodeSigner from "../src/NodeSigner.js"

signerConformance("NodeSigner", NodeSigner.layer, { inspect })
