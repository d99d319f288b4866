/** What one upstream item may make the store keep: its other editions are bounded, with a note when cut. */
import { describe, expect, it } from "vitest";
import type { IncomingItem } from "../../src/ingest/incoming.ts";
import { MAX_EDITION_LINKS, normalizeItem } from "../../src/ingest/normalize.ts";
import { FUZZ_SITE, FUZZ_SOURCE, NOW_MS } from "./support.ts";

describe("an upstream item naming thousands of other editions", () => {
  it("keeps the first 64 and says so", () => {
    const item: IncomingItem = {
      key: "many-editions",
      url: "https://wire.example/en/1",
      baseUrl: "https://wire.example/",
      sections: [],
      title: "A story in every language",
      contentHtml: "<p>Body</p>",
      authors: [],
      tags: [],
      published: "2026-11-19T09:00:00+09:00",
      editions: Array.from({ length: 10_000 }, (_, i) => ({ url: `https://wire.example/x/${i}` })),
    };
    const normalized = normalizeItem(item, FUZZ_SOURCE, FUZZ_SITE.settings, FUZZ_SITE.siteUrl, NOW_MS);
    expect(MAX_EDITION_LINKS).toBe(64);
    expect(normalized.ok && normalized.editions).toEqual(Array.from({ length: 64 }, (_, i) => `https://wire.example/x/${i}`));
    expect(normalized.ok && normalized.notes).toContain("10000 other editions named; the first 64 are kept");
  });
});
