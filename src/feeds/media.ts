/** Media RSS (https://www.rssboard.org/media-rss) for an article's image, shared by RSS and Atom. */
import type { ArticleImage } from "../model/article.ts";
import { xmlAttribute as attr, xmlText as text } from "../model/escape.ts";

/** Sizes are 0 when the source did not state them; Media RSS wants positive numbers or nothing. */
const size = (name: string, n: number) => (n > 0 ? ` ${name}="${n}"` : "");

export function mediaContent(image: ArticleImage): string {
  const open =
    `<media:content url="${attr(image.url)}" type="${attr(image.type)}" medium="image"` +
    `${size("width", image.width)}${size("height", image.height)}${size("fileSize", image.length)}`;
  return image.alt ? `${open}><media:description type="plain">${text(image.alt)}</media:description></media:content>\n` : `${open}/>\n`;
}
