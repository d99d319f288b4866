/**
 * Render comparison: our renderers (FORMATS[format].render) against `feedsmith` 3 and `feed` 6, each
 * fed the same format-neutral FeedModel through an adapter written here.
 *
 *   npx tsx test/bench/render.ts           full run (under 4 minutes)
 *   npx tsx test/bench/render.ts --quick   short run (under 60 seconds)
 *
 * `npm run bench` (test/bench/run.ts) runs it as its render part, through the functions exported here;
 * its generator also writes the articles of the suite's data sets.
 *
 * Part A checks correctness: strict XML 1.0 + namespaces (saxes), text read back against the model,
 * JSON Feed version, Atom xml:lang, and a feed-level date taken from the items rather than the clock.
 * Part B times model-to-string rendering with tinybench: adapters are inside the timed call (the
 * job compared is "FeedModel in, document out"), the three libraries alternate within each round,
 * and the figure reported is the median over rounds of each round's median.
 *
 * Not a vitest file (the suite includes only *.test.ts); it never fails the process on a FAIL cell.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Feed, type Item as FeedLibItem } from "feed";
import { generateAtomFeed, generateJsonFeed, generateRssFeed, type AtomFeed, type JsonFeed, type RssFeed } from "feedsmith";
import { Bench } from "tinybench";
import { FORMATS } from "../../src/feeds/formats.ts";
import type { FeedFormat, FeedItem, FeedModel } from "../../src/feeds/model.ts";
import type { Author } from "../../src/model/article.ts";
import { instantAt, type Instant } from "../../src/model/time.ts";
import { modelWithText } from "../feeds/sample-model.ts";
import { children, decodeHtmlEntities, NS, parseXml, q, XML_FORBIDDEN, type XmlElement } from "../feeds/xml-dom.ts";

const QUICK = process.argv.includes("--quick");
const ROOT = join(import.meta.dirname, "..", "..");

export const LIBS = ["ours", "feedsmith", "feed"] as const;
export type Lib = (typeof LIBS)[number];
const FORMAT_LIST: FeedFormat[] = ["rss", "atom", "json"];
const FORMAT_LABEL: Record<FeedFormat, string> = { rss: "RSS 2.0", atom: "Atom 1.0", json: "JSON Feed" };

// ---------------------------------------------------------------------------------------------------
// Seeded model generator: 4 languages, ~3 KB HTML bodies
// ---------------------------------------------------------------------------------------------------

/** mulberry32: small, fast, repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LangPack {
  tag: string;
  /** UTC offset the newsroom writes times in, minutes. */
  offset: number;
  sep: string;
  stop: string;
  words: string[];
  sections: [slug: string, label: string][];
  tags: string[];
  names: string[];
  feedTitle: string;
  description: string;
}

export const PACKS: LangPack[] = [
  {
    tag: "ko",
    offset: 540,
    sep: " ",
    stop: ".",
    words: [
      "정부는",
      "올해",
      "예산안을",
      "국회에",
      "제출했다",
      "경제",
      "성장률이",
      "지난해보다",
      "높아질",
      "전망이다",
      "서울",
      "시민들은",
      "새로운",
      "정책에",
      "대해",
      "다양한",
      "의견을",
      "밝혔다",
      "전문가들은",
      "기업의",
      "투자가",
      "늘어날",
      "것으로",
      "내다봤다",
      "지역",
      "주민",
      "교통",
      "환경",
      "기술",
      "연구진은",
      "반도체",
      "수출이",
      "회복세를",
      "보였다",
    ],
    sections: [
      ["politics", "정치"],
      ["business", "경제"],
      ["tech", "기술"],
      ["culture", "문화"],
    ],
    tags: ["국회", "예산", "반도체", "부동산", "기후", "교육", "K-팝", "R&D"],
    names: ["김민지", "이소라", "박준호", "최유진"],
    feedTitle: "한빛일보",
    description: "한빛일보 최신 기사 & 분석",
  },
  {
    tag: "en",
    offset: 0,
    sep: " ",
    stop: ".",
    words: [
      "the",
      "government",
      "submitted",
      "its",
      "budget",
      "to",
      "parliament",
      "growth",
      "is",
      "expected",
      "to",
      "rise",
      "faster",
      "than",
      "last",
      "year",
      "residents",
      "of",
      "Seoul",
      "shared",
      "views",
      "on",
      "the",
      "new",
      "policy",
      "experts",
      "said",
      "corporate",
      "investment",
      "would",
      "increase",
      "chip",
      "exports",
      "recovered",
      "researchers",
      "found",
    ],
    sections: [
      ["politics", "Politics"],
      ["business", "Business"],
      ["tech", "Technology"],
      ["culture", "Culture"],
    ],
    tags: ["Parliament", "Budget", "Semiconductors", "Housing", "Climate", "Education", "K-pop", "R&D"],
    names: ["Kim Min-ji", "Lee Sora", "Park Jun-ho", "Choi Yu-jin"],
    feedTitle: "The Hanbit Daily",
    description: "Latest news & analysis from The Hanbit Daily",
  },
  {
    tag: "ja",
    offset: 540,
    sep: "",
    stop: "。",
    words: [
      "政府は",
      "来年度の",
      "予算案を",
      "国会に",
      "提出した",
      "経済",
      "成長率が",
      "前年より",
      "高まる",
      "見通しだ",
      "東京の",
      "市民は",
      "新しい",
      "政策について",
      "様々な",
      "意見を",
      "述べた",
      "専門家は",
      "企業の",
      "投資が",
      "増えると",
      "予想している",
      "地域",
      "住民",
      "交通",
      "環境",
      "技術",
      "研究チームは",
      "半導体",
      "輸出が",
      "回復した",
    ],
    sections: [
      ["politics", "政治"],
      ["business", "経済"],
      ["tech", "テクノロジー"],
      ["culture", "文化"],
    ],
    tags: ["国会", "予算", "半導体", "住宅", "気候", "教育", "K-POP", "R&D"],
    names: ["佐藤花子", "鈴木一郎", "高橋美咲", "田中健"],
    feedTitle: "ハンビット日報",
    description: "ハンビット日報の最新ニュース＆分析",
  },
  {
    tag: "zh-Hans",
    offset: 480,
    sep: "",
    stop: "。",
    words: [
      "政府",
      "今年",
      "向议会",
      "提交了",
      "预算案",
      "经济",
      "增长率",
      "比去年",
      "有望",
      "提高",
      "北京",
      "市民",
      "对新",
      "政策",
      "表达了",
      "不同",
      "意见",
      "专家",
      "认为",
      "企业",
      "投资",
      "将会",
      "增加",
      "地区",
      "居民",
      "交通",
      "环境",
      "技术",
      "研究团队",
      "芯片",
      "出口",
      "回暖",
    ],
    sections: [
      ["politics", "政治"],
      ["business", "经济"],
      ["tech", "科技"],
      ["culture", "文化"],
    ],
    tags: ["议会", "预算", "半导体", "住房", "气候", "教育", "韩流", "R&D"],
    names: ["王伟", "李娜", "张敏", "刘洋"],
    feedTitle: "韩光日报",
    description: "韩光日报最新新闻与分析",
  },
];

const packOf = (tag: string) => PACKS.find((p) => p.tag === tag)!;

function feedLinksFor(lang: string) {
  const base = `https://news.example/${lang}/`;
  return { rss: `${base}rss.xml`, atom: `${base}atom.xml`, json: `${base}feed.json`, html: base };
}

export function makeWriter(rand: () => number) {
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const words = (pack: LangPack, min: number, max: number) => {
    const out: string[] = [];
    for (let n = int(min, max); n > 0; n--) out.push(pick(pack.words));
    return out;
  };
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const sentence = (pack: LangPack) => capital(words(pack, 6, 14).join(pack.sep)) + pack.stop;
  const title = (pack: LangPack) => {
    let t = capital(words(pack, 4, 8).join(pack.sep));
    const r = rand();
    // Some titles carry the characters escaping has to get right.
    if (r < 0.15) t += ` & ${pick(pack.tags)}`;
    else if (r < 0.25) t = `"${t}"`;
    else if (r < 0.3) t += " <2%";
    return t;
  };
  return { int, pick, words, sentence, title };
}

export function htmlBody(w: ReturnType<typeof makeWriter>, pack: LangPack, slug: string): string {
  const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const parts: string[] = [];
  let bytes = 0;
  let paragraph = 0;
  while (bytes < 3000) {
    let html: string;
    if (paragraph === 2) {
      html = `<figure><img src="https://news.example/media/${slug}-${paragraph}.jpg" alt="${escapeText(w.sentence(pack)).replace(/"/g, "&quot;")}" width="1200" height="675"><figcaption>${escapeText(w.sentence(pack))}</figcaption></figure>`;
    } else if (paragraph === 4) {
      html = `<blockquote><p>${escapeText(w.sentence(pack))}</p></blockquote>`;
    } else {
      const sentences: string[] = [];
      for (let n = w.int(2, 4); n > 0; n--) {
        const s = escapeText(w.sentence(pack));
        const r = w.int(0, 5);
        if (r === 0)
          sentences.push(`<a href="https://news.example/${pack.tag}/articles/${slug}-ref?utm_source=feed&amp;utm_medium=rss">${s}</a>`);
        else if (r === 1) sentences.push(`<strong>${s}</strong>`);
        else if (r === 2) sentences.push(`<em>${s}</em> R&amp;D`);
        else sentences.push(s);
      }
      html = `<p>${sentences.join(pack.sep || " ")}</p>`;
    }
    parts.push(html);
    bytes += Buffer.byteLength(html) + 1;
    paragraph++;
  }
  return parts.join("\n");
}

/**
 * A feed of `count` articles in `lang`, newest first; with `mixed`, item i is written in
 * PACKS[i % 4]'s language (a stress mix of scripts for the timing run).
 */
export function generateModel(lang: string, count: number, seed: number, mixed = false): FeedModel {
  const rand = seededRandom(seed);
  const w = makeWriter(rand);
  const feedPack = packOf(lang);
  const base = Date.UTC(2024, 2, 1, 0, 0, 0);
  const items: FeedItem[] = [];
  let when = base;
  for (let i = 0; i < count; i++) {
    const pack = mixed ? PACKS[i % PACKS.length]! : feedPack;
    const slug = `story-${seed}-${count - i}`;
    when -= w.int(7, 180) * 60_000;
    const published = instantAt(when, pack.offset);
    const updated = rand() < 0.4 ? instantAt(when + w.int(5, 48 * 60) * 60_000, pack.offset) : published;
    const [sectionSlug, sectionLabel] = w.pick(pack.sections);
    const tags = new Set<string>();
    for (let n = w.int(1, 3); n > 0; n--) tags.add(w.pick(pack.tags));
    const authors: Author[] = [];
    const names = new Set<string>();
    for (let n = w.int(1, 2); n > 0; n--) names.add(w.pick(pack.names));
    for (const name of names) {
      const r = rand();
      authors.push(
        r < 0.4
          ? { name, email: `desk+${authors.length}@news.example` }
          : r < 0.7
            ? { name, url: `https://news.example/authors/${encodeURIComponent(name)}` }
            : { name },
      );
    }
    const image =
      rand() < 0.7
        ? {
            url: `https://news.example/media/${slug}.jpg`,
            type: "image/jpeg",
            length: w.int(20_000, 400_000),
            width: 1200,
            height: 675,
            alt: w.sentence(pack),
          }
        : null;
    items.push({
      id: `tag:news.example,2023-01-01:article/${pack.tag}/${slug}`,
      url: `https://news.example/${pack.tag}/articles/${slug}`,
      title: w.title(pack),
      summary: w.sentence(pack),
      contentHtml: htmlBody(w, pack, slug),
      authors,
      categories: [{ term: sectionSlug, label: sectionLabel }, ...[...tags].map((t) => ({ term: t, label: t }))],
      image,
      published,
      updated,
      editions: PACKS.filter((p) => p.tag !== pack.tag).map((p) => ({
        lang: p.tag,
        title: w.title(p),
        url: `https://news.example/${p.tag}/articles/${slug}`,
      })),
    });
  }
  let newest: Instant = items[0]!.updated;
  for (const item of items) if (item.updated.ms > newest.ms) newest = item.updated;
  return {
    id: `tag:news.example,2023-01-01:feed/${lang}`,
    lang,
    title: feedPack.feedTitle,
    description: feedPack.description,
    links: feedLinksFor(lang),
    alternates: PACKS.filter((p) => p.tag !== lang).map((p) => ({ lang: p.tag, title: p.feedTitle, links: feedLinksFor(p.tag) })),
    updated: newest,
    author: { name: feedPack.feedTitle, email: "desk@news.example", url: "https://news.example/" },
    generator: { name: "hanbit-feeds", version: "0.1.0" },
    extensionDocs: "https://news.example/extensions/editions",
    mediaDocs: "https://news.example/extensions/media",
    hubs: [],
    history: { archive: false },
    items,
  };
}

// ---------------------------------------------------------------------------------------------------
// Adapters: FeedModel -> each library's input, carrying as much of the model as the library can
// ---------------------------------------------------------------------------------------------------

/** Plain text as HTML, for the places the formats define as HTML (RSS description, Atom type="html"). */
const textToHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const toDate = (instant: Instant) => new Date(instant.ms);

function feedsmithRss(m: FeedModel): string {
  const feed: RssFeed.Feed<Date> = {
    title: m.title,
    link: m.links.html,
    description: m.description,
    language: m.lang,
    lastBuildDate: toDate(m.updated),
    docs: "https://www.rssboard.org/rss-specification",
    generator: `${m.generator.name} ${m.generator.version}`,
    atom: {
      links: [
        { rel: "self", type: "application/rss+xml", href: m.links.rss },
        ...m.alternates.map((a) => ({
          rel: "alternate",
          type: "application/rss+xml",
          hreflang: a.lang,
          title: a.title,
          href: a.links.rss,
        })),
      ],
    },
    items: m.items.map((item): RssFeed.Item<Date> => {
      const image = item.image;
      return {
        title: item.title,
        link: item.url,
        description: textToHtml(item.summary),
        content: { encoded: item.contentHtml },
        dc: { creators: item.authors.map((a) => a.name) },
        categories: item.categories.map((c) => ({ name: c.label })),
        guid: { value: item.id, isPermaLink: item.id === item.url },
        pubDate: toDate(item.published),
        ...(image && {
          enclosures: [{ url: image.url, length: image.length, type: image.type }],
          media: {
            contents: [
              {
                url: image.url,
                type: image.type,
                medium: "image",
                width: image.width,
                height: image.height,
                fileSize: image.length,
                description: { value: image.alt, type: "plain" },
              },
            ],
          },
        }),
        ...(item.editions.length > 0 && {
          atom: {
            links: item.editions.map((e) => ({ rel: "alternate", type: "text/html", hreflang: e.lang, title: e.title, href: e.url })),
          },
        }),
      };
    }),
  };
  return generateRssFeed(feed);
}

const feedsmithPerson = (a: Author): AtomFeed.Person => ({
  name: a.name,
  ...(a.email && { email: a.email }),
  ...(a.url && { uri: a.url }),
});

function feedsmithAtom(m: FeedModel): string {
  const feed: AtomFeed.Feed<Date> = {
    id: m.id,
    title: { value: m.title, type: "text" },
    subtitle: { value: m.description, type: "text" },
    updated: toDate(m.updated),
    xml: { lang: m.lang },
    links: [
      { rel: "self", type: "application/atom+xml", href: m.links.atom },
      { rel: "alternate", type: "text/html", hreflang: m.lang, href: m.links.html },
      ...m.alternates.map((a) => ({
        rel: "alternate",
        type: "application/atom+xml",
        hreflang: a.lang,
        title: a.title,
        href: a.links.atom,
      })),
    ],
    authors: [feedsmithPerson(m.author)],
    generator: { text: m.generator.name, version: m.generator.version },
    entries: m.items.map((item): AtomFeed.Entry<Date> => {
      const image = item.image;
      return {
        id: item.id,
        title: { value: item.title, type: "text" },
        links: [
          { rel: "alternate", type: "text/html", hreflang: m.lang, href: item.url },
          ...item.editions.map((e) => ({ rel: "alternate", type: "text/html", hreflang: e.lang, title: e.title, href: e.url })),
          ...(image ? [{ rel: "enclosure", type: image.type, length: image.length, href: image.url }] : []),
        ],
        published: toDate(item.published),
        updated: toDate(item.updated),
        authors: item.authors.map(feedsmithPerson),
        categories: item.categories.map((c) => (c.term === c.label ? { term: c.term } : { term: c.term, label: c.label })),
        summary: { value: item.summary, type: "text" },
        content: { value: item.contentHtml, type: "html" },
        ...(image && {
          media: {
            contents: [
              {
                url: image.url,
                type: image.type,
                medium: "image",
                width: image.width,
                height: image.height,
                fileSize: image.length,
                description: { value: image.alt, type: "plain" },
              },
            ],
          },
        }),
      };
    }),
  };
  return generateAtomFeed(feed);
}

const jsonAuthor = (a: Author): JsonFeed.Author => (a.url ? { name: a.name, url: a.url } : { name: a.name });

function feedsmithJson(m: FeedModel): string {
  // feedsmith copies unknown keys through, so the `_editions` extension rides along.
  const feed = {
    title: m.title,
    home_page_url: m.links.html,
    feed_url: m.links.json,
    description: m.description,
    language: m.lang,
    authors: [jsonAuthor(m.author)],
    _editions: {
      about: m.extensionDocs,
      feeds: m.alternates.map((a) => ({ language: a.lang, title: a.title, feed_url: a.links.json, home_page_url: a.links.html })),
    },
    items: m.items.map((item) => ({
      id: item.id,
      url: item.url,
      title: item.title,
      content_html: item.contentHtml,
      summary: item.summary,
      ...(item.image && { image: item.image.url }),
      date_published: toDate(item.published),
      date_modified: toDate(item.updated),
      authors: item.authors.map(jsonAuthor),
      tags: item.categories.map((c) => c.label),
      ...(item.editions.length > 0 && {
        _editions: { about: m.extensionDocs, articles: item.editions.map((e) => ({ language: e.lang, title: e.title, url: e.url })) },
      }),
    })),
  };
  const typed: JsonFeed.Feed<Date> = feed;
  return `${JSON.stringify(generateJsonFeed(typed), null, 2)}\n`;
}

/**
 * `feed` extensions are xml-js "compact" objects written under the given element name (RSS only;
 * atom1() ignores them). An array there writes one element per entry.
 */
const xmlJsList = (list: unknown[]) => list as unknown as Record<string, unknown>;
/**
 * xml-js writes extension attribute values as given apart from `"`, so the adapter escapes `&` and `<`
 * itself (the native fields get whatever `feed` does with them).
 */
const xmlJsAttr = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function feedLibBase(m: FeedModel, self: "rss" | "atom" | "json"): Feed {
  return new Feed({
    id: m.id,
    title: m.title,
    description: m.description,
    link: m.links.html,
    language: m.lang,
    updated: toDate(m.updated),
    generator: `${m.generator.name} ${m.generator.version}`,
    docs: "https://www.rssboard.org/rss-specification",
    feedLinks: { [self]: m.links[self] },
    author: { name: m.author.name, ...(m.author.email && { email: m.author.email }), ...(m.author.url && { link: m.author.url }) },
  });
}

export function feedLibRss(m: FeedModel): string {
  const feed = feedLibBase(m, "rss");
  // Replaces the channel's atom:link list (self, which also makes `feed` declare xmlns:atom) with
  // self + the other languages' feeds.
  feed.addExtension({
    name: "atom:link",
    objects: xmlJsList([
      { _attributes: { href: xmlJsAttr(m.links.rss), rel: "self", type: "application/rss+xml" } },
      ...m.alternates.map((a) => ({
        _attributes: {
          rel: "alternate",
          type: "application/rss+xml",
          hreflang: a.lang,
          title: xmlJsAttr(a.title),
          href: xmlJsAttr(a.links.rss),
        },
      })),
    ]),
  });
  for (const item of m.items) {
    const entry: FeedLibItem = {
      title: item.title,
      id: item.id,
      link: item.url,
      date: toDate(item.updated),
      published: toDate(item.published),
      description: textToHtml(item.summary),
      content: item.contentHtml,
      category: item.categories.map((c) => ({ name: c.label })),
      // dc:creator rather than <author> (which RSS reserves for an e-mail address); content:encoded
      // makes `feed` declare xmlns:dc. No media:content: `feed` cannot declare xmlns:media.
      extensions: [
        { name: "dc:creator", objects: xmlJsList(item.authors.map((a) => ({ _text: a.name }))) },
        ...(item.editions.length > 0
          ? [
              {
                name: "atom:link",
                objects: xmlJsList(
                  item.editions.map((e) => ({
                    _attributes: {
                      rel: "alternate",
                      type: "text/html",
                      hreflang: e.lang,
                      title: xmlJsAttr(e.title),
                      href: xmlJsAttr(e.url),
                    },
                  })),
                ),
              },
            ]
          : []),
      ],
    };
    if (item.image) entry.enclosure = { url: item.image.url, type: item.image.type, length: item.image.length };
    feed.addItem(entry);
  }
  return feed.rss2();
}

export function feedLibAtom(m: FeedModel): string {
  const feed = feedLibBase(m, "atom");
  for (const item of m.items) {
    const entry: FeedLibItem = {
      // atom1() writes title and summary as type="html".
      title: textToHtml(item.title),
      id: item.id,
      link: item.url,
      date: toDate(item.updated),
      published: toDate(item.published),
      description: textToHtml(item.summary),
      content: item.contentHtml,
      author: item.authors.map((a) => ({ name: a.name, ...(a.email && { email: a.email }), ...(a.url && { link: a.url }) })),
      category: item.categories.map((c) => ({ term: c.term, name: c.label })),
    };
    if (item.image) entry.enclosure = { url: item.image.url, type: item.image.type, length: item.image.length };
    feed.addItem(entry);
  }
  return feed.atom1();
}

export function feedLibJson(m: FeedModel): string {
  const feed = feedLibBase(m, "json");
  feed.addExtension({
    name: "_editions",
    objects: {
      about: m.extensionDocs,
      feeds: m.alternates.map((a) => ({ language: a.lang, title: a.title, feed_url: a.links.json, home_page_url: a.links.html })),
    },
  });
  for (const item of m.items) {
    const entry: FeedLibItem = {
      title: item.title,
      id: item.id,
      link: item.url,
      date: toDate(item.updated),
      published: toDate(item.published),
      description: item.summary,
      content: item.contentHtml,
      author: item.authors.map((a) => ({ name: a.name, ...(a.url && { link: a.url }) })),
      category: item.categories.map((c) => ({ name: c.label })),
    };
    if (item.image) entry.image = item.image.url;
    if (item.editions.length > 0) {
      entry.extensions = [
        {
          name: "_editions",
          objects: { about: m.extensionDocs, articles: item.editions.map((e) => ({ language: e.lang, title: e.title, url: e.url })) },
        },
      ];
    }
    feed.addItem(entry);
  }
  return feed.json1();
}

export const RENDER: Record<Lib, Record<FeedFormat, (m: FeedModel) => string>> = {
  ours: { rss: (m) => FORMATS.rss.render(m), atom: (m) => FORMATS.atom.render(m), json: (m) => FORMATS.json.render(m) },
  feedsmith: { rss: feedsmithRss, atom: feedsmithAtom, json: feedsmithJson },
  feed: { rss: feedLibRss, atom: feedLibAtom, json: feedLibJson },
};

// ---------------------------------------------------------------------------------------------------
// Reading documents back into comparable fields
// ---------------------------------------------------------------------------------------------------

/** Field values by key (`feed.title`, `item[3].authors`): strings, numbers, lists and records. */
type Fields = Map<string, unknown>;

/** Fields holding text or URLs the model supplied: what the text round-trip compares. */
const TEXT_GROUPS = new Set([
  "feed.title",
  "feed.description",
  "feed.self",
  "feed.alternates",
  "feed.author",
  "item.id",
  "item.url",
  "item.title",
  "item.summary",
  "item.content",
  "item.authors",
  "item.categories",
  "item.image",
  "item.alt",
  "item.editions",
]);
const groupOf = (key: string) => key.replace(/\[\d+\]/, "");

/** What each format can hold of the model (the information our renderer writes), with `carry` applied to text. */
function expectedFields(m: FeedModel, format: FeedFormat, carry: (s: string) => string): Fields {
  const f: Fields = new Map();
  const set = (key: string, value: unknown) => f.set(key, value);
  const self = m.links[format];
  set("feed.title", carry(m.title));
  set("feed.description", carry(m.description));
  set("feed.lang", m.lang);
  set("feed.self", carry(self));
  set(
    "feed.alternates",
    m.alternates.map((a) => ({ lang: a.lang, title: carry(a.title), href: carry(a.links[format]) })),
  );
  if (format !== "json") set("feed.updated", Math.max(...m.items.map((i) => i.updated.ms)));
  if (format !== "rss") set("feed.author", carry(m.author.name));
  m.items.forEach((item, i) => {
    const k = (name: string) => `item[${i}].${name}`;
    set(k("id"), carry(item.id));
    set(k("url"), carry(item.url));
    set(k("title"), carry(item.title));
    set(k("summary"), carry(item.summary));
    set(k("content"), carry(item.contentHtml));
    set(
      k("authors"),
      item.authors.map((a) => carry(a.name)),
    );
    set(
      k("categories"),
      item.categories.map((c) => carry(c.label)),
    );
    if (item.image) {
      set(k("image"), carry(item.image.url));
      if (format !== "json") {
        set(k("enclosure"), `${item.image.type} ${item.image.length}`);
        set(k("alt"), carry(item.image.alt));
      }
    }
    if (item.editions.length > 0)
      set(
        k("editions"),
        item.editions.map((e) => ({ lang: e.lang, title: carry(e.title), url: carry(e.url) })),
      );
    set(k("published"), item.published.ms);
    if (format !== "rss") set(k("updated"), item.updated.ms);
    if (format === "rss") set(k("permalink"), String(item.id === item.url));
  });
  return f;
}

const first = (el: XmlElement | undefined, name: string) => (el ? children(el, name)[0] : undefined);
const dateField = (text: string | undefined) => (text === undefined ? undefined : Date.parse(text.trim()));

function putAll(f: Fields, entries: [string, unknown][]) {
  for (const [key, value] of entries) if (value !== undefined) f.set(key, value);
}

function readRss(xml: string): Fields {
  const f: Fields = new Map();
  const root = parseXml(xml);
  const channel = first(root, q("", "channel"));
  if (!channel) return f;
  const atomLinks = (el: XmlElement) => children(el, q(NS.atom, "link"));
  const self = atomLinks(channel).find((l) => l.attributes.rel === "self");
  const alternates = atomLinks(channel).filter((l) => l.attributes.rel === "alternate");
  putAll(f, [
    ["feed.title", first(channel, q("", "title"))?.text],
    ["feed.description", first(channel, q("", "description"))?.text],
    ["feed.lang", first(channel, q("", "language"))?.text],
    ["feed.self", self?.attributes.href],
    [
      "feed.alternates",
      alternates.length
        ? alternates.map((l) => ({ lang: l.attributes.hreflang, title: l.attributes.title, href: l.attributes.href }))
        : undefined,
    ],
    ["feed.updated", dateField(first(channel, q("", "lastBuildDate"))?.text)],
  ]);
  children(channel, q("", "item")).forEach((item, i) => {
    const k = (name: string) => `item[${i}].${name}`;
    const creators = children(item, q(NS.dc, "creator")).map((c) => c.text);
    // <author> is "email (name)" in RSS; `feed` and feedsmith write it that way when given both.
    const authors = creators.length
      ? creators
      : children(item, q("", "author")).map((a) => /^\S+@\S+ \((.*)\)$/s.exec(a.text)?.[1] ?? a.text);
    const guid = first(item, q("", "guid"));
    const enclosure = first(item, q("", "enclosure"));
    const media = first(item, q(NS.media, "content"));
    const editions = atomLinks(item).filter((l) => l.attributes.rel === "alternate");
    const description = first(item, q("", "description"))?.text;
    putAll(f, [
      [k("id"), guid?.text],
      [k("permalink"), guid ? (guid.attributes.isPermaLink ?? "true") : undefined],
      [k("url"), first(item, q("", "link"))?.text],
      [k("title"), first(item, q("", "title"))?.text],
      [k("summary"), description === undefined ? undefined : decodeHtmlEntities(description)],
      [k("content"), first(item, q(NS.content, "encoded"))?.text],
      [k("authors"), authors.length ? authors : undefined],
      [k("categories"), children(item, q("", "category")).map((c) => c.text)],
      [k("image"), enclosure?.attributes.url ?? media?.attributes.url],
      [k("enclosure"), enclosure ? `${enclosure.attributes.type} ${enclosure.attributes.length}` : undefined],
      [k("alt"), first(media, q(NS.media, "description"))?.text],
      [
        k("editions"),
        editions.length
          ? editions.map((l) => ({ lang: l.attributes.hreflang, title: l.attributes.title, url: l.attributes.href }))
          : undefined,
      ],
      [k("published"), dateField(first(item, q("", "pubDate"))?.text)],
    ]);
  });
  return f;
}

/** An Atom text construct as the text it stands for. */
const atomText = (el: XmlElement | undefined) =>
  el === undefined ? undefined : el.attributes.type === "html" ? decodeHtmlEntities(el.text) : el.text;

function readAtom(xml: string): Fields & { lang?: string } {
  const f: Fields & { lang?: string } = new Map();
  const feed = parseXml(xml);
  const a = (name: string) => q(NS.atom, name);
  const links = children(feed, a("link"));
  const alternates = links.filter((l) => l.attributes.rel === "alternate" && l.attributes.type === "application/atom+xml");
  const lang = feed.attributes[`{${NS.xml}}lang`];
  if (lang !== undefined) f.lang = lang;
  putAll(f, [
    ["feed.title", atomText(first(feed, a("title")))],
    ["feed.description", atomText(first(feed, a("subtitle")))],
    ["feed.lang", lang],
    ["feed.self", links.find((l) => l.attributes.rel === "self")?.attributes.href],
    [
      "feed.alternates",
      alternates.length
        ? alternates.map((l) => ({ lang: l.attributes.hreflang, title: l.attributes.title, href: l.attributes.href }))
        : undefined,
    ],
    ["feed.updated", dateField(first(feed, a("updated"))?.text)],
    ["feed.author", first(first(feed, a("author")), a("name"))?.text],
  ]);
  children(feed, a("entry")).forEach((entry, i) => {
    const k = (name: string) => `item[${i}].${name}`;
    const entryLinks = children(entry, a("link"));
    const alternate = entryLinks.filter((l) => (l.attributes.rel ?? "alternate") === "alternate");
    const enclosure = entryLinks.find((l) => l.attributes.rel === "enclosure");
    const media = first(entry, q(NS.media, "content"));
    const categories = children(entry, a("category")).map((c) => c.attributes.label ?? c.attributes.term);
    putAll(f, [
      [k("id"), first(entry, a("id"))?.text],
      [k("url"), alternate[0]?.attributes.href],
      [k("title"), atomText(first(entry, a("title")))],
      [k("summary"), atomText(first(entry, a("summary")))],
      [k("content"), first(entry, a("content"))?.text],
      [k("authors"), children(entry, a("author")).map((p) => first(p, a("name"))?.text)],
      [k("categories"), categories],
      [k("image"), enclosure?.attributes.href ?? media?.attributes.url],
      [k("enclosure"), enclosure ? `${enclosure.attributes.type} ${enclosure.attributes.length}` : undefined],
      [k("alt"), first(media, q(NS.media, "description"))?.text],
      [
        k("editions"),
        alternate.length > 1
          ? alternate.slice(1).map((l) => ({ lang: l.attributes.hreflang, title: l.attributes.title, url: l.attributes.href }))
          : undefined,
      ],
      [k("published"), dateField(first(entry, a("published"))?.text)],
      [k("updated"), dateField(first(entry, a("updated"))?.text)],
    ]);
  });
  return f;
}

interface JsonDoc {
  version?: string;
  title?: string;
  description?: string;
  language?: string;
  feed_url?: string;
  authors?: { name?: string }[];
  author?: { name?: string };
  _editions?: { feeds?: { language?: string; title?: string; feed_url?: string }[] };
  items?: {
    id?: string;
    url?: string;
    title?: string;
    summary?: string;
    content_html?: string;
    image?: string;
    date_published?: string;
    date_modified?: string;
    tags?: string[];
    authors?: { name?: string }[];
    author?: { name?: string };
    _editions?: { articles?: { language?: string; title?: string; url?: string }[] };
  }[];
}

function readJson(text: string): Fields & { version?: string } {
  const f: Fields & { version?: string } = new Map();
  const doc = JSON.parse(text) as JsonDoc;
  if (doc.version !== undefined) f.version = doc.version;
  putAll(f, [
    ["feed.title", doc.title],
    ["feed.description", doc.description],
    ["feed.lang", doc.language],
    ["feed.self", doc.feed_url],
    ["feed.alternates", doc._editions?.feeds?.map((a) => ({ lang: a.language, title: a.title, href: a.feed_url }))],
    ["feed.author", doc.authors?.[0]?.name ?? doc.author?.name],
  ]);
  (doc.items ?? []).forEach((item, i) => {
    const k = (name: string) => `item[${i}].${name}`;
    putAll(f, [
      [k("id"), item.id],
      [k("url"), item.url],
      [k("title"), item.title],
      [k("summary"), item.summary],
      [k("content"), item.content_html],
      [k("authors"), item.authors?.map((p) => p.name) ?? (item.author ? [item.author.name] : undefined)],
      [k("categories"), item.tags],
      [k("image"), item.image],
      [k("editions"), item._editions?.articles?.map((e) => ({ lang: e.language, title: e.title, url: e.url }))],
      [k("published"), dateField(item.date_published)],
      [k("updated"), dateField(item.date_modified)],
    ]);
  });
  return f;
}

// ---------------------------------------------------------------------------------------------------
// Part A: correctness
// ---------------------------------------------------------------------------------------------------

/** What an XML document can carry of a string: every character but those XML 1.0 forbids. */
const xmlCarried = (s: string) => s.replace(XML_FORBIDDEN, "");
const identity = (s: string) => s;

/** XML 1.0's Char production excludes surrogates; saxes 6 does not check for unpaired ones, so this does. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * How a value read back matches the model's: exactly, only after trimming white space the library
 * added at either end of a string (feedsmith's pretty-printer indents CDATA sections), or not.
 */
type Match = "exact" | "trim" | "no";
const worst = (matches: Match[]): Match => (matches.includes("no") ? "no" : matches.includes("trim") ? "trim" : "exact");
const best = (a: Match, b: Match): Match => (a === "exact" || b === "exact" ? "exact" : a === "trim" || b === "trim" ? "trim" : "no");

function match(expected: unknown, got: unknown): Match {
  if (typeof expected === "string") {
    if (typeof got !== "string") return "no";
    return got === expected ? "exact" : got.trim() === expected.trim() ? "trim" : "no";
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(got) || got.length !== expected.length) return "no";
    return worst(expected.map((e, i) => match(e, got[i])));
  }
  if (expected !== null && typeof expected === "object") {
    if (got === null || typeof got !== "object") return "no";
    return worst(Object.entries(expected).map(([k, v]) => match(v, (got as Record<string, unknown>)[k])));
  }
  return got === expected ? "exact" : "no";
}

interface Outcome {
  ok: boolean;
  /** Short cell text. */
  cell: string;
  detail?: string;
}

const clip = (value: unknown, n = 70) => {
  if (value === undefined) return "(absent)";
  const shown = JSON.stringify(value);
  return shown.length > n ? `${shown.slice(0, n)}…` : shown;
};

/** Where the model's fields and the document's disagree, over the field groups in `only` (all if absent). */
function compare(expected: Fields, alternative: Fields | undefined, actual: Fields, only?: Set<string>) {
  const mismatches: string[] = [];
  const absent: string[] = [];
  let trimmed = 0;
  for (const [key, value] of expected) {
    if (only && !only.has(groupOf(key))) continue;
    const got = actual.get(key);
    if (got === undefined) {
      absent.push(key);
      continue;
    }
    const m = alternative ? best(match(value, got), match(alternative.get(key), got)) : match(value, got);
    if (m === "no") mismatches.push(`${key}: expected ${clip(value)} got ${clip(got)}`);
    else if (m === "trim") trimmed++;
  }
  return { mismatches, absent, trimmed };
}

type Parsed = { fields: Fields; lang?: string; version?: string };

function renderAndRead(
  lib: Lib,
  format: FeedFormat,
  model: FeedModel,
): { output?: string; parsed?: Parsed; error?: string; malformed?: string } {
  let output: string;
  try {
    output = RENDER[lib][format](model);
  } catch (error) {
    return { error: `throws: ${(error as Error).message.split("\n")[0]}` };
  }
  try {
    if (format === "json") {
      const fields = readJson(output);
      return { output, parsed: { fields, ...(fields.version !== undefined && { version: fields.version }) } };
    }
    const fields = format === "rss" ? readRss(output) : readAtom(output);
    const lone = LONE_SURROGATE.exec(output);
    if (lone) {
      const unit = lone[0].charCodeAt(0).toString(16).toUpperCase();
      return {
        output,
        malformed: `unpaired surrogate U+${unit} at offset ${lone.index} (not an XML 1.0 Char, not encodable as UTF-8; saxes 6 lets it pass)`,
      };
    }
    const lang = (fields as { lang?: string }).lang;
    return { output, parsed: { fields, ...(lang !== undefined && { lang }) } };
  } catch (error) {
    return { output, malformed: (error as Error).message.split("\n")[0] };
  }
}

interface TrickyCase {
  label: string;
  text: string;
  /** Also put `?a=1&b=2` in every URL of the model. */
  urls?: boolean;
}

const TRICKY: TrickyCase[] = [
  { label: "U+0008 control", text: "Bell\u0008 rings" },
  { label: "U+001B escape", text: "Colour \u001B[31mred\u001B[0m text" },
  { label: "lone U+D800", text: "Half \uD800 a pair" },
  { label: "]]> twice", text: "<p>one ]]> two ]]> three</p>" },
  { label: `attr & < " + URL ?a=1&b=2`, text: `Tom & Jerry's <"Big"> Day`, urls: true },
  { label: "literal &amp;", text: "AT&amp;T &amp; R&amp;D" },
  { label: "U+FFFE", text: "Byte\uFFFEorder" },
];

function trickyModel(c: TrickyCase): FeedModel {
  const model = modelWithText(c.text);
  if (c.urls) {
    const withQuery = (url: string) => `${url}?a=1&b=2`;
    for (const links of [model.links, ...model.alternates.map((a) => a.links)]) {
      for (const key of ["rss", "atom", "json", "html"] as const) links[key] = withQuery(links[key]);
    }
    for (const item of model.items) {
      item.url = withQuery(item.url);
      if (item.image) item.image = { ...item.image, url: withQuery(item.image.url) };
      item.editions = item.editions.map((e) => ({ ...e, url: withQuery(e.url) }));
    }
  }
  return model;
}

const COMBOS = FORMAT_LIST.flatMap((format) => LIBS.map((lib) => ({ format, lib })));
type ComboKey = `${FeedFormat}:${Lib}`;
const expectedFor = (model: FeedModel, format: FeedFormat) => expectedFields(model, format, format === "json" ? identity : xmlCarried);
/** JSON can carry every character; a JSON document that drops what XML forbids is accepted too. */
const alternativeFor = (model: FeedModel, format: FeedFormat) =>
  format === "json" ? expectedFields(model, format, xmlCarried) : undefined;

interface GroupTally {
  present: number;
  equal: number;
  trimmed: number;
  total: number;
}

/** Per field group (`item.title`), how many of the model's values came back, and equal. */
function tally(models: { model: FeedModel; fields: Fields }[], format: FeedFormat, examples: string[]): Map<string, GroupTally> {
  const groups = new Map<string, GroupTally>();
  for (const { model, fields } of models) {
    const expected = expectedFor(model, format);
    const alternative = alternativeFor(model, format);
    for (const [key, value] of expected) {
      const group = groupOf(key);
      const t = groups.get(group) ?? { present: 0, equal: 0, trimmed: 0, total: 0 };
      t.total++;
      const got = fields.get(key);
      if (got !== undefined) {
        t.present++;
        const m = alternative ? best(match(value, got), match(alternative.get(key), got)) : match(value, got);
        if (m !== "no") t.equal++;
        if (m === "trim") t.trimmed++;
        if (m === "no" && TEXT_GROUPS.has(group) && examples.length < 2)
          examples.push(`${model.lang} ${key}: expected ${clip(value)} got ${clip(got)}`);
      }
      groups.set(group, t);
    }
  }
  return groups;
}

export async function partA() {
  console.log(`\n== Part A: correctness (strict XML via saxes {xmlns: true}; text read back against the model) ==\n`);
  const models = PACKS.map((p, i) => generateModel(p.tag, 50, 1000 + i));
  const bodies = models.flatMap((m) => m.items.map((i) => Buffer.byteLength(i.contentHtml)));
  console.log(
    `(a) ${models.length} models (${models.map((m) => m.lang).join(", ")}), 50 articles each, HTML bodies ${(Math.min(...bodies) / 1024).toFixed(1)}–${(Math.max(...bodies) / 1024).toFixed(1)} KB ` +
      `(mean ${(bodies.reduce((a, b) => a + b, 0) / bodies.length / 1024).toFixed(2)} KB), seeded generator`,
  );
  console.log(
    `(b) test/feeds/sample-model.ts modelWithText(s) for each awkward string s (every free-text field; URLs too for the attribute case)`,
  );

  const rows = new Map<string, Map<ComboKey, Outcome>>();
  const put = (row: string, key: ComboKey, outcome: Outcome) => {
    if (!rows.has(row)) rows.set(row, new Map());
    rows.get(row)!.set(key, outcome);
  };
  const pass = (trimmed = false): Outcome => ({ ok: true, cell: trimmed ? "pass*" : "pass" });
  const firstOutputs = new Map<ComboKey, (string | undefined)[]>();

  const ROW_PARSE = "well-formed / parses (4×50)";
  const ROW_TEXT = "text round-trip (4×50)";
  const ROW_COVER = "model fields carried";
  const ROW_LANG = "Atom xml:lang";
  const ROW_VERSION = "JSON version 1.1";
  const ROW_UPDATED = "feed date = newest item";
  const ROW_STABLE = "same bytes 1.1 s later";

  // The text fields each library carries intact for plain input: the awkward-string rows compare
  // exactly these, so a FAIL there is the awkward string's doing.
  const plain = modelWithText("Plain words 123");
  const plainCarried = new Map<ComboKey, Set<string>>();
  for (const { format, lib } of COMBOS) {
    const result = renderAndRead(lib, format, plain);
    const groups = result.parsed ? tally([{ model: plain, fields: result.parsed.fields }], format, []) : new Map<string, GroupTally>();
    plainCarried.set(
      `${format}:${lib}`,
      new Set([...groups].filter(([g, t]) => TEXT_GROUPS.has(g) && t.equal === t.total).map(([g]) => g)),
    );
  }

  for (const { format, lib } of COMBOS) {
    const key: ComboKey = `${format}:${lib}`;
    const outputs: (string | undefined)[] = [];
    const parsed: { model: FeedModel; fields: Fields }[] = [];
    const parseProblems: string[] = [];
    const langProblems: string[] = [];
    const versionProblems: string[] = [];
    const updatedProblems: string[] = [];
    for (const model of models) {
      const result = renderAndRead(lib, format, model);
      outputs.push(result.output);
      if (!result.parsed) {
        parseProblems.push(`${model.lang}: ${result.error ?? `malformed: ${result.malformed}`}`);
        continue;
      }
      const { fields } = result.parsed;
      parsed.push({ model, fields });
      if (format === "atom" && result.parsed.lang !== model.lang) langProblems.push(`${model.lang}: xml:lang ${clip(result.parsed.lang)}`);
      if (format === "json" && result.parsed.version !== "https://jsonfeed.org/version/1.1")
        versionProblems.push(`version ${clip(result.parsed.version)}`);
      if (format !== "json") {
        const want = Math.max(...model.items.map((i) => i.updated.ms));
        const got = fields.get("feed.updated");
        if (got !== want)
          updatedProblems.push(
            `${model.lang}: ${typeof got === "number" ? new Date(got).toISOString() : "absent"} ≠ newest item ${new Date(want).toISOString()}`,
          );
      }
    }
    firstOutputs.set(key, outputs);
    put(
      ROW_PARSE,
      key,
      parseProblems.length ? { ok: false, cell: `FAIL (${parseProblems.length}/4)`, detail: parseProblems.join("; ") } : pass(),
    );

    const examples: string[] = [];
    const groups = tally(parsed, format, examples);
    const textGroups = [...groups].filter(([g, t]) => TEXT_GROUPS.has(g) && t.present > 0);
    const wrong = textGroups.filter(([, t]) => t.equal < t.present).map(([g]) => g);
    if (parsed.length === 0) put(ROW_TEXT, key, { ok: false, cell: "n/a", detail: "no model parsed" });
    else if (wrong.length)
      put(ROW_TEXT, key, {
        ok: false,
        cell: "FAIL",
        detail: `${wrong.join(", ")} differ${parseProblems.length ? ` (in the ${parsed.length} parsed models)` : ""}, e.g. ${examples.join("; ")}`,
      });
    else put(ROW_TEXT, key, pass(textGroups.some(([, t]) => t.trimmed > 0)));

    if (parsed.length > 0) {
      const carried = [...groups].filter(([, t]) => t.equal === t.total).map(([g]) => g);
      const missing = [...groups]
        .filter(([, t]) => t.equal < t.total)
        .map(([g, t]) => (t.present === 0 ? g : `${g} (${t.equal}/${t.total} equal)`));
      put(ROW_COVER, key, {
        ok: missing.length === 0,
        cell: `${carried.length}/${groups.size}`,
        ...(missing.length && { detail: `not carried intact: ${missing.join(", ")}` }),
      });
    } else {
      put(ROW_COVER, key, { ok: false, cell: "n/a", detail: "no model parsed" });
    }
    if (format === "atom")
      put(
        ROW_LANG,
        key,
        langProblems.length ? { ok: false, cell: "FAIL", detail: langProblems[0]! } : parsed.length ? pass() : { ok: false, cell: "n/a" },
      );
    if (format === "json")
      put(ROW_VERSION, key, versionProblems.length ? { ok: false, cell: "FAIL", detail: versionProblems[0]! } : pass());
    if (format !== "json")
      put(
        ROW_UPDATED,
        key,
        updatedProblems.length
          ? { ok: false, cell: "FAIL", detail: updatedProblems.join("; ") }
          : parsed.length
            ? pass()
            : { ok: false, cell: "n/a" },
      );
  }

  // (b) one model per awkward string.
  for (const c of TRICKY) {
    const model = trickyModel(c);
    for (const { format, lib } of COMBOS) {
      const key: ComboKey = `${format}:${lib}`;
      const result = renderAndRead(lib, format, model);
      let outcome: Outcome;
      if (!result.parsed) {
        outcome = result.error
          ? { ok: false, cell: "FAIL throws", detail: result.error }
          : { ok: false, cell: "FAIL malformed", detail: result.malformed! };
      } else {
        const { mismatches, absent, trimmed } = compare(
          expectedFor(model, format),
          alternativeFor(model, format),
          result.parsed.fields,
          plainCarried.get(key),
        );
        const problems = [...mismatches, ...absent.map((k) => `${k}: dropped`)];
        outcome = problems.length
          ? {
              ok: false,
              cell: `FAIL text (${problems.length})`,
              detail: problems.slice(0, 2).join("; ") + (problems.length > 2 ? `; +${problems.length - 2} more` : ""),
            }
          : pass(trimmed > 0);
      }
      put(c.label, key, outcome);
    }
  }

  // Deterministic output: render the same models again 1.1 s later and compare bytes.
  await sleep(1100);
  for (const { format, lib } of COMBOS) {
    const key: ComboKey = `${format}:${lib}`;
    const before = firstOutputs.get(key)!;
    const changed = models.filter((m, i) => {
      try {
        return RENDER[lib][format](m) !== before[i];
      } catch {
        return true;
      }
    });
    put(
      ROW_STABLE,
      key,
      changed.length ? { ok: false, cell: "FAIL", detail: `differs for ${changed.map((m) => m.lang).join(", ")}` } : pass(),
    );
  }

  const order = [ROW_PARSE, ROW_TEXT, ...TRICKY.map((c) => c.label), ROW_LANG, ROW_VERSION, ROW_UPDATED, ROW_STABLE, ROW_COVER];
  const details: string[] = [];
  for (const format of FORMAT_LIST) {
    const table: string[][] = [[`${FORMAT_LABEL[format]} check`, ...LIBS]];
    for (const row of order) {
      const cells = rows.get(row);
      if (!cells || !cells.has(`${format}:ours`)) continue;
      table.push([row, ...LIBS.map((lib) => cells.get(`${format}:${lib}`)?.cell ?? "n/a")]);
      for (const lib of LIBS) {
        const outcome = cells.get(`${format}:${lib}`);
        if (outcome?.detail) details.push(`  [${format} ${lib}] ${row}: ${outcome.detail}`);
      }
    }
    console.log("");
    printTable(table);
  }
  console.log(`
pass*  = equal only after trimming white space the library added around the text (feedsmith pretty-prints CDATA
         sections onto their own indented lines, and that white space is element content).
Awkward-string rows compare the text/URL fields each library carries intact for plain text (so a missing field is
not counted against it there); expected text is the input minus characters XML 1.0 forbids (JSON: either).
'model fields carried' = field kinds (feed.title, item.alt, item.enclosure, …) equal in every item of the parsed models.`);
  if (details.length) {
    console.log("\nDetails:");
    for (const line of details) console.log(line);
  }
}

// ---------------------------------------------------------------------------------------------------
// Part B: speed
// ---------------------------------------------------------------------------------------------------

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function partB() {
  const rounds = QUICK ? 3 : 7;
  const sizes = [50, 500];
  console.log(
    `\n== Part B: speed (tinybench; ${rounds} rounds; in each round, for each format × size, the three libraries run in rotated order) ==\n`,
  );
  const models = new Map(sizes.map((n) => [n, generateModel("ko", n, 4242 + n, true)]));
  console.log(
    `models: a ko feed of 50 and of 500 full-text articles whose text cycles ko/en/ja/zh-Hans (seeded); Node ${process.version}, 2 cores\n`,
  );
  let sink = 0;
  const samples = new Map<string, number[]>();
  const outputKb = new Map<string, number>();
  const groups = FORMAT_LIST.flatMap((format) => sizes.map((size) => ({ format, size })));

  // One untimed render each: sizes for the table, and first-call compilation out of the way.
  for (const { format, size } of groups) {
    for (const lib of LIBS) outputKb.set(`${format} ${size} ${lib}`, Buffer.byteLength(RENDER[lib][format](models.get(size)!)) / 1024);
  }

  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (let g = 0; g < groups.length; g++) {
      const { format, size } = groups[(g + round) % groups.length]!;
      const model = models.get(size)!;
      const bench = new Bench({
        time: QUICK ? (size === 50 ? 60 : 100) : size === 50 ? 500 : 900,
        iterations: QUICK ? 3 : 10,
        warmupTime: QUICK ? 15 : 60,
        warmupIterations: 2,
        throws: true,
      });
      for (let l = 0; l < LIBS.length; l++) {
        const lib = LIBS[(l + round) % LIBS.length]!;
        const render = RENDER[lib][format];
        bench.add(
          `${format} ${size} ${lib}`,
          () => {
            sink += render(model).length;
          },
          { async: false },
        );
      }
      for (const task of bench.runSync()) {
        const result = task.result;
        if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`);
        const list = samples.get(task.name) ?? [];
        list.push(result.latency.p50);
        samples.set(task.name, list);
      }
    }
  }
  const elapsed = (performance.now() - started) / 1000;

  const table: string[][] = [["format", "items", "library", "median ms", "round range ms", "theirs/ours", "output KB"]];
  const results: RenderTiming[] = [];
  for (const { format, size } of groups) {
    const ours = median(samples.get(`${format} ${size} ours`)!);
    for (const lib of LIBS) {
      const name = `${format} ${size} ${lib}`;
      const list = samples.get(name)!;
      const value = median(list);
      const ratio = value / ours;
      table.push([
        format,
        String(size),
        lib,
        value.toFixed(3),
        `${Math.min(...list).toFixed(3)}–${Math.max(...list).toFixed(3)}`,
        lib === "ours" ? "1.00 (baseline)" : ratio.toFixed(2),
        outputKb.get(name)!.toFixed(0),
      ]);
      results.push({ format, items: size, lib, ms: value, rounds: list });
    }
  }
  printTable(table);
  console.log(`\nmedian ms = median over ${rounds} rounds of tinybench's per-round median latency; theirs/ours > 1 means ours is faster.`);
  console.log(
    `Timed call = adapter + render (FeedModel in, string out; feedsmith JSON includes JSON.stringify). Output KB differs because`,
  );
  console.log(
    `the libraries carry different amounts of the model (see 'model fields carried' above). Timing took ${elapsed.toFixed(1)} s. (sink ${sink % 997})\n`,
  );
  return results;
}

/** One median render time of part B. */
export interface RenderTiming {
  format: FeedFormat;
  items: number;
  lib: Lib;
  /** Median over the rounds of each round's median. */
  ms: number;
  rounds: number[];
}

// ---------------------------------------------------------------------------------------------------

export function printTable(rows: string[][]) {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? "")].length)));
  const line = (r: string[]) => r.map((cell, c) => cell + " ".repeat(widths[c]! - [...cell].length)).join(" | ");
  console.log(line(rows[0]!));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const r of rows.slice(1)) console.log(line(r));
}

export function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

/** Both parts, as the render comparison alone prints them. */
export async function renderComparison(): Promise<RenderTiming[]> {
  console.log(
    `render comparison${QUICK ? " (--quick)" : ""}: node ${process.version}; feedsmith ${version("feedsmith")}, feed ${version("feed")}, saxes ${version("saxes")}, tinybench ${version("tinybench")}`,
  );
  await partA();
  return partB();
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const t0 = performance.now();
  const results = await renderComparison();
  for (const r of results) {
    const ours = results.find((o) => o.lib === "ours" && o.format === r.format && o.items === r.items)!.ms;
    console.log(
      `{"name": "render ${r.format} ${r.items} ${r.lib}", "value": ${+r.ms.toFixed(4)}, "unit": "ms", "baseline": "ours", "ratio": ${+(r.ms / ours).toFixed(3)}}`,
    );
  }
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
