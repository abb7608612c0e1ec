import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "@/lib/http/safe-redirect";

/** Where a browser at http://localhost:3000 would actually go when told to navigate to `path`. */
const followed = (path: string) => new URL(path, "http://localhost:3000/sign-in");

describe("callbackUrl after sign-in (finding 3 of issue 21)", () => {
  const host = "localhost:3000";

  it.each([
    "/\\evil.example",
    "\\\\evil.example",
    "//evil.example",
    "/\\/evil.example/x",
    "http:/evil.example",
    "https://evil.example/integrations",
    "http://localhost:3000@evil.example/",
    "http://user:pw@localhost:3000/",
    "javascript:alert(1)",
    "data:text/html,hi",
    "http://localhost:3001/",
    "/%5Cevil.example",
  ])("never leaves the origin: %s", (raw) => {
    const path = safeCallbackPath(raw, host);
    expect(followed(path).origin).toBe("http://localhost:3000");
    expect(path.startsWith("/")).toBe(true);
  });

  it("keeps same-origin paths, query and hash, whether relative or absolute", () => {
    expect(safeCallbackPath("/integrations/abc?tab=logs#x", host)).toBe("/integrations/abc?tab=logs#x");
    expect(safeCallbackPath("http://localhost:3000/destination", host)).toBe("/destination");
    expect(safeCallbackPath("http://localhost:3000//evil.example", host)).toBe("/evil.example");
    expect(safeCallbackPath(undefined, host)).toBe("/");
  });

  it("the rule the page used before would have let /\\evil.example through", () => {
    const old = (c: string) => (c.startsWith("/") && !c.startsWith("//") ? c : "/");
    expect(followed(old("/\\evil.example")).host).toBe("evil.example");
    expect(followed(safeCallbackPath("/\\evil.example", host)).host).toBe("localhost:3000");
  });
});
