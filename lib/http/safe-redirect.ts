/**
 * Where to go after sign-in, from a `callbackUrl` a link may carry. A browser resolves `/\evil.example`,
 * `//evil.example` and `http:/evil.example` off-site, so a prefix test is not enough: resolve the value
 * as the browser would, against this app's origin, and keep it only when it stays on that origin.
 * Returns a path (with query and hash), "/" for anything else.
 */
export function safeCallbackPath(raw: string | null | undefined, requestHost: string | null | undefined): string {
  if (!raw) return "/";
  let base: URL;
  let target: URL;
  try {
    base = new URL(`http://${requestHost || "localhost"}`);
    target = new URL(raw, base);
  } catch {
    return "/";
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") return "/";
  if (target.host !== base.host || target.username || target.password) return "/";
  // A path starting with two slashes would itself be read as another host when followed.
  const path = target.pathname.replace(/^\/{2,}/, "/");
  return `${path}${target.search}${target.hash}`;
}
