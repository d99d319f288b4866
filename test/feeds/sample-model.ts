/** A hand-made feed model with fixed dates, and a way to fill every text field of it with one string. */
import type { FeedModel } from "../../src/feeds/model.ts";

export function sampleModel(): FeedModel {
  const links = (lang: string) => ({
    rss: `https://news.example/${lang}/rss.xml`,
    atom: `https://news.example/${lang}/atom.xml`,
    json: `https://news.example/${lang}/feed.json`,
    html: `https://news.example/${lang}/`,
  });
  return {
    id: "tag:news.example,2023-01-01:feed/en",
    lang: "en",
    title: "The Example Daily",
    description: "News & views, <daily>",
    links: links("en"),
    alternates: [{ lang: "ko", title: "예시일보", links: links("ko") }],
    updated: { iso: "2023-09-14T10:02:00+09:00", ms: Date.parse("2023-09-14T10:02:00+09:00") },
    author: { name: "The Example Daily", email: "desk@news.example" },
    generator: { name: "hanbit-feeds", version: "0.0.0" },
    extensionDocs: "https://news.example/extensions/editions",
    mediaDocs: "https://news.example/extensions/media",
    hubs: ["https://hub.example/"],
    history: {
      archive: false,
      prevArchive: {
        ...links("en"),
        rss: "https://news.example/en/archive/2023-08/rss.xml",
        atom: "https://news.example/en/archive/2023-08/atom.xml",
        json: "https://news.example/en/archive/2023-08/feed.json",
      },
      nextPage:
        "https://news.example/en/archive/2023-09/feed.json?before=1694647800000,tag%3Anews.example%2C2023-01-01%3Aarticle%2Fen%2Fmarket",
    },
    items: [
      {
        id: "tag:news.example,2023-01-01:article/en/summit",
        url: "https://news.example/en/articles/summit",
        title: `R&D < 1%: "Summit" ends ]]> with a deal 🤝`,
        summary: "Leaders met & agreed; a <b> tag in a summary is text.",
        contentHtml: `<p>First paragraph with <a href="https://example.com/a?b=1&amp;c=2">a link</a>.</p>\n<p>]]&gt; and ]]> in content.</p>`,
        authors: [{ name: "Kim Min-ji", email: "minji@news.example" }, { name: "Editorial Board" }],
        categories: [
          { term: "politics", label: "Politics" },
          { term: "Diplomacy", label: "Diplomacy" },
        ],
        image: {
          url: "https://news.example/media/summit.jpg",
          type: "image/jpeg",
          length: 48213,
          width: 1200,
          height: 675,
          alt: `Two leaders "shake" hands`,
          caption: "The leaders at the summit's close & the start of talks <on trade>.",
          credit: "Photo: Park Ji-ho / The Example Daily",
          copyright: "© 2023 The Example Daily",
        },
        published: { iso: "2023-09-14T08:17:00+09:00", ms: Date.parse("2023-09-14T08:17:00+09:00") },
        updated: { iso: "2023-09-14T10:02:00+09:00", ms: Date.parse("2023-09-14T10:02:00+09:00") },
        editions: [{ lang: "ko", title: "정상회담 & 합의", url: "https://news.example/ko/articles/summit" }],
      },
      {
        id: "tag:news.example,2023-01-01:article/en/market",
        url: "https://news.example/en/articles/market",
        title: "Markets close higher",
        summary: "Stocks rose.",
        contentHtml: "<p>Stocks rose.</p>",
        authors: [{ name: "Lee Sora", url: "https://news.example/authors/lee-sora" }],
        categories: [{ term: "business", label: "Business" }],
        image: null,
        published: { iso: "2023-09-13T23:30:00Z", ms: Date.parse("2023-09-13T23:30:00Z") },
        updated: { iso: "2023-09-13T23:30:00Z", ms: Date.parse("2023-09-13T23:30:00Z") },
        editions: [],
      },
    ],
  };
}

/** The sample model with `text` in every free-text field (titles, summary, content, names, labels, alt). */
export function modelWithText(text: string): FeedModel {
  const model = sampleModel();
  const item = model.items[0]!;
  model.title = text;
  model.description = text;
  model.alternates[0]!.title = text;
  item.title = text;
  item.summary = text;
  item.contentHtml = text;
  item.authors = [{ name: text }];
  item.categories = [{ term: text, label: text }];
  item.image = { ...item.image!, alt: text, caption: text, credit: text, copyright: text };
  item.editions = [{ ...item.editions[0]!, title: text }];
  return model;
}
