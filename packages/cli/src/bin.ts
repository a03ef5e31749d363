/**
 * Entry point of the `bunq` command. The commands arrive with the CLI issue; until then it says so and exits 0.
 *
 * @since 0.1.0
 */
const args = process.argv.slice(2)
console.log(`effect-bunq: the bunq command is not built yet (asked for: ${args.join(" ") || "nothing"}).`)
console.log("Coming: context create|show|refresh|forget|import-sdk, device list|get, session close, user show,")
console.log("sandbox create-user, emulator, and a guided demo against the embedded emulator.")
