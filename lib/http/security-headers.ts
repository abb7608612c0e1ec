/**
 * The dashboard's Content-Security-Policy. Scripts run only with this response's nonce (Next.js puts it
 * on its own inline and bootstrap scripts; 'strict-dynamic' lets those load the app's chunks), nothing
 * may frame the dashboard (one-click actions cannot be clickjacked), and forms, fetches, images and
 * fonts stay on this origin. Inline style *attributes* are allowed (a progress bar's width): they cannot
 * run code, and React sets them from data, not from markup an attacker writes.
 */
export function contentSecurityPolicy(nonce: string, opts: { dev?: boolean } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Headers every response carries, beside the CSP (older browsers ignore frame-ancestors). */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
];
