// A minimal browser app on bunqJSClient 1.1.2: create the API context (key generation, installation, device,
// session; saved in localStorage, its browser default) and read this device.
import BunqJSClient from "@bunq-community/bunq-js-client";

const client = new BunqJSClient();
await client.run("sandbox_key", [], "SANDBOX", "0123456789abcdef0123456789abcdef");
await client.install();
await client.registerDevice("app");
await client.registerSession();
const id = await client.api.deviceRegistration.get({ deviceId: client.Session.deviceId });
document.body.textContent = String(id);
