import { test as base } from "@playwright/test";
import { startRegistrar, type Registrar } from "./registrar/registrar.js";
import { startHeadlessHost, type HeadlessHost } from "./support/headless-host.js";

/** A real Kamailio per worker, a fresh headless host per test. */
export const test = base.extend<{ host: HeadlessHost }, { registrar: Registrar }>({
  registrar: [
    async ({}, use) => {
      const registrar = await startRegistrar();
      await use(registrar);
      await registrar.stop();
    },
    { scope: "worker" },
  ],
  host: async ({}, use) => {
    const host = await startHeadlessHost();
    await use(host);
    await host.stop();
  },
});

export { expect } from "@playwright/test";
