/**
 * The money commands: `account list|show`, `payment list|show|create`, `request create`, `event list`,
 * `sandbox top-up` and `webhook listen`. Tables on a terminal, one JSON document with `--json`; a mistake of the
 * user's (amount `abc`, an unknown account, insufficient balance) is one line and exit 1 (2 for usage).
 *
 * @internal
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodeReadline from "node:readline"
import { handler, idArg, optionalText, withApi } from "./command.js"
import { CliError, UsageError } from "./errors.js"
import * as Api from "./moneyApi.js"
import * as Output from "./output.js"
import type { Settings } from "./settings.js"

const accountOption = Options.integer("account").pipe(
  Options.withPseudoName("ID"),
  Options.withDescription("The monetary account (default: your first active bank account)"),
  Options.optional
)

const limitOption = (what: string) =>
  Options.integer("limit").pipe(
    Options.withPseudoName("N"),
    Options.withDescription(`At most this many ${what}, newest first (default 25)`),
    Options.withDefault(25)
  )

const amountOption = (description: string) =>
  Options.text("amount").pipe(Options.withPseudoName("AMOUNT"), Options.withDescription(description))

const currencyOption = Options.text("currency").pipe(
  Options.withPseudoName("CODE"),
  Options.withDescription("The currency (default EUR)"),
  Options.withDefault("EUR")
)

const checkLimit = (limit: number) =>
  limit >= 1 ? Effect.succeed(limit) : Effect.fail(new UsageError({ description: "--limit must be at least 1" }))

const positive = (option: Option.Option<number>, name: string) =>
  Option.isSome(option) && option.value < 1
    ? Effect.fail(new UsageError({ description: `${name} must be a positive id` }))
    : Effect.succeed(Option.getOrUndefined(option))

const accountTable = (rows: ReadonlyArray<Api.AccountRow>, color: boolean) =>
  Output.table(
    ["ID", "TYPE", "DESCRIPTION", "BALANCE", "IBAN", "STATUS"],
    rows.map((a) => [
      String(a.id),
      a.type,
      a.description,
      `${a.balance} ${a.currency}`,
      a.iban ?? "",
      a.status === "ACTIVE" ? Output.painted(Output.green, a.status) : a.status
    ]),
    color
  )

const paymentTable = (rows: ReadonlyArray<ReturnType<typeof Api.paymentRow>>, color: boolean) =>
  Output.table(
    ["ID", "DATE", "AMOUNT", "COUNTERPARTY", "DESCRIPTION"],
    rows.map((p) => [
      String(p.id ?? ""),
      (p.created ?? "").slice(0, 19),
      (p.amount ?? "").startsWith("-")
        ? Output.painted(Output.red, `${p.amount} ${p.currency}`)
        : `${p.amount} ${p.currency}`,
      p.counterparty ?? p.counterpartyIban ?? "",
      p.description
    ]),
    color
  )

// ---------------------------------------------------------------------------------------------------------------

const accountList = Command.make("list", {}).pipe(
  Command.withDescription("List your monetary accounts with their balances (GET /user/{id}/monetary-account)"),
  Command.withHandler(handler((settings) =>
    Effect.gen(function*() {
      const rows = yield* withApi(settings, Api.accounts)
      yield* Output.result(
        { accounts: rows },
        (color) => rows.length === 0 ? "No accounts." : accountTable(rows, color)
      )
    })
  ))
)

const accountShow = Command.make("show", { id: idArg("ID") }).pipe(
  Command.withDescription("Show one monetary account"),
  Command.withHandler(handler((settings, { id }) =>
    Effect.gen(function*() {
      const row = yield* withApi(settings, Api.account(id))
      yield* Output.result(row, (color) =>
        Output.fields([
          ["id", String(row.id)],
          ["type", row.type],
          ["description", row.description],
          ["balance", `${row.balance} ${row.currency}`],
          ["iban", row.iban ?? ""],
          ["status", row.status]
        ], color))
    })
  ))
)

/** @internal */
export const account = Command.make("account").pipe(
  Command.withDescription("Monetary accounts: list, show"),
  Command.withSubcommands([accountList, accountShow])
)

const paymentList = Command.make("list", { account: accountOption, limit: limitOption("payments") }).pipe(
  Command.withDescription("List the payments of an account, newest first"),
  Command.withHandler(handler((settings, options) =>
    Effect.gen(function*() {
      const limit = yield* checkLimit(options.limit)
      const accountId = yield* positive(options.account, "--account")
      const [from, rows] = yield* withApi(
        settings,
        Effect.flatMap(Api.accountOrDefault(accountId), (a) =>
          Effect.map(Api.payments(a.id, limit), (p) => [a, p] as const))
      )
      yield* Output.result(
        { accountId: from.id, payments: rows },
        (color) =>
          rows.length === 0 ? `No payments on account ${from.id}.` : paymentTable(rows, color)
      )
    })
  ))
)

const paymentShow = Command.make("show", { id: idArg("ID"), account: accountOption }).pipe(
  Command.withDescription("Show one payment"),
  Command.withHandler(handler((settings, options) =>
    Effect.gen(function*() {
      const accountId = yield* positive(options.account, "--account")
      const row = yield* withApi(
        settings,
        Effect.flatMap(Api.accountOrDefault(accountId), (a) => Api.payment(a.id, options.id))
      )
      yield* Output.result(row, (color) => paymentTable([row], color))
    })
  ))
)

/** Ask on stderr, read one line from standard input: only `y` or `yes` goes ahead. */
const confirm = (question: string) =>
  Effect.async<boolean>((resume) => {
    process.stderr.write(`${question} [y/N] `)
    const rl = NodeReadline.createInterface({ input: process.stdin, terminal: false })
    let answered = false
    rl.once("line", (line) => {
      answered = true
      rl.close()
      resume(Effect.succeed(/^y(es)?$/i.test(line.trim())))
    })
    rl.once("close", () => {
      if (!answered) resume(Effect.succeed(false))
    })
    return Effect.sync(() => rl.close())
  })

const paymentCreate = Command.make("create", {
  amount: amountOption("The amount, a decimal with at most two decimals, e.g. 12.34"),
  to: Options.text("to").pipe(Options.withPseudoName("IBAN|EMAIL"), Options.withDescription("Who gets the money")),
  name: optionalText("name", "NAME", "The counterparty's name (needed for an IBAN outside bunq)"),
  description: Options.text("description").pipe(
    Options.withPseudoName("TEXT"),
    Options.withDescription("What the payment is for"),
    Options.withDefault("")
  ),
  account: accountOption,
  currency: currencyOption,
  yes: Options.boolean("yes").pipe(Options.withDescription("Do not ask for confirmation"))
}).pipe(
  Command.withDescription("Make a payment (POST …/payment, signed) after you confirm it"),
  Command.withHandler(handler((settings, options) =>
    Effect.gen(function*() {
      const amount = yield* Api.parseAmount(options.amount)
      const accountId = yield* positive(options.account, "--account")
      if (options.to.trim().length === 0) return yield* new UsageError({ description: "--to needs an IBAN or email" })
      const name = Option.getOrUndefined(options.name)
      const result = yield* withApi(
        settings,
        Effect.gen(function*() {
          const from = yield* Api.accountOrDefault(accountId)
          const counterparty = name === undefined ? options.to : `${name} (${options.to})`
          if (!options.yes) {
            const ok = yield* confirm(
              `Pay ${amount} ${options.currency} from account ${from.id} (${
                from.iban ?? from.description
              }) to ${counterparty}?`
            )
            if (!ok) {
              return yield* new CliError({ description: "payment not sent (not confirmed; --yes skips the question)" })
            }
          }
          const id = yield* Api.createPayment({
            accountId: from.id,
            amount,
            currency: options.currency,
            to: options.to,
            name,
            description: options.description
          })
          const after = yield* Api.account(from.id)
          return {
            paymentId: id,
            accountId: from.id,
            amount,
            currency: options.currency,
            to: options.to,
            balance: after.balance
          }
        }),
        "sending the payment"
      )
      yield* Output.result(
        result,
        (color) =>
          `${
            Output.green(color, "Paid")
          } ${result.amount} ${result.currency} to ${options.to} (payment ${result.paymentId}). ` +
          `Balance of account ${result.accountId}: ${result.balance} ${result.currency}.`
      )
    })
  ))
)

/** @internal */
export const payment = Command.make("payment").pipe(
  Command.withDescription("Payments: list, show, create"),
  Command.withSubcommands([paymentList, paymentShow, paymentCreate])
)

/**
 * `request create` and `sandbox top-up`: check the amount and account, ask `from` for the money into the account
 * (the given one or the default), then print what `result` makes of it (`line` on a terminal, JSON with `--json`).
 */
const askFor = <A>(
  settings: Settings,
  options: {
    readonly amount: string
    readonly account: Option.Option<number>
    readonly currency: string
    readonly from: string
    readonly description: string
  },
  result: (asked: { readonly account: Api.AccountRow; readonly amount: string; readonly requestId: number }) => A,
  line: (result: A) => string
) =>
  Effect.gen(function*() {
    const amount = yield* Api.parseAmount(options.amount)
    const accountId = yield* positive(options.account, "--account")
    const asked = yield* withApi(
      settings,
      Api.requestInto({
        accountId,
        amount,
        currency: options.currency,
        from: options.from,
        description: options.description
      })
    )
    const value = result({ ...asked, amount })
    yield* Output.result(value, () => line(value))
  })

const requestCreate = Command.make("create", {
  amount: amountOption("The amount to ask for, e.g. 12.34"),
  from: Options.text("from").pipe(
    Options.withPseudoName("IBAN|EMAIL"),
    Options.withDescription("Who you ask (sugardaddy@bunq.com pays at once in the sandbox)")
  ),
  description: Options.text("description").pipe(Options.withPseudoName("TEXT"), Options.withDefault("")),
  account: accountOption,
  currency: currencyOption
}).pipe(
  Command.withDescription("Ask someone for money (POST …/request-inquiry)"),
  Command.withHandler(handler((settings, options) =>
    askFor(
      settings,
      options,
      ({ account, amount, requestId }) => ({
        requestId,
        accountId: account.id,
        amount,
        currency: options.currency,
        from: options.from
      }),
      (result) =>
        `Asked ${options.from} for ${result.amount} ${options.currency} (request ${result.requestId}, account ${result.accountId}).`
    )
  ))
)

/** @internal */
export const request = Command.make("request").pipe(
  Command.withDescription("Payment requests: create"),
  Command.withSubcommands([requestCreate])
)

const eventList = Command.make("event").pipe(
  Command.withDescription("What happened: list"),
  Command.withSubcommands([
    Command.make("list", { limit: limitOption("events") }).pipe(
      Command.withDescription("List your events (payments, requests …), newest first"),
      Command.withHandler(handler((settings, options) =>
        Effect.gen(function*() {
          const limit = yield* checkLimit(options.limit)
          const rows = yield* withApi(settings, Api.events(limit))
          yield* Output.result({ events: rows }, (color) =>
            rows.length === 0 ? "No events." : Output.table(
              ["ID", "DATE", "ACTION", "OBJECT", "AMOUNT", "DESCRIPTION"],
              rows.map((e) => [
                String(e.id ?? ""),
                (e.created ?? "").slice(0, 19),
                e.action ?? "",
                e.object ?? "",
                e.amount ?? "",
                e.description
              ]),
              color
            ))
        })
      ))
    )
  ])
)

/** @internal */
export const event = eventList

/** `sandbox top-up`: money from the sandbox's sugar daddy. @internal */
export const sandboxTopUp = Command.make("top-up", {
  amount: amountOption("At most 500.00 (the sandbox's limit per request)").pipe(Options.withDefault("500")),
  account: accountOption
}).pipe(
  Command.withDescription("Get sandbox money: a request to sugardaddy@bunq.com, paid at once (≤ 500.00 EUR)"),
  Command.withHandler(handler((settings, options) =>
    askFor(
      settings,
      { ...options, currency: "EUR", from: "sugardaddy@bunq.com", description: "Sandbox money" },
      ({ account, amount, requestId }) => ({
        requestId,
        accountId: account.id,
        amount,
        balance: account.balance,
        currency: account.currency
      }),
      (result) =>
        `Got ${result.amount} EUR from sugardaddy@bunq.com on account ${result.accountId}; balance ${result.balance} ${result.currency}.`
    )
  ))
)

/** `webhook listen`: a local receiver for bunq's callbacks that prints each one. @internal */
export const webhook = Command.make("webhook").pipe(
  Command.withDescription("A local callback receiver: listen"),
  Command.withSubcommands([
    Command.make("listen", {
      port: Options.integer("port").pipe(
        Options.withPseudoName("N"),
        Options.withDescription("Port on 127.0.0.1 (0 picks a free one)"),
        Options.withDefault(8090)
      )
    }).pipe(
      Command.withDescription("Receive callbacks on 127.0.0.1 and print each (category, event, object, amount)"),
      Command.withHandler(handler((_, { port }) =>
        Effect.gen(function*() {
          if (port < 0 || port > 65535) return yield* new UsageError({ description: "--port must be 0 to 65535" })
          const Webhook = yield* Effect.promise(() => import("./webhook.js"))
          return yield* Webhook.listen(port)
        })
      ))
    )
  ])
)
