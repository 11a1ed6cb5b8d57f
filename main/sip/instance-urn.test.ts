import { describe, expect, it } from "vitest";
import { instanceUrn } from "./instance-urn.js";

describe("instanceUrn", () => {
  it("is a stable, valid version-5 urn:uuid per account, different between accounts", () => {
    const a = instanceUrn("0b6f3c1e-5a8d-4c47-9d0e-1f2a3b4c5d6e");
    expect(a).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(instanceUrn("0b6f3c1e-5a8d-4c47-9d0e-1f2a3b4c5d6e")).toBe(a);
    expect(instanceUrn("not-a-uuid at all")).toMatch(/^urn:uuid:/);
    expect(instanceUrn("other")).not.toBe(instanceUrn("others"));
  });
});
