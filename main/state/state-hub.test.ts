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
