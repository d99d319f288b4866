/** The parts of reading real-world documents that lean on the runtime (htmlparser2, Intl.Segmenter), inside workerd. */
import { expect, it } from "vitest";
import { parseUpstream } from "../../src/ingest/formats/detect.ts";
import { deriveTitle } from "../../src/ingest/normalize-text.ts";

it("finds an article page's own text when its JSON-LD has no articleBody", () => {
  const paragraph = "The harbour wall was raised by a metre after the winter storms, the port said on Monday.";
  const page =
    `<!doctype html><html lang="en"><head><script type="application/ld+json">` +
    `{"@type":"NewsArticle","headline":"Wall raised","description":"A metre higher.","url":"https://port.example/wall"}</script></head>` +
    `<body><nav><a href="/a">A long list of sections of the site</a></nav><div class="story">${paragraph}<br><br>${paragraph}</div>` +
    `<footer><p>Copyright of the port authority, all rights reserved, no reproduction without permission.</p></footer></body></html>`;
  const document = parseUpstream(page, "text/html", "https://port.example/wall");
  expect(document.kind === "article-page" && document.item.contentHtml).toBe(`${paragraph}<br><br>${paragraph}`);
});

it("cuts a derived title between words of a language written without spaces", () => {
  const text = "本日から冬季ダイヤに変わり、日曜日の便が二便減って、最終便の出発時刻が三十分早くなりますので、ご注意ください。";
  const title = deriveTitle(text, "ja", 30);
  expect(title.endsWith("…")).toBe(true);
  expect(text.startsWith(title.slice(0, -1))).toBe(true);
  expect([...new Intl.Segmenter("ja", { granularity: "word" }).segment(text)].map((s) => s.index)).toContain(title.length - 1);
});
