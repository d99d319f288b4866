/** Conditional requests (RFC 9110 section 13) and content negotiation of encodings: pure helpers. */

/** The entity tags of an If-None-Match value, `*`, or nothing usable. Malformed parts are skipped. */
export function parseEntityTags(header: string | null | undefined): "*" | string[] {
  if (!header) return [];
  if (header.trim() === "*") return "*";
  const tags: string[] = [];
  for (const m of header.matchAll(/(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"/g)) tags.push(`"${m[2]}"`);
  return tags;
}

/** Weak comparison (RFC 9110 section 8.8.3.2): `W/` ignored on both sides, as If-None-Match requires. */
export function noneMatchHits(header: string | null | undefined, etag: string): boolean {
  // The usual case: a client sending back the very tag it was given.
  if (header === etag) return true;
  const tags = parseEntityTags(header);
  const opaque = etag.replace(/^W\//, "");
  return tags === "*" || tags.includes(opaque);
}

export type Encoding = "br" | "gzip" | "identity";

/**
 * The encoding to send, from Accept-Encoding with its q-values (RFC 9110 section 12.5.3): the most
 * preferred of those `available`, brotli before gzip on a tie; identity unless the client refused it
 * and nothing else fits, in which case null (406).
 */
export function chooseEncoding(header: string | null | undefined, available: readonly Encoding[]): Encoding | null {
  if (header === null || header === undefined) return "identity";
  const weights = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(p)).find(Boolean);
    const weight = q ? Number(q[1]) : 1;
    weights.set(name, Number.isFinite(weight) ? Math.min(weight, 1) : 0);
  }
  const weightOf = (encoding: string) => weights.get(encoding) ?? weights.get("*");
  let best: Encoding | null = null;
  let bestWeight = 0;
  for (const encoding of ["br", "gzip"] as const) {
    const weight = weightOf(encoding) ?? 0;
    if (available.includes(encoding) && weight > bestWeight) {
      best = encoding;
      bestWeight = weight;
    }
  }
  // Identity is acceptable unless excluded (RFC 9110 section 12.5.3), but preferred over a coding the
  // client lists only when the client says so with a higher weight.
  const identity = weightOf("identity");
  if (best && (identity === undefined || bestWeight >= identity)) return best;
  if (identity === undefined || identity > 0) return "identity";
  return best;
}
