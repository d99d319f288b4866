/**
 * The readable preview a person's browser gets at a feed URL: what the feed is, how to subscribe to it,
 * the same feed in the other formats and languages, and its items. No script: it must work as plain
 * HTML, since browsers no longer run XSLT and a preview should never need anything more.
 */
import type { LanguageSettings, Site } from "../config/site.ts";
import { FORMAT_NAMES, FORMATS } from "../feeds/formats.ts";
import { feedDirectory } from "../feeds/links.ts";
import type { FeedFormat, FeedItem, FeedLinks, FeedModel } from "../feeds/model.ts";
import { escapeHtml as h } from "../model/escape.ts";
import { inZone } from "../model/time.ts";
import { destinationsPanel } from "./destinations.ts";
import { page } from "./layout.ts";
import { pageStrings, zoneLabel, type PageStrings } from "./strings.ts";

interface PreviewStrings {
  /** Says what the page is, above the subscribe block. */
  about: string;
  language: string;
  section: string;
  howToSubscribe: string;
  /** Tells a person to copy the address below into a feed reader. */
  copyAddress: string;
  feedAddress: string;
  otherFormats: string;
  otherLanguages: string;
  items: string;
  olderArticles: string;
  newerArticles: string;
}

// Primary subtag -> words; English for any language not listed here.
const STRINGS: Record<string, PreviewStrings> = {
  en: {
    about: "This is a news feed: a feed reader checks it and shows you each new article as it is published.",
    language: "Language",
    section: "Section",
    howToSubscribe: "How to subscribe",
    copyAddress: "Copy this address into your feed reader (any app that reads RSS, Atom or JSON Feed).",
    feedAddress: "Feed address",
    otherFormats: "Other formats",
    otherLanguages: "Other languages",
    items: "Articles in this feed",
    olderArticles: "Older articles",
    newerArticles: "Newer articles",
  },
  ko: {
    about: "이 주소는 뉴스 피드입니다. 피드 리더에 등록하면 새 기사가 나올 때마다 받아 볼 수 있습니다.",
    language: "언어",
    section: "섹션",
    howToSubscribe: "구독하는 방법",
    copyAddress: "아래 주소를 복사해 피드 리더(RSS, Atom, JSON Feed를 읽는 앱)에 붙여 넣으세요.",
    feedAddress: "피드 주소",
    otherFormats: "다른 형식",
    otherLanguages: "다른 언어",
    items: "이 피드의 기사",
    olderArticles: "이전 기사",
    newerArticles: "최근 기사",
  },
  ja: {
    about: "これはニュースフィードです。フィードリーダーに登録すると、新しい記事が出るたびに届きます。",
    language: "言語",
    section: "セクション",
    howToSubscribe: "購読のしかた",
    copyAddress: "このアドレスをコピーして、フィードリーダー（RSS・Atom・JSON Feed を読めるアプリ）に貼り付けてください。",
    feedAddress: "フィードのアドレス",
    otherFormats: "他の形式",
    otherLanguages: "他の言語",
    items: "このフィードの記事",
    olderArticles: "過去の記事",
    newerArticles: "新しい記事",
  },
  zh: {
    about: "这是一个新闻订阅源：把它添加到订阅阅读器后，每有新文章发布都会推送给你。",
    language: "语言",
    section: "栏目",
    howToSubscribe: "如何订阅",
    copyAddress: "复制下面的地址，粘贴到订阅阅读器（任何支持 RSS、Atom 或 JSON Feed 的应用）中。",
    feedAddress: "订阅地址",
    otherFormats: "其他格式",
    otherLanguages: "其他语言",
    items: "本订阅源的文章",
    olderArticles: "更早的文章",
    newerArticles: "较新的文章",
  },
};

function previewStrings(lang: string): PreviewStrings {
  return STRINGS[lang.split("-")[0]!.toLowerCase()] ?? STRINGS.en!;
}

/** Every format, `first` before the others. */
function formatsFirst(first: FeedFormat): FeedFormat[] {
  return [first, ...FORMAT_NAMES.filter((f) => f !== first)];
}

/**
 * Autodiscovery links: this feed in the format asked for first (readers often take the first), then
 * its other formats, then the same feed in the other languages.
 */
function discovery(model: FeedModel, subscription: FeedLinks, format: FeedFormat): string {
  const feeds = [{ lang: model.lang, title: model.title, links: subscription }, ...model.alternates];
  return feeds
    .flatMap((feed) =>
      formatsFirst(format).map((f) => {
        const type = FORMATS[f].contentType.split(";")[0]!;
        return `<link rel="alternate" type="${h(type)}" hreflang="${h(feed.lang)}" title="${h(`${feed.title} (${FORMATS[f].label})`)}" href="${h(feed.links[f])}">`;
      }),
    )
    .join("\n");
}

function itemBlock(item: FeedItem, words: PageStrings, zone: string, languageName: (tag: string) => string): string {
  const posted = inZone(item.published, zone);
  const editions = item.editions
    .map((e) => `<a href="${h(e.url)}" hreflang="${h(e.lang)}" lang="${h(e.lang)}" title="${h(e.title)}">${h(languageName(e.lang))}</a>`)
    .join("\n");
  return `<li>
<h3><a href="${h(item.url)}">${h(item.title)}</a></h3>
<p class="dates"><time datetime="${posted.iso}">${h(words.date(posted, zoneLabel(zone, posted)))}</time></p>
<p>${h(item.summary)}</p>
${editions ? `<p class="editions">${h(words.editions)}: ${editions}</p>\n` : ""}</li>`;
}

/**
 * The HTML preview of `model` as served in `format`. An archive document's preview offers its
 * subscription document to subscribe to, since an archive never gets new articles.
 */
export function feedPreviewPage(site: Site, model: FeedModel, format: FeedFormat): string {
  const strings = previewStrings(model.lang);
  const words = pageStrings(model.lang);
  const languages = site.settings.languages;
  const language: LanguageSettings | undefined = languages.find((l) => l.tag === model.lang);
  const languageName = (tag: string) => languages.find((l) => l.tag === tag)?.name ?? tag;
  const section = model.section;
  const subscription = model.history.current ?? model.links;
  const address = subscription[format];

  const facts = [
    `${h(strings.language)}: <span lang="${h(model.lang)}">${h(languageName(model.lang))}</span>`,
    ...(section ? [`${h(strings.section)}: <a href="${h(model.links.html)}">${h(section.name)}</a>`] : []),
    h(FORMATS[format].label),
  ].join(" · ");
  const otherFormats = FORMAT_NAMES.filter((f) => f !== format)
    .map((f) => `<a href="${h(subscription[f])}" type="${h(FORMATS[f].contentType.split(";")[0]!)}">${h(FORMATS[f].label)}</a>`)
    .join(" · ");
  const otherLanguages = model.alternates
    .map(
      (a) =>
        `<a href="${h(a.links[format])}" hreflang="${h(a.lang)}" lang="${h(a.lang)}" title="${h(a.title)}">${h(languageName(a.lang))}</a>`,
    )
    .join(" · ");
  const items = model.items.map((item) => itemBlock(item, words, site.settings.timezone, languageName)).join("\n");
  const { prevArchive, nextArchive } = model.history;
  const archiveLinks = [
    ...(nextArchive ? [`<a href="${h(nextArchive[format])}" rel="next">${h(strings.newerArticles)}</a>`] : []),
    ...(prevArchive ? [`<a href="${h(prevArchive[format])}" rel="prev">${h(strings.olderArticles)}</a>`] : []),
  ].join(" · ");

  const body = `<h1>${h(model.title)}</h1>
<p>${h(model.description)}</p>
<p class="facts">${facts}</p>
<section class="subscribe" aria-labelledby="subscribe-heading">
<h2 id="subscribe-heading">${h(strings.howToSubscribe)}</h2>
<p>${h(strings.about)} ${h(strings.copyAddress)}</p>
<p><label for="feed-address">${h(strings.feedAddress)} (${h(FORMATS[format].label)})</label>
<input id="feed-address" type="url" readonly value="${h(address)}"></p>
<p>${h(strings.otherFormats)}: ${otherFormats}</p>
${otherLanguages ? `<p>${h(strings.otherLanguages)}: ${otherLanguages}</p>\n` : ""}</section>
<h2>${h(strings.items)}</h2>
${items ? `<ol class="items">\n${items}\n</ol>` : `<p>${h(words.noArticles)}</p>`}
${archiveLinks ? `<p class="archive">${archiveLinks}</p>\n` : ""}${destinationsPanel(model)}
`;

  return page(
    { lang: model.lang, title: `${model.title} (${FORMATS[format].label})`, description: model.description },
    discovery(model, subscription, format),
    body,
    language?.title ?? site.settings.name,
    language ? feedDirectory(language.tag) : "/",
  );
}
