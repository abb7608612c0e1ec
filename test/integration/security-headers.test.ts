/**
 * Finding 9 of issue 21 (headers): every page gets a strict CSP with a fresh nonce, on the response and
 * on the request Next.js renders from (so its scripts carry the nonce); nothing may frame the dashboard.
 * The browser side (the app runs under the policy without violations) is e2e/95-security.spec.ts.
 */
import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import nextConfig from "@/next.config";
import { config as proxyConfig, proxy } from "@/proxy";

const directives = (policy: string) => new Map(policy.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));

describe("security headers", () => {
  it("the proxy sets a nonce-based CSP on the response and the request, fresh every time", () => {
    const first = proxy(new NextRequest("http://localhost:3000/team"));
    const second = proxy(new NextRequest("http://localhost:3000/team"));
    const policy = first.headers.get("content-security-policy")!;
    expect(policy).toBeTruthy();
    expect(second.headers.get("content-security-policy")).not.toBe(policy);

    const d = directives(policy);
    const nonce = d.get("script-src")!.find((v) => v.startsWith("'nonce-"))!;
    expect(nonce).toMatch(/^'nonce-[A-Za-z0-9+/]{22}==?'$/);
    expect(d.get("script-src")).toEqual(["'self'", nonce, "'strict-dynamic'"]);
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    expect(d.get("object-src")).toEqual(["'none'"]);
    expect(d.get("base-uri")).toEqual(["'none'"]);
    expect(d.get("default-src")).toEqual(["'self'"]);
    expect(policy).not.toMatch(/unsafe-eval/);
    // Next.js reads the policy (and so the nonce) from the request it renders.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    expect(first.headers.get("x-middleware-request-x-nonce")).toBe(nonce.slice(7, -1));
  });

  it("runs for pages and API routes, not for the build's static files", () => {
    const [matcher] = proxyConfig.matcher;
    const re = new RegExp(`^${matcher}$`);
    for (const path of ["/", "/team", "/integrations/abc/logs", "/sign-in", "/api/dashboard"]) expect(path, path).toMatch(re);
    for (const path of ["/_next/static/chunks/a.js", "/favicon.ico"]) expect(path, path).not.toMatch(re);
  });

  it("every response also says DENY to framing, nosniff and same-origin referrers", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*");
    expect(Object.fromEntries(all!.headers.map((h) => [h.key.toLowerCase(), h.value]))).toEqual({
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "same-origin",
    });
  });
});
