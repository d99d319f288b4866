/** What one upstream item may make the store keep: its other editions are bounded, with a note when cut; its body is bounded before it is read. */
import { describe, expect, it } from "vitest";
import type { IncomingItem } from "../../src/ingest/incoming.ts";
import { MAX_EDITION_LINKS, normalizeItem } from "../../src/ingest/normalize.ts";
import { MAX_ITEM_TEXT, normalizeAll } from "../../src/ingest/reader.ts";
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

describe("an upstream item bringing megabytes of body", () => {
  const item = (key: string, body: string): IncomingItem => ({
    key,
    url: `https://wire.example/en/${key}`,
    baseUrl: "https://wire.example/",
    sections: [],
    title: `Story ${key}`,
    contentHtml: body,
    authors: [],
    tags: [],
    published: "2026-11-19T09:00:00+09:00",
    editions: [],
  });

  it("is refused with the reason before anything parses it, and the items beside it are read", () => {
    const dense = "<p><b>x</b> y</p>".repeat(Math.ceil(MAX_ITEM_TEXT / 17) + 1);
    const fits = `<p>${"word ".repeat((MAX_ITEM_TEXT - 100) / 5)}</p>`;
    const [refused, long, short] = normalizeAll(
      [item("dense", dense), item("long", fits), item("short", "<p>Body</p>")],
      FUZZ_SOURCE,
      FUZZ_SITE,
      NOW_MS,
    );
    expect(MAX_ITEM_TEXT).toBe(1_000_000);
    expect(refused).toEqual({
      ok: false,
      key: "dense",
      reason: `the item's body and summary are ${dense.length} characters, over the 1000000 read; refused`,
    });
    expect(long!.ok && long!.article.contentHtml.length).toBeGreaterThan(MAX_ITEM_TEXT - 200);
    expect(short!.ok && short!.article.title).toBe("Story short");
  });

  it("counts the summary with the body", () => {
    const half = "a".repeat(MAX_ITEM_TEXT / 2 + 1);
    const [refused] = normalizeAll([{ ...item("both", `<p>${half}</p>`), summaryText: half }], FUZZ_SOURCE, FUZZ_SITE, NOW_MS);
    expect(refused!.ok).toBe(false);
  });
});
