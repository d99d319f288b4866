/** The article page's image (figure, caption, credit, ImageObject) and its authors' fediverse handles. */
import { Parser } from "htmlparser2";
import { afterAll, describe, expect, it } from "vitest";
import type { Article } from "../../src/model/article.ts";
import { createApp } from "../../src/http/app.ts";
import { articlePage } from "../../src/pages/article.ts";
import { loadedStore } from "../helpers.ts";

const { store, site, logger } = await loadedStore();
const app = createApp({ store, site, logger });
afterAll(() => store.close());

const english = site.settings.languages.find((l) => l.tag === "en")!;

interface Element {
  name: string;
  attributes: Record<string, string>;
  /** The decoded text inside it, its descendants' included. */
  text: string;
  /** Names of the elements inside it, in document order, as `parent>child` paths from it. */
  inner: string[];
}

/** Every element of a page, parsed as a browser would (htmlparser2, entities decoded), in document order. */
function elements(html: string): Element[] {
  const all: Element[] = [];
  const open: Element[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        for (const e of open) e.inner.push(name);
        const element = { name, attributes, text: "", inner: [] };
        all.push(element);
        open.push(element);
      },
      ontext(text) {
        for (const e of open) e.text += text;
      },
      onclosetag() {
        open.pop();
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return all;
}

const jsonLd = (html: string) =>
  JSON.parse(elements(html).find((e) => e.name === "script" && e.attributes.type === "application/ld+json")!.text);
const fediverseMeta = (html: string) =>
  elements(html)
    .filter((e) => e.name === "meta" && e.attributes.name === "fediverse:creator")
    .map((e) => e.attributes.content);

/** The sample's English chip-export story with its image and authors replaced. */
async function chipStory(change: (a: Article) => Partial<Article>): Promise<string> {
  const [article] = (await store.latest({ lang: "en", limit: 10_000 })).filter((a) => a.story === "semiconductor-export-record");
  const editions = await store.editions([article!.story]);
  return articlePage(site, english, { ...article!, ...change(article!) }, editions);
}

describe("the article page of the sample's chip-export story", () => {
  it("shows the image in a figure, with the caption and the credit in its figcaption", async () => {
    const response = await app.request("/en/articles/chip-exports-hit-record");
    expect(response.status).toBe(200);
    const page = elements(await response.text());
    const figure = page.find((e) => e.name === "figure")!;
    expect(figure.inner).toEqual(["img", "figcaption", "span", "small"]);
    const figcaption = page.find((e) => e.name === "figcaption")!;
    expect(figcaption.text).toBe(
      "Memory for AI servers carried September's chip exports to a record $17.4 billion. Illustration: Hanbit News graphics desk",
    );
    expect(page.find((e) => e.name === "small" && e.attributes.class === "credit")!.text).toBe("Illustration: Hanbit News graphics desk");
  });

  it("names the author's fediverse handle in the head, once, and no other", async () => {
    const html = await (await app.request("/en/articles/chip-exports-hit-record")).text();
    expect(fediverseMeta(html)).toEqual(["@minseo@social.hanbit.example"]);
    const head = html.slice(0, html.indexOf("</head>"));
    expect(head).toContain('<meta name="fediverse:creator" content="@minseo@social.hanbit.example">');
  });

  it("gives the ImageObject the caption and the credit, and no copyright notice where none was given", async () => {
    const ld = jsonLd(await (await app.request("/en/articles/chip-exports-hit-record")).text());
    expect(ld.image).toEqual({
      "@type": "ImageObject",
      url: "https://news.example/media/chip-fab.jpg",
      width: 1200,
      height: 675,
      caption: "Memory for AI servers carried September's chip exports to a record $17.4 billion.",
      creditText: "Illustration: Hanbit News graphics desk",
    });
  });

  it("writes no figcaption and no fediverse:creator for an article without them, and keeps the alt text as the caption", async () => {
    const response = await app.request("/ko/articles/yeouido-bulkkot-chukje-baekman-inpa");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(elements(html).filter((e) => e.name === "figcaption")).toEqual([]);
    expect(elements(html).find((e) => e.name === "figure")!.inner).toEqual(["img"]);
    expect(fediverseMeta(html)).toEqual([]);
    const ld = jsonLd(html);
    expect(ld.image.caption).toBe(elements(html).find((e) => e.name === "img")!.attributes.alt);
    expect(ld.image).not.toHaveProperty("creditText");
  });
});

describe("an image's words and authors' handles on the article page", () => {
  const hostile = `R&D <b>"quoted"</b> </script><!-- ]]>`;

  it("escapes caption, credit and copyright in the figcaption and keeps them whole in the JSON-LD", async () => {
    const html = await chipStory((a) => ({
      image: { ...a.image!, caption: hostile, credit: `© ${hostile}`, copyright: `Copyright ${hostile}` },
    }));
    const page = elements(html);
    expect(page.find((e) => e.name === "figcaption")!.text).toBe(`${hostile} © ${hostile}`);
    expect(page.filter((e) => e.name === "b")).toEqual([]);
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(jsonLd(html).image).toMatchObject({ caption: hostile, creditText: `© ${hostile}`, copyrightNotice: `Copyright ${hostile}` });
  });

  it("shows a credit alone, or a caption alone", async () => {
    const creditOnly = elements(await chipStory((a) => ({ image: { ...a.image!, caption: undefined, credit: "Photo: Lee Jun" } })));
    expect(creditOnly.find((e) => e.name === "figcaption")!.inner).toEqual(["small"]);
    expect(creditOnly.find((e) => e.name === "figcaption")!.text).toBe("Photo: Lee Jun");
    const captionOnly = elements(await chipStory((a) => ({ image: { ...a.image!, caption: "Cranes.", credit: undefined } })));
    expect(captionOnly.find((e) => e.name === "figcaption")!.inner).toEqual(["span"]);
  });

  it("writes one fediverse:creator per author who has a handle, in byline order", async () => {
    const html = await chipStory(() => ({
      authors: [
        { name: "Kang Min-seo", fediverse: "@minseo@social.hanbit.example" },
        { name: "Oh Tae-yang" },
        { name: "Yoon Ha-eun", fediverse: "@haeun@mastodon.example" },
      ],
    }));
    expect(fediverseMeta(html)).toEqual(["@minseo@social.hanbit.example", "@haeun@mastodon.example"]);
  });
});

describe("/extensions/media", () => {
  it("documents the _media members and the Media RSS elements the feeds write", async () => {
    const response = await app.request("/extensions/media");
    expect(response.status).toBe(200);
    const text = elements(await response.text())
      .filter((e) => e.name === "code")
      .map((e) => e.text)
      .join("\n");
    for (const name of ["_media", "mime_type", "size_in_bytes", "caption", "credit", "copyright", "media:credit", "media:copyright"]) {
      expect(text).toContain(name);
    }
  });
});
