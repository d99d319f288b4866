/** The bearer token that guards the API (push and stats): off without a token, compared in constant time. */
// Not hono/bearer-auth: it answers 400 (not a 401 JSON problem) to tokens outside RFC 6750's token68 set, which INGEST_TOKEN may use, and its compare's time grows with the token's length.
import type { Context, MiddlewareHandler } from "hono";

/** Compares two secrets in time that does not depend on where they differ (both hashed first, so lengths leak nothing). */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([given, expected].map((s) => crypto.subtle.digest("SHA-256", encoder.encode(s))));
  const x = new Uint8Array(a!);
  const y = new Uint8Array(b!);
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference |= x[i]! ^ y[i]!;
  return difference === 0;
}

/** An API problem as JSON: what is wrong and, where there are several, each of them. */
export function apiProblem(c: Context, status: 400 | 401 | 404 | 413 | 415, error: string, details?: string[]) {
  return c.json({ error, ...(details ? { details } : {}) }, status, status === 401 ? { "WWW-Authenticate": 'Bearer realm="api"' } : {});
}

/** 404 while no token is set (the API is off), 401 for a missing or wrong token. */
export function bearerAuth(token: string | null): MiddlewareHandler {
  return async function requireBearer(c, next) {
    if (!token) return apiProblem(c, 404, "the API is off: set INGEST_TOKEN to turn it on");
    const given = /^Bearer\s+(\S.*)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
    if (!given || !(await sameSecret(given, token))) return apiProblem(c, 401, "missing or wrong bearer token");
    await next();
  };
}
