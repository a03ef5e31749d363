import * as ContextStore from "@effect-bunq/device-server/ContextStore"
import * as BrowserContextStore from "@effect-bunq/platform-browser/BrowserContextStore"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer, Option, Ref, Scope } from "effect"

const lockState = (name: string) =>
  Effect.map(Effect.promise(() => navigator.locks.query()), (snapshot) => ({
    held: (snapshot.held ?? []).filter((lock) => lock.name === name).length,
    pending: (snapshot.pending ?? []).filter((lock) => lock.name === name).length
  }))

/** Take the lock through the Web Locks API itself, not through the store. */
const takeDirectly = (name: string) => Effect.promise(() => navigator.locks.request(name, () => "taken"))

/** Delete the database: it completes once every connection to it is closed, and never while one stays open. */
const deleteDatabase = (name: string) =>
  Effect.async<"deleted">((resume) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = () => resume(Effect.succeed("deleted"))
  })

/** Fails the test instead of hanging it when a lock or a connection is never released. */
const within = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(effect, { duration: "5 seconds", onTimeout: () => new Error("never released") })

const withStore = <A, E>(
  f: (store: ContextStore.ContextStore.Service, database: string) => Effect.Effect<A, E, Scope.Scope>
) =>
  Effect.scoped(Effect.gen(function*() {
    const database = `store-${crypto.randomUUID()}`
    const store = yield* BrowserContextStore.makeIndexedDb({ database })
    return yield* f(store, database)
  }))

describe("BrowserContextStore.layerIndexedDb", () => {
  it.live("an interrupted locked section releases the Web Lock", () =>
    withStore((store, database) =>
      Effect.gen(function*() {
        const name = `effect-bunq:${database}:default`
        const entered = yield* Deferred.make<void>()
        const holder = yield* Effect.fork(store.withLock(
          "default",
          Deferred.succeed(entered, void 0).pipe(
            Effect.zipRight(Effect.never)
          )
        ))
        yield* Deferred.await(entered)
        assert.deepStrictEqual(yield* lockState(name), { held: 1, pending: 0 })

        yield* Fiber.interrupt(holder)
        // The next section gets the lock (it would wait forever if the interrupted one still held it).
        assert.strictEqual(yield* within(store.withLock("default", Effect.succeed(42))), 42)
        yield* within(takeDirectly(name))
      })
    ))

  it.live("a section interrupted while it waits for the lock never runs and never takes the lock", () =>
    withStore((store, database) =>
      Effect.gen(function*() {
        const name = `effect-bunq:${database}:default`
        const entered = yield* Deferred.make<void>()
        const leave = yield* Deferred.make<void>()
        const ran = yield* Ref.make(false)
        const holder = yield* Effect.fork(
          store.withLock("default", Effect.zipRight(Deferred.succeed(entered, void 0), Deferred.await(leave)))
        )
        yield* Deferred.await(entered)
        const waiter = yield* Effect.fork(store.withLock("default", Ref.set(ran, true)))
        yield* Effect.yieldNow()
        assert.deepStrictEqual(yield* lockState(name), { held: 1, pending: 1 })

        yield* Fiber.interrupt(waiter)
        assert.deepStrictEqual(yield* lockState(name), { held: 1, pending: 0 })
        yield* Deferred.succeed(leave, void 0)
        yield* Fiber.join(holder)
        assert.strictEqual(yield* within(store.withLock("default", Effect.succeed("next"))), "next")
        assert.isFalse(yield* Ref.get(ran))
        yield* within(takeDirectly(name))
      })
    ))

  it.live("a failing or dying section releases the lock too", () =>
    withStore((store) =>
      Effect.gen(function*() {
        const failed = yield* Effect.exit(store.withLock("default", Effect.fail("no")))
        assert.isTrue(Exit.isFailure(failed))
        const died = yield* Effect.exit(store.withLock("default", Effect.die("bug")))
        assert.isTrue(Exit.isFailure(died))
        assert.strictEqual(yield* within(store.withLock("default", Effect.succeed(1))), 1)
      })
    ))

  it.live("the IndexedDB connection is closed with the layer's scope", () =>
    Effect.gen(function*() {
      const database = `scope-${crypto.randomUUID()}`
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(BrowserContextStore.layerIndexedDb({ database }), scope)
      const store = context.unsafeMap.get(ContextStore.ContextStore.key) as ContextStore.ContextStore.Service
      assert.isTrue(Option.isNone(yield* store.load("default")))

      yield* Scope.close(scope, Exit.void)
      const error = yield* Effect.flip(store.load("default"))
      assert.strictEqual(error.reason, "Io")
      // A connection left open would hold the deletion forever.
      assert.strictEqual(yield* within(deleteDatabase(database)), "deleted")
    }))
})
