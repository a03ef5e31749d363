/**
 * The money commands: `account list|show`, `payment list|show|create`, `request create`, `event list`,
 * `sandbox top-up` and `webhook listen`. Tables on a terminal, one JSON document with `--json`; a mistake of the
 * user's (amount `abc`, an unknown account, insufficient balance) is one line and exit 1 (2 for usage). Once bunq has
 * accepted a request that moves money, the command succeeds and prints its id, whatever happens after; if bunq's
 * answer to it is lost, the error says the money may have moved and how to check.
 *
 * @internal
 */
import * as BunqError from "@effect-bunq/http/BunqError"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as NodeReadline from "node:readline"
import { handler, idArg, offlineHandler, optionalText, withApi, withApiSteps } from "./command.js"
import { CliError, OutcomeUnknown, render, UsageError } from "./errors.js"
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

/**
 * Whether the confirmation can be asked: standard input must be a terminal that was not used up by a secret. Checked
 * before anything is sent; refused at once (a usage error naming `--yes`) rather than asking a question nobody can
 * answer: after `--api-key-file -` standard input is at its end and the question would wait forever, and a pipe or a
 * file answering a payment's question is a mistake waiting to happen.
 */
const requireTerminal = (settings: Settings, action: string): Effect.Effect<void, UsageError> =>
  Option.isSome(settings.stdinSecret)
    ? Effect.fail(
      new UsageError({
        description:
          `standard input was read for ${settings.stdinSecret.value} -, so nothing is left to confirm with: pass --yes to ${action}`
      })
    )
    : process.stdin.isTTY !== true
    ? Effect.fail(
      new UsageError({
        description: `standard input is not a terminal, so no one can confirm: pass --yes to ${action}`
      })
    )
    : Effect.void

/** Ask on stderr, read one line from the terminal: only `y` or `yes` goes ahead. */
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

/** A failure of a request that reached (or may have reached) bunq without an answer that can be trusted. */
type Unanswered = BunqError.TransportError | BunqError.ResponseVerificationError | BunqError.DecodeError

const isUnanswered = (operation: string) => <E>(error: E): error is E & Unanswered =>
  (error instanceof BunqError.TransportError || error instanceof BunqError.ResponseVerificationError ||
    error instanceof BunqError.DecodeError) && error.operation === operation

/**
 * The POST that moves money: when it fails after the request may have reached bunq (the connection dropped, a
 * timeout, a response that did not verify or decode), bunq may have carried it out, so the error says so and names
 * the command to check with (`OutcomeUnknown`). bunq's own refusal (`ApiError`) and a failure before the request was
 * sent (a session that could not be opened) are reported as they are: nothing was done.
 */
const moveMoney = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  step: { readonly operation: string; readonly what: string; readonly check: string }
): Effect.Effect<A, E | OutcomeUnknown, R> =>
  Effect.catchIf(effect, isUnanswered(step.operation), (error) =>
    Effect.fail(
      new OutcomeUnknown({
        description: `${step.what} may have been made: bunq's answer was lost (${error._tag} ${error.message}). ` +
          `Check ${step.check} before you try again: trying again may do it twice.`,
        operation: error.operation,
        method: error.method,
        path: error.path,
        requestId: error.requestId,
        responseId: error.responseId,
        reason: error._tag === "DecodeError" ? error._tag : error.reason
      })
    ))

/**
 * After money moved, the account's balance if it can be read; if not, `null` and a note on stderr: the money moved
 * all the same, so the command still succeeds (exit 0) and prints what it did.
 */
const balanceAfter = (accountId: number, done: string) =>
  Effect.flatMap(
    Effect.either(Output.withSpinner("reading the balance", Api.account(accountId))),
    Either.match({
      onRight: (account) => Effect.succeed<string | null>(account.balance),
      onLeft: (error) =>
        Effect.as(
          Output.writeErr(
            `note: ${done}, but the balance of account ${accountId} could not be read: ${render(error).line}`
          ),
          null
        )
    })
  )

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
  yes: Options.boolean("yes").pipe(Options.withDescription("Do not ask for confirmation (needed without a terminal)"))
}).pipe(
  Command.withDescription("Make a payment (POST …/payment, signed) after you confirm it"),
  Command.withHandler(handler((settings, options) =>
    Effect.gen(function*() {
      const amount = yield* Api.parseAmount(options.amount)
      const accountId = yield* positive(options.account, "--account")
      if (options.to.trim().length === 0) return yield* new UsageError({ description: "--to needs an IBAN or email" })
      if (!options.yes) yield* requireTerminal(settings, "make the payment")
      const name = Option.getOrUndefined(options.name)
      // One step at a time, each with its own progress line: none runs while the question waits for an answer.
      const result = yield* withApiSteps(
        settings,
        Effect.gen(function*() {
          const from = yield* Output.withSpinner("waiting for bunq", Api.accountOrDefault(accountId))
          const counterparty = name === undefined ? options.to : `${name} (${options.to})`
          if (!options.yes) {
            const ok = yield* confirm(
              `Pay ${amount} ${options.currency} from account ${from.id} (${
                Output.printable(from.iban ?? from.description)
              }) to ${counterparty}?`
            )
            if (!ok) {
              return yield* new CliError({ description: "payment not sent (not confirmed; --yes skips the question)" })
            }
          }
          const paymentId = yield* moveMoney(
            Output.withSpinner(
              "sending the payment",
              Api.createPayment({
                accountId: from.id,
                amount,
                currency: options.currency,
                to: options.to,
                name,
                description: options.description
              })
            ),
            { operation: "Payment.create", what: "the payment", check: "`bunq payment list`" }
          )
          // The payment is made: from here on nothing fails the command.
          const balance = yield* balanceAfter(from.id, `payment ${paymentId} was made`)
          return { paymentId, accountId: from.id, amount, currency: options.currency, to: options.to, balance }
        })
      )
      yield* Output.result(
        result,
        (color) =>
          `${
            Output.green(color, "Paid")
          } ${result.amount} ${result.currency} to ${options.to} (payment ${result.paymentId}).` +
          (result.balance === null
            ? ""
            : ` Balance of account ${result.accountId}: ${Output.printable(result.balance)} ${result.currency}.`)
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
 * With `balance`, the account's balance afterwards is read too (if it cannot be, `null` and a note: the request was
 * made all the same). A request whose answer was lost is `OutcomeUnknown`, naming `check`.
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
  step: { readonly what: string; readonly check: string; readonly balance: boolean },
  result: (
    asked: {
      readonly account: Api.AccountRow
      readonly amount: string
      readonly requestId: number
      readonly balance: string | null
    }
  ) => A,
  line: (result: A) => string
) =>
  Effect.gen(function*() {
    const amount = yield* Api.parseAmount(options.amount)
    const accountId = yield* positive(options.account, "--account")
    const asked = yield* withApiSteps(
      settings,
      Effect.gen(function*() {
        const account = yield* Output.withSpinner("waiting for bunq", Api.accountOrDefault(accountId))
        const requestId = yield* moveMoney(
          Output.withSpinner(
            "sending the request",
            Api.createRequest({
              accountId: account.id,
              amount,
              currency: options.currency,
              from: options.from,
              description: options.description
            })
          ),
          { operation: "RequestInquiry.create", what: step.what, check: step.check }
        )
        const balance = step.balance ? yield* balanceAfter(account.id, `request ${requestId} was made`) : null
        return { account, requestId, balance }
      })
    )
    const value = result({ ...asked, amount })
    yield* Output.result(value, () => line(value))
  })

const requestCreate = Command.make("create", {
  amount: amountOption("The amount to ask for, e.g. 12.34"),
  from: Options.text("from").pipe(
    Options.withPseudoName("IBAN|EMAIL"),
    Options.withDescription(
      "Who you ask: a bunq user's email or the IBAN of a bunq account (sugardaddy@bunq.com pays at once in the sandbox)"
    )
  ),
  description: Options.text("description").pipe(Options.withPseudoName("TEXT"), Options.withDefault("")),
  account: accountOption,
  currency: currencyOption
}).pipe(
  Command.withDescription("Ask a bunq user for money (POST …/request-inquiry)"),
  Command.withHandler(handler((settings, options) =>
    askFor(
      settings,
      options,
      { what: "the request", check: "`bunq event list`", balance: false },
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
      { what: "the top-up", check: "`bunq account list`", balance: true },
      ({ account, amount, balance, requestId }) => ({
        requestId,
        accountId: account.id,
        amount,
        balance,
        currency: account.currency
      }),
      (result) =>
        `Got ${result.amount} EUR from sugardaddy@bunq.com on account ${result.accountId}` +
        (result.balance === null
          ? "."
          : `; balance ${Output.printable(result.balance)} ${Output.printable(result.currency)}.`)
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
      // offline: it sends nothing to bunq, so an unrelated setting (`BUNQ_TIMEOUT=abc`) must not stop it
      Command.withHandler(offlineHandler(({ port }) =>
        Effect.gen(function*() {
          if (port < 0 || port > 65535) return yield* new UsageError({ description: "--port must be 0 to 65535" })
          const Webhook = yield* Effect.promise(() => import("./webhook.js"))
          return yield* Webhook.listen(port)
        })
      ))
    )
  ])
)
