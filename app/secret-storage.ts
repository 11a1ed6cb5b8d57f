import { safeStorage } from "electron";
import type { SecretBox } from "../main/store/secret-box.js";

const PREFIX = "os1:";

/** Passwords sealed by the OS keychain (Keychain, DPAPI, libsecret/kwallet) through safeStorage. */
export function safeStorageSecretBox(): SecretBox {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new Error("OS encryption (safeStorage) is not available: cannot store passwords safely");
  }
  return {
    encrypt: (plain) => PREFIX + safeStorage.encryptString(plain).toString("base64"),
    decrypt: (sealed) => {
      if (!sealed.startsWith(PREFIX)) throw new Error("stored secret was not sealed by this desktop app");
      return safeStorage.decryptString(Buffer.from(sealed.slice(PREFIX.length), "base64"));
    },
  };
}
