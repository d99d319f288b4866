/** The content folder as a source: the real sample edition, and article files that are wrong in one way each. */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSiteSettings } from "../../src/config/site.ts";
import { fnv64 } from "../../src/model/hash.ts";
import { runIngest } from "../../src/ingest/run.ts";
import type { ContentFile } from "../../src/ingest/deps.ts";
import { parseArticleFile, readContent, type ContentContext } from "../../src/ingest/sources/content-file.ts";
import { openSqliteStore } from "../../src/store/sqlite.ts";
import { CONTENT_DIR, SITE_URL, ingestDeps, loadedStore, memoryLogger, readContentDir, siteSettings } from "../helpers.ts";

const MEDIA_DIR = join(CONTENT_DIR, "media");
const realMediaSize = (name: string) => statSync(join(MEDIA_DIR, name)).size;

/**
 * Article files that are wrong on purpose, one mistake each, beside two good ones. Its site.yaml is a
 * copy of content/site.yaml; it has no media/ folder, so an image pointing into /media/ is missing.
 */
const MALFORMED_DIR = join(import.meta.dirname, "..", "fixtures", "content-malformed");

/** The context the ingest builds, over the real content/media folder, for files made in a test. */
function contentContext(siteUrl = SITE_URL): ContentContext {
  return {
    settings: siteSettings(),
    siteUrl,
    folder: "content",
    mediaSize(name) {
      try {
        return realMediaSize(name);
      } catch {
        return null;
      }
    },
  };
}

type FrontMatter = Record<string, string | undefined>;

/** Front-matter lines of a valid article, as YAML source so a test can break exactly one of them. */
const VALID_FIELDS: FrontMatter = {
  story: "assembly-budget-vote",
  title: '"Assembly passes the heatwave budget"',
  summary: '"Lawmakers approved a 9.8 trillion won extra budget."',
  posted: "2026-09-17 21:10 +09:00",
  authors: "[Yoon Ha-eun]",
};

/** An article file: the valid fields with `changes` applied (undefined removes a field), then a body. */
function articleFile(path: string, changes: FrontMatter = {}, body = "The National Assembly passed the budget.\n"): ContentFile {
  const fields = { ...VALID_FIELDS, ...changes };
  const lines = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${value}`);
  return { path, text: `---\n${lines.join("\n")}\n---\n${body}` };
}

const GOOD_FILE = articleFile("en/politics/assembly-budget-vote.md");

describe("the sample edition in content/", () => {
  it("loads all 56 articles into the store without a problem", async () => {
    const { store, report, logger } = await loadedStore();
    await store.close();
    expect(report.rejected).toEqual([]);
    expect(report.new).toBe(56);
    expect(logger.errors).toEqual([]);
  });

  it("changes nothing when loaded a second time", async () => {
    const { store, site } = await loadedStore();
    try {
      const [second] = (await runIngest(ingestDeps(store, site))).sources;
      // The 56 articles, the file marked withdrawn and the one scheduled for later.
      expect(second).toMatchObject({ source: "content", new: 0, updated: 0, unchanged: 58, withdrawn: 0, rejected: [] });
    } finally {
      await store.close();
    }
  });

  const { articles, problems } = readContentDir(CONTENT_DIR, siteSettings(), SITE_URL);

  it("reads 56 articles and no problems from the folder", () => {
    expect(problems).toEqual([]);
    expect(articles).toHaveLength(56);
  });

  it("gives every article a tag: URI id made of the site's authority, language and story only", () => {
    // Nothing of the title or of SITE_URL goes in, so neither a new headline nor a new host changes an id.
    for (const article of articles) {
      expect(article.id).toBe(`tag:hanbit.example,2026-09-01:article/${article.lang}/${article.story}`);
    }
    expect(new Set(articles.map((a) => a.id)).size).toBe(56);
  });

  it("keeps every time in the +09:00 it was written in", () => {
    for (const article of articles) {
      expect(article.published.iso).toMatch(/^2026-\d{2}-\d{2}T\d{2}:\d{2}:00\+09:00$/);
      expect(article.updated.iso).toMatch(/\+09:00$/);
      expect(article.updated.ms).toBeGreaterThanOrEqual(article.published.ms);
    }
  });

  it("gives every image an absolute URL and the byte size of the real file in content/media", () => {
    const withImages = articles.filter((a) => a.image !== null);
    expect(withImages).toHaveLength(10);
    for (const { image } of withImages) {
      const name = image!.url.slice(`${SITE_URL}/media/`.length);
      expect(image!.url).toBe(`${SITE_URL}/media/${name}`);
      expect(image!.length).toBe(realMediaSize(name));
    }
  });

  it("reads the English chip-export story as written", () => {
    const chips = articles.find((a) => a.source === "content/en/business/chip-exports-hit-record.md")!;
    expect(chips).toMatchObject({
      id: "tag:hanbit.example,2026-09-01:article/en/semiconductor-export-record",
      lang: "en",
      section: "business",
      slug: "chip-exports-hit-record",
      url: `${SITE_URL}/en/articles/chip-exports-hit-record`,
      published: { iso: "2026-10-01T10:40:00+09:00", ms: Date.UTC(2026, 9, 1, 1, 40) },
      updated: { iso: "2026-10-01T15:40:00+09:00" },
      authors: [
        { name: "Kang Min-seo", email: "minseo.kang@hanbit.example", fediverse: "@minseo@social.hanbit.example" },
        { name: "Oh Tae-yang" },
      ],
      tags: ["Semiconductors", "Exports", "AI"],
      image: {
        url: `${SITE_URL}/media/chip-fab.jpg`,
        type: "image/jpeg",
        length: 22131,
        width: 1200,
        height: 675,
        caption: "Memory for AI servers carried September's chip exports to a record $17.4 billion.",
        credit: "Illustration: Hanbit News graphics desk",
      },
    });
    expect(chips.image).not.toHaveProperty("copyright");
    expect(chips.authors[1]).not.toHaveProperty("fediverse");
  });
});

describe("parseArticleFile", () => {
  it("reads a valid file", () => {
    const article = parseArticleFile(GOOD_FILE, contentContext());
    expect(article).toMatchObject({
      id: "tag:hanbit.example,2026-09-01:article/en/assembly-budget-vote",
      lang: "en",
      section: "politics",
      slug: "assembly-budget-vote",
      story: "assembly-budget-vote",
      url: `${SITE_URL}/en/articles/assembly-budget-vote`,
      title: "Assembly passes the heatwave budget",
      authors: [{ name: "Yoon Ha-eun" }],
      tags: [],
      image: null,
      published: { iso: "2026-09-17T21:10:00+09:00" },
      updated: { iso: "2026-09-17T21:10:00+09:00" },
      source: "content/en/politics/assembly-budget-vote.md",
    });
    expect(article.contentHtml).toBe("<p>The National Assembly passed the budget.</p>");
  });

  it("reads corrections oldest first, as plain text, and moves the update time to the newest", () => {
    const file = articleFile(GOOD_FILE.path, {
      updated: "2026-09-18 08:00 +09:00",
      corrections:
        '[{ date: "2026-09-20 10:00 +09:00", text: "The vote was 151 to 120,\n  not <b>150</b> to 121." }, { date: "2026-09-19 09:30", text: "A second name." }]',
    });
    const article = parseArticleFile(file, contentContext());
    expect(article.corrections).toEqual([
      { date: { iso: "2026-09-19T09:30:00+09:00", ms: Date.parse("2026-09-19T00:30:00Z") }, text: "A second name." },
      {
        date: { iso: "2026-09-20T10:00:00+09:00", ms: Date.parse("2026-09-20T01:00:00Z") },
        text: "The vote was 151 to 120, not <b>150</b> to 121.",
      },
    ]);
    expect(article.updated.iso).toBe("2026-09-20T10:00:00+09:00");
    // A stated update later than every correction stays the update time.
    const later = parseArticleFile(
      articleFile(GOOD_FILE.path, { updated: "2026-09-21 08:00 +09:00", corrections: '[{ date: "2026-09-20 10:00 +09:00", text: A. }]' }),
      contentContext(),
    );
    expect(later.updated.iso).toBe("2026-09-21T08:00:00+09:00");
  });

  it("counts a correction in the fingerprint, and leaves the fingerprint of an article without any as it was", () => {
    const plain = parseArticleFile(GOOD_FILE, contentContext());
    const corrected = parseArticleFile(
      articleFile(GOOD_FILE.path, { corrections: '[{ date: "2026-09-18 09:00 +09:00", text: "The vote was 151 to 120." }]' }),
      contentContext(),
    );
    const emptyList = parseArticleFile(articleFile(GOOD_FILE.path, { corrections: "[]" }), contentContext());
    expect(corrected.fingerprint).not.toBe(plain.fingerprint);
    expect(emptyList.fingerprint).toBe(plain.fingerprint);
    // The fingerprint articles stored before corrections existed were written with: no update time moves on upgrade.
    const fold = (s: string) => s.replace(/\s+/g, " ").trim();
    const before = fnv64(
      JSON.stringify([
        fold(plain.title),
        fold(plain.summary),
        fold(plain.contentHtml.replace(/>\s+</g, "><")),
        null,
        [["Yoon Ha-eun", null, null]],
        [],
      ]),
    );
    expect(plain.fingerprint).toBe(before);
  });

  it("reads a time without an offset in the site's zone, Asia/Seoul", () => {
    const article = parseArticleFile(articleFile(GOOD_FILE.path, { posted: "2026-09-17 21:10" }), contentContext());
    expect(article.published).toEqual({ iso: "2026-09-17T21:10:00+09:00", ms: Date.UTC(2026, 8, 17, 12, 10) });
  });

  it("keeps the id when the title or the site URL changes, while the url follows the site", () => {
    const original = parseArticleFile(GOOD_FILE, contentContext("https://news.example"));
    const retitled = parseArticleFile(articleFile(GOOD_FILE.path, { title: '"Budget passes after all-night session"' }), contentContext());
    const moved = parseArticleFile(GOOD_FILE, contentContext("http://localhost:8787"));

    expect(retitled.title).not.toBe(original.title);
    expect(retitled.id).toBe(original.id);
    expect(moved.id).toBe(original.id);
    expect(moved.url).toBe("http://localhost:8787/en/articles/assembly-budget-vote");
  });

  it("cleans text once, at ingest: NFC, no control characters, raw HTML of the body shown as text", () => {
    const file = articleFile(
      GOOD_FILE.path,
      { title: '"\u1112\u1161\u11AB\u1100\u1161\u11BC \u0007 budget"' },
      "Line one\nline two\u0000 [vote record](/en/articles/roll-call)\n\nA <b>bold</b> claim\n",
    );
    const article = parseArticleFile(file, contentContext());
    expect(article.title).toBe("한강 budget");
    expect(article.contentHtml).toBe(
      `<p>Line one\nline two <a href="${SITE_URL}/en/articles/roll-call">vote record</a></p>\n<p>A &lt;b&gt;bold&lt;/b&gt; claim</p>`,
    );
  });

  it("reads a file saved with a byte-order mark and CRLF line ends exactly like its LF twin", () => {
    const withCrlf = { path: GOOD_FILE.path, text: `\uFEFF${GOOD_FILE.text.replace(/\n/g, "\r\n")}` };
    expect(parseArticleFile(withCrlf, contentContext())).toEqual(parseArticleFile(GOOD_FILE, contentContext()));
  });

  it("takes an explicit id field as the id", () => {
    const article = parseArticleFile(articleFile(GOOD_FILE.path, { id: "tag:hanbit.example,2024:4711" }), contentContext());
    expect(article.id).toBe("tag:hanbit.example,2024:4711");
  });

  it("takes an image from content/media with its real size and type, and an absolute URL", () => {
    const article = parseArticleFile(
      articleFile("en/business/busan-port.md", {
        image: '{ src: /media/busan-port.jpg, alt: "Cranes at Busan port", width: 1200, height: 675 }',
      }),
      contentContext(),
    );
    expect(article.image).toEqual({
      url: `${SITE_URL}/media/busan-port.jpg`,
      type: "image/jpeg",
      length: realMediaSize("busan-port.jpg"),
      width: 1200,
      height: 675,
      alt: "Cranes at Busan port",
    });
  });

  it("takes an image's caption, credit and copyright as plain one-line text, and leaves out those not given", () => {
    const image = (extra: string) =>
      parseArticleFile(
        articleFile("en/business/busan-port.md", {
          image: `{ src: /media/busan-port.jpg, alt: "Cranes at Busan port", width: 1200, height: 675${extra} }`,
        }),
        contentContext(),
      ).image!;
    const full = image(
      ', caption: "Cranes stand idle\\n  at <b>Pier 3</b> & beyond.", credit: "Photo: Lee Jun / Hanbit", copyright: "\u00A9 2026 Hanbit News"',
    );
    expect(full).toMatchObject({
      caption: "Cranes stand idle at <b>Pier 3</b> & beyond.",
      credit: "Photo: Lee Jun / Hanbit",
      copyright: "\u00A9 2026 Hanbit News",
    });
    const creditOnly = image(', credit: "Photo: Lee Jun"');
    expect(Object.keys(creditOnly).sort()).toEqual(["alt", "credit", "height", "length", "type", "url", "width"]);
  });

  it("counts an image's words and an author's fediverse handle in the fingerprint only where they are given", () => {
    const base = { image: '{ src: /media/busan-port.jpg, alt: "Cranes", width: 1200, height: 675 }' };
    const plain = parseArticleFile(articleFile(GOOD_FILE.path, base), contentContext());
    const fingerprint = (changes: FrontMatter) =>
      parseArticleFile(articleFile(GOOD_FILE.path, { ...base, ...changes }), contentContext()).fingerprint;
    const withWords = (words: string) =>
      fingerprint({ image: `{ src: /media/busan-port.jpg, alt: "Cranes", width: 1200, height: 675, ${words} }` });
    const seen = new Set([
      plain.fingerprint,
      withWords("caption: Cranes."),
      withWords("credit: Cranes."),
      withWords("copyright: Cranes."),
      withWords("caption: Cranes., credit: Lee"),
      fingerprint({ authors: '[{ name: Yoon Ha-eun, fediverse: "@haeun@social.example" }]' }),
    ]);
    expect(seen.size).toBe(6);
    // An image or author without them keeps the fingerprint it had before these fields existed.
    const fold = (s: string) => s.replace(/\s+/g, " ").trim();
    const before = fnv64(
      JSON.stringify([
        fold(plain.title),
        fold(plain.summary),
        fold(plain.contentHtml.replace(/>\s+</g, "><")),
        plain.image!.url,
        [["Yoon Ha-eun", null, null]],
        [],
      ]),
    );
    expect(plain.fingerprint).toBe(before);
  });

  it("takes an author's fediverse handle as @user@host", () => {
    const article = parseArticleFile(
      articleFile(GOOD_FILE.path, { authors: '[{ name: Yoon Ha-eun, fediverse: " @yoon.haeun@social.hanbit.example " }, Kim Do-yun]' }),
      contentContext(),
    );
    expect(article.authors).toEqual([{ name: "Yoon Ha-eun", fediverse: "@yoon.haeun@social.hanbit.example" }, { name: "Kim Do-yun" }]);
  });

  it("takes a remote image when its type and length are given", () => {
    const article = parseArticleFile(
      articleFile("en/business/remote-photo.md", {
        image: '{ src: "https://images.example/port.jpg", alt: "Port", width: 800, height: 600, type: image/jpeg, length: 48213 }',
      }),
      contentContext(),
    );
    expect(article.image).toMatchObject({ url: "https://images.example/port.jpg", type: "image/jpeg", length: 48213 });
  });
});

describe("readContent with one malformed file beside a good one", () => {
  const size = realMediaSize("chip-fab.jpg");
  const cases: { name: string; file: ContentFile; mentions: string[] }[] = [
    {
      name: "no front matter",
      file: { path: "en/politics/no-front-matter.md", text: "Just a body, no fields.\n" },
      mentions: ["front matter"],
    },
    {
      name: "front matter that is not YAML",
      file: articleFile("en/politics/bad-yaml.md", { title: '"Unclosed quote' }),
      mentions: ["front matter is not valid YAML"],
    },
    {
      name: "a missing title",
      file: articleFile("en/politics/untitled.md", { title: undefined }),
      mentions: ['field "title"'],
    },
    {
      name: "an unknown field",
      file: articleFile("en/politics/typo-field.md", { categroy: "politics" }),
      mentions: ['unknown field "categroy"'],
    },
    {
      name: "a posted time that is not a time",
      file: articleFile("en/politics/bad-posted.md", { posted: "last Tuesday" }),
      mentions: ['field "posted"', '"last Tuesday"'],
    },
    {
      name: "a posted date that does not exist",
      file: articleFile("en/politics/feb-30.md", { posted: "2026-02-30 09:00 +09:00" }),
      mentions: ['field "posted"', '"2026-02-30 09:00 +09:00"'],
    },
    {
      name: "updated before posted",
      file: articleFile("en/politics/time-travel.md", { updated: "2026-09-17 20:00 +09:00" }),
      mentions: ['field "updated"', '"posted"', "2026-09-17T20:00:00+09:00"],
    },
    {
      name: "an unknown language folder",
      file: articleFile("fr/politics/budget-vote.md"),
      mentions: ['folder "fr"', "ko, en, ja, zh-Hans"],
    },
    {
      name: "an unknown section folder",
      file: articleFile("en/sports/league-final.md"),
      mentions: ['folder "sports"', "en"],
    },
    {
      name: "a file one folder too deep",
      file: articleFile("en/politics/drafts/old-note.md"),
      mentions: ["<language>/<section>/<slug>.md"],
    },
    {
      name: "a file directly in a language folder",
      file: articleFile("en/loose-note.md"),
      mentions: ["<language>/<section>/<slug>.md"],
    },
    {
      name: "a file name that is not a slug",
      file: articleFile("en/politics/Budget_Vote.md"),
      mentions: ['file name "Budget_Vote"'],
    },
    {
      name: "an empty author list",
      file: articleFile("en/politics/no-authors.md", { authors: "[]" }),
      mentions: ['field "authors"'],
    },
    {
      name: "an image whose length is not the real file's",
      file: articleFile("en/business/wrong-length.md", {
        image: "{ src: /media/chip-fab.jpg, alt: Chips, width: 1200, height: 675, length: 20000 }",
      }),
      mentions: ["image.length", "20000", `content/media/chip-fab.jpg has ${size}`],
    },
    {
      name: "an image file that is not in content/media",
      file: articleFile("en/business/missing-image.md", {
        image: "{ src: /media/no-such-photo.jpg, alt: Nothing, width: 10, height: 10 }",
      }),
      mentions: ["image.src", "/media/no-such-photo.jpg", "content/media/"],
    },
    {
      name: "an image path that climbs out of content/media",
      file: articleFile("en/business/climbing-image.md", { image: "{ src: /media/../site.yaml, alt: Escape, width: 10, height: 10 }" }),
      mentions: ["image.src", "/media/../site.yaml"],
    },
    {
      name: "corrections that are not a list",
      file: articleFile("en/politics/corrections-text.md", { corrections: '"We fixed a typo."' }),
      mentions: ['field "corrections"', "{date, text}"],
    },
    {
      name: "a correction without its text",
      file: articleFile("en/politics/correction-no-text.md", { corrections: '[{ date: "2026-09-18 09:00 +09:00" }]' }),
      mentions: ["corrections[0].text"],
    },
    {
      name: "a correction whose date is not a time",
      file: articleFile("en/politics/correction-bad-date.md", {
        corrections: '[{ date: "2026-09-18 09:00 +09:00", text: Fine. }, { date: yesterday, text: Wrong. }]',
      }),
      mentions: ["corrections[1].date", '"yesterday"'],
    },
    {
      name: "a correction dated before the article was posted",
      file: articleFile("en/politics/correction-too-early.md", { corrections: '[{ date: "2026-09-17 21:00 +09:00", text: Early. }]' }),
      mentions: ["corrections[0].date", '"posted"', "2026-09-17T21:00:00+09:00"],
    },
    {
      name: "a correction with an unknown field",
      file: articleFile("en/politics/correction-by.md", { corrections: '[{ date: "2026-09-18 09:00 +09:00", text: A., by: Desk }]' }),
      mentions: ["corrections[0]", 'unknown field "by"'],
    },
    {
      name: "two corrections at the same time",
      file: articleFile("en/politics/correction-twice.md", {
        corrections: '[{ date: "2026-09-18 09:00 +09:00", text: A. }, { date: "2026-09-18 00:00 Z", text: B. }]',
      }),
      mentions: ['field "corrections"', "two corrections dated 2026-09-18T00:00:00+00:00", "its own time"],
    },
    ...["caption", "credit", "copyright"].flatMap((key) => [
      {
        name: `an image ${key} that is not text`,
        file: articleFile(`en/business/image-${key}-list.md`, {
          image: `{ src: /media/chip-fab.jpg, alt: Chips, width: 1200, height: 675, ${key}: [a, b] }`,
        }),
        mentions: [`image.${key}`, "non-empty string"],
      },
      {
        name: `an empty image ${key}`,
        file: articleFile(`en/business/image-${key}-empty.md`, {
          image: `{ src: /media/chip-fab.jpg, alt: Chips, width: 1200, height: 675, ${key}: "  " }`,
        }),
        mentions: [`image.${key}`, "non-empty string"],
      },
    ]),
    {
      name: "an image caption too long",
      file: articleFile("en/business/image-caption-long.md", {
        image: `{ src: /media/chip-fab.jpg, alt: Chips, width: 1200, height: 675, caption: "${"word ".repeat(250)}" }`,
      }),
      mentions: ["image.caption", "1249 characters", "at most 1000"],
    },
    {
      name: "an unknown image field",
      file: articleFile("en/business/image-photographer.md", {
        image: "{ src: /media/chip-fab.jpg, alt: Chips, width: 1200, height: 675, photographer: Lee }",
      }),
      mentions: ['image has an unknown field "photographer"'],
    },
    ...[
      "minseo@social.example",
      "@minseo",
      "@minseo@",
      "@@social.example",
      "@min seo@social.example",
      "@minseo@localhost",
      "https://social.example/@minseo",
    ].map((handle, i) => ({
      name: `a fediverse handle ${JSON.stringify(handle)}`,
      file: articleFile(`en/politics/fediverse-${i}.md`, {
        authors: `[{ name: Kang Min-seo }, { name: Oh Tae-yang, fediverse: ${JSON.stringify(handle)} }]`,
      }),
      mentions: ["authors[1].fediverse", "@user@host"],
    })),
    {
      name: "a fediverse handle that is a number",
      file: articleFile("en/politics/fediverse-number.md", { authors: "[{ name: Oh Tae-yang, fediverse: 42 }]" }),
      mentions: ["authors[0].fediverse", "@user@host"],
    },
    {
      name: "a remote image without a length",
      file: articleFile("en/business/remote-no-length.md", {
        image: '{ src: "https://images.example/port.jpg", alt: Port, width: 800, height: 600, type: image/jpeg }',
      }),
      mentions: ["image.length"],
    },
  ];

  it.each(cases)("$name: one problem naming the file and the field, and the good file still loads", ({ file, mentions }) => {
    const { articles, problems } = readContent([GOOD_FILE, file], contentContext());

    expect(articles.map((a) => a.source)).toEqual([`content/${GOOD_FILE.path}`]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe(file.path);
    expect(problems[0]!.message).toMatch(new RegExp(`^content: content/${file.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
    for (const mention of mentions) expect(problems[0]!.message).toContain(mention);
  });

  it("reports every malformed file of one batch and still loads the good ones", () => {
    const secondGood = articleFile("ko/politics/gukhoe-chugyeong-tonggwa.md");
    const { articles, problems } = readContent([...cases.map((c) => c.file), GOOD_FILE, secondGood], contentContext());

    expect(articles.map((a) => a.source).sort()).toEqual([`content/${GOOD_FILE.path}`, `content/${secondGood.path}`].sort());
    expect(problems.map((p) => p.path).sort()).toEqual(cases.map((c) => c.file.path).sort());
  });

  it("reports a second file of the same story and language as one problem naming both files", () => {
    const first = articleFile("en/politics/assembly-budget-vote.md");
    const second = articleFile("en/politics/budget-vote-late-edition.md");
    const { articles, problems } = readContent([second, first], contentContext());

    // Files are read in path order, so the earlier path keeps the story whatever order they came in.
    expect(articles.map((a) => a.source)).toEqual(["content/en/politics/assembly-budget-vote.md"]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain("content/en/politics/budget-vote-late-edition.md");
    expect(problems[0]!.message).toContain("content/en/politics/assembly-budget-vote.md");
    expect(problems[0]!.message).toContain("tag:hanbit.example,2026-09-01:article/en/assembly-budget-vote");
  });

  it("lets the same story appear once in each language", () => {
    const { articles, problems } = readContent(
      [articleFile("en/politics/assembly-budget-vote.md"), articleFile("ko/politics/gukhoe-chugyeong-tonggwa.md")],
      contentContext(),
    );
    expect(problems).toEqual([]);
    expect(articles.map((a) => a.story)).toEqual(["assembly-budget-vote", "assembly-budget-vote"]);
  });
});

describe("the content folder test/fixtures/content-malformed", () => {
  const settings = parseSiteSettings(readFileSync(join(MALFORMED_DIR, "site.yaml"), "utf8"), "content-malformed/site.yaml");
  const { articles, problems } = readContentDir(MALFORMED_DIR, settings, SITE_URL);

  it("loads the two good files, reading an offset-less time in Asia/Seoul", () => {
    expect(articles.map((a) => [a.source, a.published.iso])).toEqual([
      ["content-malformed/en/politics/night-budget-session.md", "2026-09-18T00:55:00+09:00"],
      ["content-malformed/ko/society/jeonse-pihae-sangdam.md", "2026-11-20T09:00:00+09:00"],
    ]);
  });

  it("reports each malformed file once, naming the file and what is wrong", () => {
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(Object.keys(byPath).sort()).toEqual([
      "en/business/export-figures-next-week.md",
      "en/culture/festival-poster.md",
      "en/politics/drafts/old-note.md",
      "en/sports/league-final.md",
      "fr/politics/budget-vote.md",
      "ja/society/typhoon-followup.md",
      "ko/politics/jemok-eomneun-gisa.md",
    ]);
    expect(problems).toHaveLength(7);
    for (const [path, message] of Object.entries(byPath)) expect(message).toMatch(new RegExp(`^content: content-malformed/${path}: `));
    expect(byPath["en/business/export-figures-next-week.md"]).toContain('field "posted": time "next Tuesday"');
    expect(byPath["en/culture/festival-poster.md"]).toContain(
      "image.src /media/festival-poster.jpg: no such file in content-malformed/media/",
    );
    expect(byPath["en/politics/drafts/old-note.md"]).toContain("is not at <language>/<section>/<slug>.md");
    expect(byPath["en/sports/league-final.md"]).toContain('folder "sports" is not a section of en');
    expect(byPath["fr/politics/budget-vote.md"]).toContain('folder "fr" is not a language of site.yaml');
    expect(byPath["ja/society/typhoon-followup.md"]).toContain('unknown field "categroy"');
    expect(byPath["ko/politics/jemok-eomneun-gisa.md"]).toContain('field "title" must be a non-empty string');
  });

  it("logs every problem and writes only the good files when loaded into a store", async () => {
    const store = openSqliteStore(":memory:");
    const logger = memoryLogger();
    try {
      const run = await runIngest(ingestDeps(store, { settings, siteUrl: SITE_URL }, MALFORMED_DIR, { logger }));
      expect(run.sources[0]).toMatchObject({
        source: "content",
        new: 2,
        rejected: problems.map((p) => ({ key: p.path, reason: p.message })),
      });
      expect((await store.byIds(articles.map((a) => a.id))).length).toBe(2);
      expect(logger.errors).toEqual(problems.map((p) => p.message));
      expect(logger.infos.map((line) => JSON.parse(line))).toEqual([
        {
          ingest: [
            {
              source: "content",
              status: "loaded",
              seen: 9,
              new: 2,
              updated: 0,
              unchanged: 0,
              withdrawn: 0,
              rejected: 7,
              ms: expect.any(Number),
            },
          ],
        },
      ]);
    } finally {
      await store.close();
    }
  });
});
