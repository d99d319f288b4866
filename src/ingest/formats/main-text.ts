/**
 * The article text of a page whose structured data gives none (most news sites' JSON-LD has a headline,
 * a description, dates and authors, but no articleBody): the element marked `itemprop="articleBody"`,
 * else the element that holds the most paragraph text, found the way Readability scores a page
 * (https://github.com/mozilla/readability): each paragraph counts for its parent and half for its
 * grandparent, navigation, asides, headers, footers and elements named like comments or menus count
 * for nothing, and link-heavy blocks are discounted. One pass of htmlparser2, which runs on Node and
 * on Workers alike; the markup found is sanitized later like any other body.
 */
import { walkHtml } from "../normalize-text.ts";

/** Elements whose text is never the article's: scripts and the like, and the page's furniture. */
const SKIPPED = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "iframe",
  "object",
  "embed",
  "svg",
  "math",
  "head",
  "title",
  "select",
  "button",
  "textarea",
  "nav",
  "header",
  "footer",
  "aside",
  "menu",
  "dialog",
]);

/** Elements that can hold the article's text. */
const CONTAINERS = new Set(["div", "section", "article", "main", "td", "body", "font", "center"]);

/** Elements whose text is one paragraph of it. */
const PARAGRAPHS = new Set(["p", "pre", "blockquote", "li", "dd"]);

/** Elements inside a block whose text is the block's. */
const INLINE = new Set([
  "a",
  "abbr",
  "b",
  "bdi",
  "bdo",
  "br",
  "cite",
  "code",
  "em",
  "font",
  "i",
  "img",
  "kbd",
  "mark",
  "q",
  "s",
  "small",
  "span",
  "strong",
  "sub",
  "sup",
  "time",
  "u",
  "wbr",
]);

// Readability's "unlikely candidates", unless the name also says it holds the article.
const UNLIKELY =
  /-ad-|banner|breadcrumb|combx|comment|community|disqus|footer|gdpr|header|menu|related|remark|replies|share|sidebar|social|sponsor|subscribe|newsletter|popup|promo|pager|pagination|cookie/i;
const MAYBE = /article|body|column|content|main|story|text/i;

/** A paragraph shorter than this is a caption, a date or a button, not text (Readability's figure). */
const MIN_PARAGRAPH = 25;
/** The main text must come to at least this many characters of paragraphs, or there is none. */
const MIN_SCORE = 140;

interface Frame {
  name: string;
  /** Index just past the start tag: where the inner markup begins. */
  inner: number;
  parent: Frame | undefined;
  /** The frame whose text this element's text is (itself, or for an inline element the block around it). */
  block: Frame | undefined;
  ownText: number;
  allText: number;
  linkText: number;
  score: number;
  articleBody: boolean;
}

/** The inner markup of the element holding the page's article text, or undefined when none stands out. */
export function extractMainText(html: string): string | undefined {
  const frames: Frame[] = [];
  let skipping = 0;
  let inLink = 0;
  let best: { score: number; start: number; end: number } | undefined;
  let articleBody: { start: number; end: number; text: number } | undefined;
  walkHtml(html, {
    open(name, attributes, _start, end) {
      const named = `${attributes.class ?? ""} ${attributes.id ?? ""}`;
      const page = name === "html" || name === "body";
      if (skipping || SKIPPED.has(name) || (!page && UNLIKELY.test(named) && !MAYBE.test(named))) {
        skipping++;
        return;
      }
      if (name === "a") inLink++;
      const parent = frames.at(-1);
      const frame: Frame = {
        name,
        inner: end + 1,
        parent,
        block: undefined,
        ownText: 0,
        allText: 0,
        linkText: 0,
        score: 0,
        articleBody: /(?:^|\s)articleBody(?:\s|$)/.test(attributes.itemprop ?? ""),
      };
      frame.block = INLINE.has(name) && parent ? (parent.block ?? parent) : frame;
      frames.push(frame);
    },
    close(name, start) {
      if (skipping) {
        skipping--;
        return;
      }
      const frame = frames.pop();
      if (frame === undefined) return;
      if (name === "a") inLink--;
      const parent = frames.at(-1);
      if (parent) {
        parent.allText += frame.allText;
        parent.linkText += frame.linkText;
      }
      if (frame.articleBody && (articleBody === undefined || frame.allText > articleBody.text)) {
        articleBody = { start: frame.inner, end: start, text: frame.allText };
      }
      if (PARAGRAPHS.has(name) && frame.ownText >= MIN_PARAGRAPH) {
        const holder = parent?.block;
        if (holder) holder.score += frame.ownText;
        const above = holder?.parent?.block;
        if (above) above.score += frame.ownText / 2;
      }
      if (CONTAINERS.has(name)) {
        // Text written straight into a container, paragraphs split by <br> (as many news sites do).
        if (frame.ownText >= MIN_PARAGRAPH) frame.score += frame.ownText;
        const score = frame.allText > 0 ? frame.score * (1 - frame.linkText / frame.allText) : 0;
        if (score >= MIN_SCORE && (best === undefined || score > best.score)) best = { score, start: frame.inner, end: start };
      }
    },
    text(text) {
      if (skipping) return;
      const frame = frames.at(-1);
      if (frame === undefined) return;
      const length = text.replace(/\s+/g, " ").trim().length;
      const block = frame.block ?? frame;
      frame.allText += length;
      if (inLink) frame.linkText += length;
      else block.ownText += length;
    },
  });
  const found = articleBody && articleBody.text > 0 ? articleBody : best;
  return found === undefined || found.end <= found.start ? undefined : html.slice(found.start, found.end);
}
