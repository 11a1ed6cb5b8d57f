import { describe, expect, it } from "vitest";
import type { AccountView, StateDelta } from "../../shared/contract.js";
import { FakeClock } from "../../testing/fake-clock.js";
import { StateHub } from "./state-hub.js";

const view = (id: string, n = 0) => ({ id, name: `n${n}` }) as unknown as AccountView;

describe("StateHub", () => {
  it("coalesces a burst of changes into one delta per interval, persisting before it publishes", () => {
    const clock = new FakeClock();
    const persisted: string[][] = [];
    const views = new Map<string, AccountView>();
    const hub = new StateHub({ view: (id) => views.get(id), beforePublish: (b) => persisted.push(b.changed) }, clock, 100);
    const deltas: StateDelta[] = [];
    hub.subscribe((d) => deltas.push(d));
    for (let i = 0; i < 1000; i++) {
      views.set(`a${i % 50}`, view(`a${i % 50}`, i));
      hub.accountChanged(`a${i % 50}`);
    }
    expect(deltas).toHaveLength(0);
    clock.advance(100);
    expect(deltas).toHaveLength(1);
    expect(deltas[0]!.accounts).toHaveLength(50);
    expect(deltas[0]).toMatchObject({ fromRev: 0, toRev: 1, removed: [] });
    expect(persisted).toHaveLength(1);
    // The latest view of each account is what goes out.
    expect(deltas[0]!.accounts.find((a) => a.id === "a0")!.name).toBe("n950");
  });

  it("chains revisions and reports removals", () => {
    const clock = new FakeClock();
    const hub = new StateHub({ view: () => undefined, beforePublish: () => {} }, clock, 50);
    const deltas: StateDelta[] = [];
    const unsubscribe = hub.subscribe((d) => deltas.push(d));
    hub.accountChanged("a");
    hub.accountRemoved("a");
    clock.advance(50);
    hub.accountRemoved("b");
    hub.flush();
    expect(deltas.map((d) => [d.fromRev, d.toRev, d.removed])).toEqual([
      [0, 1, ["a"]],
      [1, 2, ["b"]],
    ]);
    unsubscribe();
    hub.accountRemoved("c");
    hub.flush();
    expect(deltas).toHaveLength(2);
    expect(hub.revision).toBe(3);
  });

  it("publishes an alert at once, and a burst of alerts at most once per alert gap", () => {
    const clock = new FakeClock();
    const hub = new StateHub({ view: () => undefined, beforePublish: () => {} }, clock, 100, 20);
    const deltas: { at: number; delta: StateDelta }[] = [];
    hub.subscribe((delta) => deltas.push({ at: clock.now(), delta }));
    const alert = (i: number) => ({ id: `al${i}`, accountId: `a${i}`, kind: "deactivated" as const, at: clock.now(), message: "m", acknowledged: false, count: 1 });
    const start = clock.now();
    hub.alertChanged(alert(-1));
    clock.advance(0);
    expect(deltas.map((d) => d.at - start)).toEqual([0]);
    // An account change pending for 100 ms does not hold a later alert back; both go together.
    clock.advance(50);
    hub.accountRemoved("y");
    clock.advance(10);
    hub.alertChanged(alert(-2));
    clock.advance(0);
    expect(deltas).toHaveLength(2);
    expect(deltas[1]!.at - start).toBe(60);
    expect(deltas[1]!.delta.removed).toEqual(["y"]);
    // 1,000 alerts, one a millisecond: about fifty deltas, none holding an alert past the gap.
    deltas.length = 0;
    const raised = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      raised.set(`al${i}`, clock.now());
      hub.alertChanged(alert(i));
      clock.advance(1);
    }
    clock.advance(20);
    expect(deltas.length).toBeGreaterThanOrEqual(48);
    expect(deltas.length).toBeLessThanOrEqual(51);
    for (const { at, delta } of deltas) for (const a of delta.alerts) expect(at - raised.get(a.id)!).toBeLessThanOrEqual(20);
    expect(deltas.flatMap((d) => d.delta.alerts)).toHaveLength(1000);
    for (let i = 1; i < deltas.length; i++) expect(deltas[i]!.at - deltas[i - 1]!.at).toBeGreaterThanOrEqual(20);
  });

  it("keeps publishing to other subscribers when one throws", () => {
    const clock = new FakeClock();
    const hub = new StateHub({ view: () => undefined, beforePublish: () => {} }, clock);
    let got = 0;
    hub.subscribe(() => {
      throw new Error("closed socket");
    });
    hub.subscribe(() => got++);
    hub.accountRemoved("x");
    hub.flush();
    expect(got).toBe(1);
  });
});
