/** Markdown bodies to HTML: raw HTML shown as text, every link absolute, only web and mail links. */
import { Marked, type Token, type Tokens } from "marked";
import { escapeHtml } from "../model/escape.ts";

const ALLOWED_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/** Renders Markdown, resolving relative links against `baseUrl`; unsafe or broken links become plain text. */
export function markdownToHtml(markdown: string, baseUrl: string): string {
  const marked = new Marked({
    gfm: true,
    async: false,
    walkTokens(token: Token) {
      if (token.type === "link" || token.type === "image") {
        const link = token as Tokens.Link | Tokens.Image;
        link.href = absoluteUrl(link.href, baseUrl) ?? "";
      }
    },
    renderer: {
      html(token) {
        return escapeHtml(token.text);
      },
      link(token) {
        const text = this.parser.parseInline(token.tokens);
        if (!token.href) return text;
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
        return `<a href="${escapeHtml(token.href)}"${title}>${text}</a>`;
      },
      image(token) {
        if (!token.href) return escapeHtml(token.text);
        return `<img src="${escapeHtml(token.href)}" alt="${escapeHtml(token.text)}">`;
      },
    },
  });
  return (marked.parse(markdown) as string).trim();
}

/** The absolute form of `href` against `baseUrl`, or null when it is not an http(s) or mailto URL. */
export function absoluteUrl(href: string, baseUrl: string): string | null {
  try {
    const url = new URL(href, `${baseUrl}/`);
    return ALLOWED_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}
