import { describe, expect, it } from "vitest";
import { formatCode, formatCountdown, STATE_ICON, STATE_LABEL } from "./format.js";

describe("formatCountdown", () => {
  it.each([
    [59_000, "0:59"],
    [61_000, "1:01"],
    [3_600_000, "1:00:00"],
    [3_723_000, "1:02:03"],
    [2 * 86_400_000 + 3 * 3_600_000, "2d 3h"],
    [0, "expired"],
    [-5, "expired"],
  ])("%i ms reads %s", (ms, text) => expect(formatCountdown(ms)).toBe(text));
});

describe("labels", () => {
  it("gives every state a label and an icon (never colour alone)", () => {
    for (const s of Object.keys(STATE_LABEL)) expect(STATE_ICON[s as keyof typeof STATE_ICON]).toBeTruthy();
  });
  it("formats code and reason", () => {
    expect(formatCode(401, "Unauthorized")).toBe("401 Unauthorized");
    expect(formatCode(undefined, "Transport error")).toBe("Transport error");
    expect(formatCode(undefined, undefined)).toBe("");
  });
});
