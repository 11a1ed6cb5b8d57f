import { describe, expect, it } from "vitest";
import { FakeClock } from "../../testing/fake-clock.js";
import { Pacer } from "./pacer.js";

describe("Pacer", () => {
  it("starts no more than the configured rate per second", () => {
    const clock = new FakeClock();
    const pacer = new Pacer(clock, { perSecond: 100 });
    const started: number[] = [];
    for (let i = 0; i < 250; i++) pacer.enqueue(`a${i}`, () => started.push(clock.now()));
    clock.advance(999);
    expect(started.length).toBeLessThanOrEqual(101);
    expect(started.length).toBeGreaterThanOrEqual(99);
    clock.advance(2000);
    expect(started).toHaveLength(250);
    expect(pacer.pending).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("keeps one place per key and drops cancelled work", () => {
    const clock = new FakeClock();
    const pacer = new Pacer(clock, { perSecond: 10 });
    const ran: string[] = [];
    pacer.enqueue("a", () => ran.push("a1"));
    pacer.enqueue("b", () => ran.push("b"));
    pacer.enqueue("b", () => ran.push("b2"));
    pacer.enqueue("c", () => ran.push("c"));
    pacer.cancel("c");
    clock.advance(1000);
    expect(ran).toEqual(["a1", "b2"]);
  });

  it("keeps at most `window` items in progress until they settle", () => {
    const clock = new FakeClock();
    const pacer = new Pacer(clock, { perSecond: 1000, window: 3 });
    const started: string[] = [];
    for (let i = 0; i < 10; i++) pacer.enqueue(`a${i}`, () => started.push(`a${i}`));
    clock.advance(1000);
    expect(started).toEqual(["a0", "a1", "a2"]);
    expect(pacer.started).toBe(3);
    pacer.settled("a1");
    expect(started).toEqual(["a0", "a1", "a2", "a3"]);
    pacer.settled("a1"); // twice: frees nothing more
    pacer.settled("unknown");
    clock.advance(1000);
    expect(started).toHaveLength(4);
    for (const k of ["a0", "a2", "a3"]) pacer.settled(k);
    clock.advance(50);
    expect(started).toHaveLength(7);
    expect(pacer.pending).toBe(3);
  });

  it("still applies the rate when items settle at once", () => {
    const clock = new FakeClock();
    const pacer = new Pacer(clock, { perSecond: 100, window: 5 });
    let n = 0;
    for (let i = 0; i < 300; i++) pacer.enqueue(`a${i}`, () => (n++, pacer.settled(`a${i}`)));
    clock.advance(999);
    expect(n).toBeLessThanOrEqual(101);
    clock.advance(2100);
    expect(n).toBe(300);
    expect(pacer.started).toBe(0);
  });

  it("stops counting an item that is never reported settled", () => {
    const clock = new FakeClock();
    const pacer = new Pacer(clock, { perSecond: 1000, window: 2, settleMs: 10_000 });
    const started: string[] = [];
    for (const k of ["a", "b", "c"]) pacer.enqueue(k, () => started.push(k));
    clock.advance(9000);
    expect(started).toEqual(["a", "b"]);
    clock.advance(1100);
    expect(started).toEqual(["a", "b", "c"]);
    expect(pacer.started).toBe(1);
    pacer.cancel("c");
    expect(pacer.started).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
