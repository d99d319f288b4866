/**
 * The dated note a corrected article carries, in its language: after the body in every feed's item
 * content, and below the body on its page (which words the same).
 */
import type { Article, Correction } from "../model/article.ts";
import { escapeHtml } from "../model/escape.ts";
import { inZone, wallClock, type Instant } from "../model/time.ts";
import { contentOrHeadlineLink } from "./model.ts";

/** The words of corrections in one language: pages and feeds say them alike. */
export interface CorrectionWords {
  /** Before one correction's date and text. */
  correction: string;
  /** Heading of an article's corrections. */
  corrections: string;
  /** The title of a corrections feed item. */
  itemTitle(headline: string): string;
  /** The title of a language's corrections feed. */
  feedTitle(languageTitle: string): string;
  feedDescription(languageTitle: string): string;
}

const WORDS: Record<string, CorrectionWords> = {
  en: {
    correction: "Correction",
    corrections: "Corrections",
    itemTitle: (headline) => `Correction to: ${headline}`,
    feedTitle: (title) => `${title} · Corrections`,
    feedDescription: (title) => `Corrections published to articles of ${title}, newest first.`,
  },
  ko: {
    correction: "정정",
    corrections: "정정 내역",
    itemTitle: (headline) => `정정: ${headline}`,
    feedTitle: (title) => `${title} · 정정`,
    feedDescription: (title) => `${title} 기사의 정정 내역 (최신순).`,
  },
  ja: {
    correction: "訂正",
    corrections: "訂正履歴",
    itemTitle: (headline) => `訂正: ${headline}`,
    feedTitle: (title) => `${title} · 訂正`,
    feedDescription: (title) => `${title}の記事の訂正 (新しい順)。`,
  },
  zh: {
    correction: "更正",
    corrections: "更正记录",
    itemTitle: (headline) => `更正: ${headline}`,
    feedTitle: (title) => `${title} · 更正`,
    feedDescription: (title) => `${title}文章的更正 (最新在前)。`,
  },
};

/** The words for a language (its primary subtag); English where a language has none. */
export function correctionWords(lang: string): CorrectionWords {
  return WORDS[lang.split("-")[0]!.toLowerCase()] ?? WORDS.en!;
}

/** A correction's time on the newsroom's clocks, with its offset: `2026-10-02 09:00 UTC+09:00`. */
export function correctionTime(date: Instant, timeZone: string): string {
  const local = inZone(date, timeZone);
  const t = wallClock(local);
  const two = (n: number) => String(n).padStart(2, "0");
  const offset = local.iso.endsWith("Z") ? "+00:00" : local.iso.slice(-6);
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)} UTC${offset}`;
}

/** One correction as a paragraph of HTML: the word, the date, the text. */
export function correctionParagraph(lang: string, correction: Correction, timeZone: string): string {
  const words = correctionWords(lang);
  return `<p><strong>${escapeHtml(words.correction)} (${escapeHtml(correctionTime(correction.date, timeZone))}):</strong> ${escapeHtml(correction.text)}</p>`;
}

/**
 * An article's content as feeds carry it: its body, then a paragraph per correction, oldest first (a
 * body-less headline's link stands for the body). Unchanged for an article without corrections.
 */
export function contentWithCorrections(article: Pick<Article, "lang" | "contentHtml" | "url" | "title" | "corrections">, timeZone: string) {
  if (article.corrections.length === 0) return article.contentHtml;
  return contentOrHeadlineLink(article) + article.corrections.map((c) => correctionParagraph(article.lang, c, timeZone)).join("");
}
