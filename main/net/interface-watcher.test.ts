import { describe, expect, it, vi } from "vitest";
import type { NetworkInterfaceInfo } from "node:os";
import { interfaceSignature, watchInterfaces } from "./interface-watcher.js";

const ni = (address: string, internal = false) => ({ address, internal, family: "IPv4" }) as NetworkInterfaceInfo;

describe("interface watcher", () => {
  it("ignores loopback and order, and sees an address change", () => {
    expect(interfaceSignature({ lo: [ni("127.0.0.1", true)], eth0: [ni("10.0.0.2")] })).toBe("eth0/IPv4/10.0.0.2");
    expect(interfaceSignature({ b: [ni("2.2.2.2")], a: [ni("1.1.1.1")] })).toBe(interfaceSignature({ a: [ni("1.1.1.1")], b: [ni("2.2.2.2")] }));
  });

  it("calls back once per change", () => {
    vi.useFakeTimers();
    try {
      let current = { eth0: [ni("10.0.0.2")] } as NodeJS.Dict<NetworkInterfaceInfo[]>;
      const changes: number[] = [];
      const stop = watchInterfaces(() => changes.push(Date.now()), 1000, () => current);
      vi.advanceTimersByTime(3000);
      current = { wlan0: [ni("192.168.1.9")] };
      vi.advanceTimersByTime(3000);
      expect(changes).toHaveLength(1);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
