import { describe, expect, it } from "vitest";
import type { AccountView, Alert } from "../shared/contract.js";
import { worstLevel } from "./worst-state.js";

const a = (state: AccountView["status"]["state"]) => ({ status: { state } }) as AccountView;
const alert = (acknowledged: boolean) => ({ acknowledged }) as Alert;

describe("worstLevel", () => {
  it("ranks failed over alerts over pending over registered", () => {
    expect(worstLevel([], [])).toBe("idle");
    expect(worstLevel([a("registered"), a("disabled")], [])).toBe("ok");
    expect(worstLevel([a("registered"), a("retrying")], [])).toBe("pending");
    expect(worstLevel([a("registered")], [alert(false)])).toBe("alert");
    expect(worstLevel([a("registered")], [alert(true)])).toBe("ok");
    expect(worstLevel([a("failed")], [alert(false)])).toBe("failed");
  });
});
