import { describe, expect, it } from "vitest";
import { FakeClock } from "../../testing/fake-clock.js";
import { Pacer } from "./pacer.js";

describe("Pacer", () => {
  it("starts no more than the configured rate per second", () => {
    const clock = new FakeClock();
    const pacer = new Pacer(clock, 100);
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
    const pacer = new Pacer(clock, 10);
    const ran: string[] = [];
    pacer.enqueue("a", () => ran.push("a1"));
    pacer.enqueue("b", () => ran.push("b"));
    pacer.enqueue("b", () => ran.push("b2"));
    pacer.enqueue("c", () => ran.push("c"));
    pacer.cancel("c");
    clock.advance(1000);
    expect(ran).toEqual(["a1", "b2"]);
  });
});
