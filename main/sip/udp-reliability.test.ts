import { describe, expect, it } from "vitest";
import { T1, T2, TRANSACTION_MS, UdpReliability } from "./udp-reliability.js";

describe("UdpReliability", () => {
  it("retransmits a request at T1, doubling to T2, until Timer F", () => {
    const r = new UdpReliability<string>();
    r.requestSent("b1", "REGISTER", "REGISTER ...", "peer", 0);
    const sentAt: number[] = [];
    for (let t = 0; t <= TRANSACTION_MS + 1000; t += 100) if (r.due(t).length) sentAt.push(t);
    expect(sentAt.slice(0, 5)).toEqual([T1, T1 * 3, T1 * 7, T1 * 15, T1 * 15 + T2]);
    expect(sentAt.every((t) => t < TRANSACTION_MS)).toBe(true);
    expect(r.size).toBe(0);
  });

  it("stops on a final response, slows to T2 after a provisional one, never retransmits ACK", () => {
    const r = new UdpReliability<string>();
    r.requestSent("a", "REGISTER", "x", "p", 0);
    r.requestSent("b", "SUBSCRIBE", "y", "p", 0);
    r.requestSent("c", "ACK", "z", "p", 0);
    r.responseReceived("a", 200, 100);
    r.responseReceived("b", 100, 100);
    expect(r.due(T1)).toEqual([]);
    expect(r.due(100 + T2).map((x) => x.text)).toEqual(["y"]);
  });

  it("replays the answer to a retransmitted request for one transaction time", () => {
    const r = new UdpReliability<string>();
    r.responseSent("n1", "NOTIFY", "SIP/2.0 200 OK", "notifier", 0);
    expect(r.replayFor("n1", "NOTIFY", 1000)?.text).toBe("SIP/2.0 200 OK");
    expect(r.replayFor("n1", "SUBSCRIBE", 1000)).toBeUndefined();
    expect(r.replayFor("n2", "NOTIFY", 1000)).toBeUndefined();
    r.due(TRANSACTION_MS);
    expect(r.replayFor("n1", "NOTIFY", TRANSACTION_MS)).toBeUndefined();
  });

  it("forgets the requests of a user that left", () => {
    const r = new UdpReliability<string>();
    r.requestSent("a", "REGISTER", "x", "alice", 0);
    r.requestSent("b", "REGISTER", "y", "bob", 0);
    const live = (to: string) => to !== "alice";
    expect(r.due(T1, live).map((x) => x.to)).toEqual(["bob"]);
    expect(r.size).toBe(1);
  });

  it("does not count a stall of the process toward retransmission, and leaves one T1 to read the answers", () => {
    const r = new UdpReliability<string>();
    r.requestSent("a", "REGISTER", "x", "p", 0);
    // The process froze from 100 ms to 1,100 ms; its first tick after that is late by 900 ms.
    r.postpone(900);
    expect(r.due(1100)).toEqual([]);
    expect(r.due(T1 + 900 + T1 - 1)).toEqual([]);
    expect(r.due(T1 + 900 + T1).map((x) => x.text)).toEqual(["x"]);
    // Timer F is not moved: the transaction still ends on time.
    r.due(TRANSACTION_MS);
    expect(r.size).toBe(0);
  });

  it("waits the measured round trip before retransmitting to a destination whose answers come late", () => {
    const r = new UdpReliability<string>();
    // Answers from "busy" take 900 ms (they queue behind thousands of others); "near" answers at once.
    for (let i = 0; i < 20; i++) {
      r.requestSent(`b${i}`, "REGISTER", "x", "busy", i * 1000);
      r.requestSent(`n${i}`, "REGISTER", "y", "near", i * 1000);
      r.responseReceived(`n${i}`, 200, i * 1000 + 5);
      if (i === 0) {
        // The first request to "busy" is retransmitted at T1 (nothing measured yet), so its
        // answer is no measure of the round trip (Karn's rule): the later ones are.
        expect(r.due(T1).map((x) => x.to)).toEqual(["busy"]);
      }
      r.responseReceived(`b${i}`, 200, i * 1000 + 900);
    }
    r.requestSent("b-next", "REGISTER", "x", "busy", 100_000);
    r.requestSent("n-next", "REGISTER", "y", "near", 100_000);
    expect(r.due(100_000 + T1).map((x) => x.to)).toEqual(["near"]);
    expect(r.due(100_000 + 1000).map((x) => x.to)).toEqual(["busy"]);
  });
});
