/**
 * Media RSS (https://www.rssboard.org/media-rss) for an article's image, shared by RSS and Atom: one
 * `media:content` whose children say what aggregators read: the thumbnail (the image itself: the
 * service makes no smaller copy), the caption as `media:title`, the alt text as `media:description`,
 * the credit and the copyright notice.
 */
import type { ArticleImage } from "../model/article.ts";
import { xmlAttribute as attr, xmlText as text } from "../model/escape.ts";

/** Sizes are 0 when the source did not state them; Media RSS wants positive numbers or nothing. */
const size = (name: string, n: number) => (n > 0 ? ` ${name}="${n}"` : "");

export function mediaContent(image: ArticleImage): string {
  const open =
    `<media:content url="${attr(image.url)}" type="${attr(image.type)}" medium="image"` +
    `${size("width", image.width)}${size("height", image.height)}${size("fileSize", image.length)}>`;
  const inner = [
    `<media:thumbnail url="${attr(image.url)}"${size("width", image.width)}${size("height", image.height)}/>`,
    image.caption ? `<media:title type="plain">${text(image.caption)}</media:title>` : "",
    image.alt ? `<media:description type="plain">${text(image.alt)}</media:description>` : "",
    // No role: the newsroom's credit line names a photographer, an agency or both, in its own words.
    image.credit ? `<media:credit>${text(image.credit)}</media:credit>` : "",
    image.copyright ? `<media:copyright>${text(image.copyright)}</media:copyright>` : "",
  ];
  return `${open}${inner.join("")}</media:content>\n`;
}
