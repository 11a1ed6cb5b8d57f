/**
 * Notices network changes (Wi-Fi roaming, VPN up/down, cable plugged) by comparing this
 * machine's interface addresses every few seconds: Node has no network-change event, and a
 * changed address means our bindings and NAT mappings are probably gone.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";

/** A stable description of the external addresses; equal strings mean no change. */
export function interfaceSignature(ifaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  const out: string[] = [];
  for (const [name, list] of Object.entries(ifaces)) {
    for (const ni of list ?? []) if (!ni.internal) out.push(`${name}/${ni.family}/${ni.address}`);
  }
  return out.sort().join(" ");
}

export function watchInterfaces(onChange: () => void, everyMs = 5000, read = networkInterfaces): () => void {
  let last = interfaceSignature(read());
  const timer = setInterval(() => {
    const now = interfaceSignature(read());
    if (now !== last) {
      last = now;
      onChange();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
