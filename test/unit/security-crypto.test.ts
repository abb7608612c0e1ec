/** Finding 10 of issue 21 (crypto): full-length GCM tags only; a value bound to its row. */
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secrets";

const key = "k".repeat(40);

describe("sealed secrets", () => {
  it("refuses a truncated authentication tag (GCM would verify its prefix)", () => {
    for (const context of [undefined, "destinations.password_enc:team-a"]) {
      const [v, iv, tag, body] = encryptSecret("hunter2", key, context).split(".");
      const short = Buffer.from(tag!, "base64url").subarray(0, 12).toString("base64url");
      expect(() => decryptSecret([v, iv, short, body].join("."), key, context)).toThrow(/truncated/);
    }
  });

  it("a value sealed for one row does not open for another, nor without its context", () => {
    const sealed = encryptSecret("hunter2", key, "destinations.password_enc:team-a");
    expect(sealed.startsWith("v2.")).toBe(true);
    expect(decryptSecret(sealed, key, "destinations.password_enc:team-a")).toBe("hunter2");
    expect(() => decryptSecret(sealed, key, "destinations.password_enc:team-b")).toThrow();
    expect(() => decryptSecret(sealed, key)).toThrow(/bound to a row/);
  });

  it("values sealed before contexts (v1) still open, with or without a context", () => {
    const legacy = encryptSecret("hunter2", key);
    expect(legacy.startsWith("v1.")).toBe(true);
    expect(decryptSecret(legacy, key)).toBe("hunter2");
    expect(decryptSecret(legacy, key, "destinations.password_enc:team-a")).toBe("hunter2");
  });
});
