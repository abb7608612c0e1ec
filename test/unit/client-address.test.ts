import { describe, expect, it } from "vitest";
import { clientAddressOf } from "@/lib/http/client-address";
import { parseEnv } from "@/lib/env";

/** What the audit log records as a request's address, with and without reverse proxies in front. */
describe("client address for the audit log", () => {
  it("with no proxy in front, the connection's address: a client's own X-Forwarded-For is ignored", () => {
    expect(clientAddressOf("198.51.100.7", "203.0.113.66", 0)).toBe("198.51.100.7");
    expect(clientAddressOf("198.51.100.7", undefined, 0)).toBe("198.51.100.7");
    expect(clientAddressOf("::ffff:127.0.0.1", "10.0.0.1", 0)).toBe("127.0.0.1");
    expect(clientAddressOf("::1", undefined, 0)).toBe("::1");
    expect(clientAddressOf(undefined, undefined, 0)).toBeNull();
  });

  it("behind trusted proxies, the address the farthest one saw; what the client wrote before it is ignored", () => {
    // The client forged 203.0.113.66; nginx appended the real 198.51.100.7 and connected from 10.0.0.2.
    expect(clientAddressOf("10.0.0.2", "203.0.113.66, 198.51.100.7", 1)).toBe("198.51.100.7");
    // Two proxies: a load balancer (appends the client), then nginx (appends the balancer).
    expect(clientAddressOf("10.0.0.3", ["203.0.113.66, 198.51.100.7", "10.0.0.2"], 2)).toBe("198.51.100.7");
    // Fewer entries than trusted hops: the farthest one there is.
    expect(clientAddressOf("10.0.0.2", undefined, 2)).toBe("10.0.0.2");
  });

  it("TRUSTED_PROXY_HOPS: 0 unless set; anything but a small whole number is refused by name", () => {
    expect(parseEnv({}).TRUSTED_PROXY_HOPS).toBe(0);
    expect(parseEnv({ TRUSTED_PROXY_HOPS: "1" }).TRUSTED_PROXY_HOPS).toBe(1);
    expect(() => parseEnv({ TRUSTED_PROXY_HOPS: "yes" })).toThrow(/TRUSTED_PROXY_HOPS/);
    expect(() => parseEnv({ TRUSTED_PROXY_HOPS: "1.5" })).toThrow(/TRUSTED_PROXY_HOPS: must be a whole number/);
  });
});
