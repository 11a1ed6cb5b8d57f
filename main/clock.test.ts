import { describe, expect, it } from "vitest";
import { FakeClock } from "../testing/fake-clock.js";
import { OneShot } from "./clock.js";

describe("OneShot", () => {
  it("keeps one pending callback: setting again replaces it, clear cancels it", () => {
    const clock = new FakeClock();
    const t = new OneShot(clock);
    const fired: string[] = [];
    t.set(100, () => fired.push("a"));
    t.set(50, () => fired.push("b"));
    clock.advance(200);
    expect(fired).toEqual(["b"]);
    t.set(10, () => fired.push("c"));
    t.clear();
    clock.advance(100);
    expect(fired).toEqual(["b"]);
    expect(clock.pending).toBe(0);
  });
});
