/**
 * The preview's "Destinations" panel: for each aggregator in feeds/destinations.ts, each rule it
 * publishes as met or not met with the number seen, and a link to the page that states it; then the
 * aspects it publishes no figure for. Plain HTML, in the feed's language.
 */
import { evaluateDestinations, utf8Length, type Aspect, type Outcome } from "../feeds/destinations.ts";
import { FORMATS } from "../feeds/formats.ts";
import type { FeedModel } from "../feeds/model.ts";
import { escapeHtml as h } from "../model/escape.ts";

/** A whole number with its thousands grouped: `1234567` as `1,234,567`. */
export function grouped(n: number): string {
  const digits = String(n);
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0 && digits[i - 1] !== "-") out += ",";
    out += digits[i];
  }
  return out;
}

/** A byte count as people read it: `820 B`, `41 KB`, `1.5 MB` (1 KB = 1 000 bytes, as the rules count). */
export function byteSize(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 999_500) return `${Math.round(n / 1000)} KB`;
  return `${Number((n / 1_000_000).toFixed(1))} MB`;
}

interface PanelStrings {
  heading: string;
  intro: string;
  met: string;
  notMet: string;
  recommended: string;
  source: string;
  unpublished: string;
  /** `, ` or `、`: between names in a list. */
  comma: string;
  aspects: Record<Aspect, string>;
  /** The sentence for one outcome, numbers already formatted by `grouped`/`byteSize`. */
  sentence(outcome: Outcome): string;
}

const n = grouped;

const STRINGS: Record<string, PanelStrings> = {
  en: {
    heading: "Destinations",
    intro: "Whether this feed meets the rules each aggregator publishes for the feeds it takes; each rule links the page that states it.",
    met: "Met",
    notMet: "Not met",
    recommended: "recommended",
    source: "source",
    unpublished: "No published figure found for",
    comma: ", ",
    aspects: {
      items: "item count",
      image: "images",
      imageSize: "image size",
      titleLength: "title length",
      fullText: "full text",
      documentSize: "document size",
      articleSize: "article size",
      https: "HTTPS links",
    },
    sentence({ rule: { check }, seen, of }) {
      switch (check.kind) {
        case "items":
          return `The feed holds ${n(seen)} items (${check.min !== undefined ? `at least ${n(check.min)}` : `at most ${n(check.max!)}`})`;
        case "image":
          return `${n(seen)} of ${n(of)} items have an image`;
        case "imageSize": {
          const where = { width: "wide", shorter: "on its shorter side", longer: "wide or tall" }[check.side];
          return `${n(seen)} of ${n(of)} items have an image at least ${n(check.min)} px ${where}`;
        }
        case "titleLength":
          return `${n(seen)} of ${n(of)} titles are ${n(check.min)} to ${n(check.max)} characters long`;
        case "fullText":
          return check.length
            ? `${n(seen)} of ${n(of)} items carry a full text of ${n(check.length.min)} to ${n(check.length.max)} characters`
            : `${n(seen)} of ${n(of)} items carry the full text, not only a summary`;
        case "documentSize":
          return `The RSS document is ${byteSize(seen)} (at most ${byteSize(check.max)})`;
        case "articleSize":
          return `${n(seen)} of ${n(of)} article bodies are at most ${byteSize(check.max)}`;
        case "https":
          return `${n(seen)} of ${n(of)} addresses (the feed, its links and images) are HTTPS`;
      }
    },
  },
  ko: {
    heading: "배포처",
    intro: "뉴스 서비스마다 공개한 피드 기준을 이 피드가 충족하는지 보여 줍니다. 기준마다 그 기준을 밝힌 문서를 링크했습니다.",
    met: "충족",
    notMet: "미충족",
    recommended: "권장",
    source: "출처",
    unpublished: "공개된 기준을 찾지 못한 항목",
    comma: ", ",
    aspects: {
      items: "항목 수",
      image: "이미지",
      imageSize: "이미지 크기",
      titleLength: "제목 길이",
      fullText: "전문",
      documentSize: "문서 크기",
      articleSize: "기사 크기",
      https: "HTTPS 링크",
    },
    sentence({ rule: { check }, seen, of }) {
      switch (check.kind) {
        case "items":
          return `이 피드의 항목 수 ${n(seen)}개 (${check.min !== undefined ? `${n(check.min)}개 이상` : `${n(check.max!)}개 이하`})`;
        case "image":
          return `항목 ${n(of)}개 중 ${n(seen)}개에 이미지가 있음`;
        case "imageSize": {
          const where = { width: "너비가", shorter: "짧은 변이", longer: "가로나 세로가" }[check.side];
          return `항목 ${n(of)}개 중 ${n(seen)}개에 ${where} ${n(check.min)}px 이상인 이미지가 있음`;
        }
        case "titleLength":
          return `제목 ${n(of)}개 중 ${n(seen)}개가 ${n(check.min)}~${n(check.max)}자`;
        case "fullText":
          return check.length
            ? `항목 ${n(of)}개 중 ${n(seen)}개가 ${n(check.length.min)}~${n(check.length.max)}자의 전문을 담음`
            : `항목 ${n(of)}개 중 ${n(seen)}개가 요약이 아닌 전문을 담음`;
        case "documentSize":
          return `RSS 문서 크기 ${byteSize(seen)} (${byteSize(check.max)} 이하)`;
        case "articleSize":
          return `기사 본문 ${n(of)}개 중 ${n(seen)}개가 ${byteSize(check.max)} 이하`;
        case "https":
          return `주소(피드, 링크, 이미지) ${n(of)}개 중 ${n(seen)}개가 HTTPS`;
      }
    },
  },
  ja: {
    heading: "配信先",
    intro:
      "各配信先がフィードに求める公開基準を、このフィードが満たしているかを示します。基準ごとに、その基準を記したページへのリンクがあります。",
    met: "適合",
    notMet: "不適合",
    recommended: "推奨",
    source: "出典",
    unpublished: "公開された基準が見つからない項目",
    comma: "、",
    aspects: {
      items: "記事数",
      image: "画像",
      imageSize: "画像サイズ",
      titleLength: "タイトルの長さ",
      fullText: "全文",
      documentSize: "文書サイズ",
      articleSize: "記事サイズ",
      https: "HTTPS リンク",
    },
    sentence({ rule: { check }, seen, of }) {
      switch (check.kind) {
        case "items":
          return `このフィードの記事数は ${n(seen)} 件（${check.min !== undefined ? `${n(check.min)} 件以上` : `${n(check.max!)} 件以下`}）`;
        case "image":
          return `${n(of)} 件中 ${n(seen)} 件に画像あり`;
        case "imageSize": {
          const where = { width: "幅", shorter: "短辺", longer: "幅か高さ" }[check.side];
          return `${n(of)} 件中 ${n(seen)} 件に${where}が ${n(check.min)} px 以上の画像あり`;
        }
        case "titleLength":
          return `${n(of)} 件中 ${n(seen)} 件のタイトルが ${n(check.min)}〜${n(check.max)} 文字`;
        case "fullText":
          return check.length
            ? `${n(of)} 件中 ${n(seen)} 件が ${n(check.length.min)}〜${n(check.length.max)} 文字の全文を掲載`
            : `${n(of)} 件中 ${n(seen)} 件が要約だけでなく全文を掲載`;
        case "documentSize":
          return `RSS 文書のサイズは ${byteSize(seen)}（${byteSize(check.max)} 以下）`;
        case "articleSize":
          return `${n(of)} 件中 ${n(seen)} 件の本文が ${byteSize(check.max)} 以下`;
        case "https":
          return `アドレス（フィード・リンク・画像）${n(of)} 件中 ${n(seen)} 件が HTTPS`;
      }
    },
  },
  zh: {
    heading: "分发平台",
    intro: "显示本订阅源是否符合各聚合平台对订阅源公开的要求；每条要求都链接到说明它的页面。",
    met: "符合",
    notMet: "不符合",
    recommended: "建议",
    source: "来源",
    unpublished: "未找到公开标准的项目",
    comma: "、",
    aspects: {
      items: "条目数",
      image: "图片",
      imageSize: "图片尺寸",
      titleLength: "标题长度",
      fullText: "全文",
      documentSize: "文档大小",
      articleSize: "文章大小",
      https: "HTTPS 链接",
    },
    sentence({ rule: { check }, seen, of }) {
      switch (check.kind) {
        case "items":
          return `本订阅源共 ${n(seen)} 条（${check.min !== undefined ? `至少 ${n(check.min)} 条` : `最多 ${n(check.max!)} 条`}）`;
        case "image":
          return `${n(of)} 条中有 ${n(seen)} 条带图片`;
        case "imageSize": {
          const where = { width: "宽度", shorter: "短边", longer: "宽或高" }[check.side];
          return `${n(of)} 条中有 ${n(seen)} 条带${where}至少 ${n(check.min)} px 的图片`;
        }
        case "titleLength":
          return `${n(of)} 个标题中有 ${n(seen)} 个长度为 ${n(check.min)}–${n(check.max)} 个字符`;
        case "fullText":
          return check.length
            ? `${n(of)} 条中有 ${n(seen)} 条提供 ${n(check.length.min)}–${n(check.length.max)} 个字符的全文`
            : `${n(of)} 条中有 ${n(seen)} 条提供全文，而不只是摘要`;
        case "documentSize":
          return `RSS 文档大小为 ${byteSize(seen)}（最多 ${byteSize(check.max)}）`;
        case "articleSize":
          return `${n(of)} 篇正文中有 ${n(seen)} 篇不超过 ${byteSize(check.max)}`;
        case "https":
          return `地址（订阅源、链接、图片）${n(of)} 个中有 ${n(seen)} 个使用 HTTPS`;
      }
    },
  },
};

export function panelStrings(lang: string): PanelStrings {
  return STRINGS[lang.split("-")[0]!.toLowerCase()] ?? STRINGS.en!;
}

function outcomeLine(outcome: Outcome, words: PanelStrings): string {
  const { rule, met } = outcome;
  const level = rule.level === "recommended" ? ` <span class="level">(${h(words.recommended)})</span>` : "";
  return `<li class="${met ? "met" : "not-met"}" data-aspect="${rule.aspect}"><strong class="verdict">${h(met ? words.met : words.notMet)}</strong> ${h(words.sentence(outcome))}${level} <a href="${h(rule.source.url)}">${h(words.source)}</a></li>`;
}

/** The panel for `model`, measured on its RSS document (the format all four destinations read). */
export function destinationsPanel(model: FeedModel): string {
  const words = panelStrings(model.lang);
  const reports = evaluateDestinations(model, utf8Length(FORMATS.rss.render(model)));
  const blocks = reports.map(({ destination, outcomes, unpublished }) => {
    const lines = outcomes.map((o) => outcomeLine(o, words)).join("\n");
    const missing = unpublished.length
      ? `\n<p class="unpublished">${h(words.unpublished)}: ${h(unpublished.map((a) => words.aspects[a]).join(words.comma))}</p>`
      : "";
    return `<h3 id="destination-${destination.id}" lang="en">${h(destination.name)}</h3>
<ul class="rules" aria-labelledby="destination-${destination.id}">
${lines}
</ul>${missing}`;
  });
  return `<section class="destinations" aria-labelledby="destinations-heading">
<h2 id="destinations-heading">${h(words.heading)}</h2>
<p>${h(words.intro)}</p>
${blocks.join("\n")}
</section>`;
}
