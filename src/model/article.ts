/** The article: one language edition of a story, as the store holds it (clean, absolute, NFC). */
import { fnv64 } from "./hash.ts";
import type { Instant } from "./time.ts";

export interface Author {
  name: string;
  email?: string;
  url?: string;
  /** Fediverse handle, `@user@host`; written as `fediverse:creator` on article pages. */
  fediverse?: string;
}

export interface ArticleImage {
  url: string;
  type: string;
  /** Size of the file in bytes. */
  length: number;
  width: number;
  height: number;
  alt: string;
  /** Plain text shown under the image; absent when none was given. */
  caption?: string;
  /** Who made the image (photographer, agency), plain text; absent when none was given. */
  credit?: string;
  /** The copyright notice, plain text; absent when none was given. */
  copyright?: string;
}

/** A correction the newsroom published to an article: when, and what it says (plain text). */
export interface Correction {
  date: Instant;
  text: string;
}

export interface Article {
  /** Stable public id (a tag: URI), the same in every format; never derived from the title or URL. */
  id: string;
  lang: string;
  section: string;
  slug: string;
  /** Translation-group key: every edition of one story shares it. */
  story: string;
  /** Absolute URL of the article page. */
  url: string;
  title: string;
  /** Plain text. */
  summary: string;
  /** Sanitized HTML with absolute URLs. */
  contentHtml: string;
  authors: Author[];
  tags: string[];
  image: ArticleImage | null;
  published: Instant;
  updated: Instant;
  /** The corrections published to it, oldest first; none for most articles. */
  corrections: Correction[];
  /** Where the article came from: `content/en/politics/budget.md`, `feed:wire-ko`, `push`. */
  source: string;
  /**
   * Hash of what counts as a real change (title, summary, body with white space folded, image, authors,
   * tags, corrections): an edit that leaves it alone is not a new version.
   */
  fingerprint: string;
}

/** What a feed or page needs to link one edition of a story. */
export interface Edition {
  id: string;
  story: string;
  lang: string;
  title: string;
  url: string;
}

/** The fingerprint of an article's substance; see Article.fingerprint. */
export function fingerprintOf(
  a: Pick<Article, "title" | "summary" | "contentHtml" | "image" | "authors" | "tags" | "corrections">,
): string {
  const fold = (s: string) => s.replace(/\s+/g, " ").trim();
  const parts: unknown[] = [
    fold(a.title),
    fold(a.summary),
    fold(a.contentHtml.replace(/>\s+</g, "><")),
    a.image?.url ?? null,
    // A fediverse handle only where there is one, so the fingerprint of every other author is what it always was.
    a.authors.map((x) => [fold(x.name), x.email ?? null, x.url ?? null, ...(x.fediverse ? [x.fediverse] : [])]),
    a.tags.map(fold),
  ];
  // The image's words only when it has any, for the same reason.
  const words = a.image ? imageWords(a.image) : null;
  if (words) parts.push(words);
  // Only when there are any, so the fingerprint of an article without corrections is what it always was.
  if (a.corrections.length) parts.push(a.corrections.map((c) => [c.date.ms, fold(c.text)]));
  return fnv64(JSON.stringify(parts));
}

/** An image's caption, credit and copyright as one fingerprint part, or null when it has none of them. */
function imageWords(image: ArticleImage): unknown[] | null {
  const { caption, credit, copyright } = image;
  if (caption === undefined && credit === undefined && copyright === undefined) return null;
  return ["image", caption ?? null, credit ?? null, copyright ?? null];
}

/** Characters an image's caption, credit and copyright may have, in every source. */
export const MAX_IMAGE_TEXT = { caption: 1000, credit: 200, copyright: 200 } as const;

/** The media type of an image file by its extension, for images whose source states none. */
export const IMAGE_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
};
