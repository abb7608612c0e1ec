import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy } from "@/lib/http/security-headers";

/**
 * A fresh nonce per request for the Content-Security-Policy (Next.js 16's documented approach): Next
 * reads the policy from the request and puts the nonce on the scripts it renders; the browser gets the
 * same policy on the response. Every page is rendered per request (the root layout is dynamic).
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development" });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  // Not the build's static files: they are never documents, and skipping them keeps the proxy cheap.
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
