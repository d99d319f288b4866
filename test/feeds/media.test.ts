/**
 * An article's image in the three formats: Media RSS in RSS and Atom (thumbnail, caption as media:title,
 * alt text as media:description, credit, copyright), JSON Feed's `_media`; and the W3C validator's verdict
 * on feeds that carry all of them.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderAtom } from "../../src/feeds/atom.ts";
import { renderJsonFeed } from "../../src/feeds/json-feed.ts";
import { renderRss } from "../../src/feeds/rss.ts";
import type { FeedModel } from "../../src/feeds/model.ts";
import { everyFeedBeforeAll } from "./every-feed.ts";
import { modelWithText, sampleModel } from "./sample-model.ts";
import { children, NS, only, parseXml, q, type XmlElement } from "./xml-dom.ts";

const VALIDATOR = "/work/shared/tools/feedvalidator/validate.py";
const loaded = everyFeedBeforeAll();

const rssItems = (xml: string) => children(only(parseXml(xml), q(NS.rss, "channel")), q(NS.rss, "item"));
const atomEntries = (xml: string) => children(parseXml(xml), q(NS.atom, "entry"));

/** The children of an item's one media:content, as [local name, attributes, text]. */
function mediaChildren(item: XmlElement) {
  const content = only(item, q(NS.media, "content"));
  return content.children.map((c) => [c.name.slice(`{${NS.media}}`.length), c.attributes, c.text]);
}

const FULL = [
  ["thumbnail", { url: "https://news.example/media/summit.jpg", width: "1200", height: "675" }, ""],
  ["title", { type: "plain" }, "The leaders at the summit's close & the start of talks <on trade>."],
  ["description", { type: "plain" }, `Two leaders "shake" hands`],
  ["credit", {}, "Photo: Park Ji-ho / The Example Daily"],
  ["copyright", {}, "© 2023 The Example Daily"],
];

/** The sample model's image with only the fields named kept among caption, credit and copyright. */
function modelWith(keep: ("caption" | "credit" | "copyright")[]): FeedModel {
  const model = sampleModel();
  const { caption, credit, copyright, ...rest } = model.items[0]!.image!;
  const words = { caption, credit, copyright };
  model.items[0]!.image = { ...rest, ...Object.fromEntries(keep.map((k) => [k, words[k]])) };
  return model;
}

/** The W3C validator's last line on a document (its summary), and its whole output when not clean. */
function validate(name: string, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "media-validate-"));
  try {
    const path = join(dir, name);
    writeFileSync(path, body);
    try {
      return execFileSync("python3", [VALIDATOR, path], { encoding: "utf8" }).trim();
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error).trim();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("an image in Media RSS", () => {
  it("RSS writes media:content with its size, holding the thumbnail, caption, alt text, credit and copyright", () => {
    const item = rssItems(renderRss(sampleModel()))[0]!;
    expect(only(item, q(NS.media, "content")).attributes).toEqual({
      url: "https://news.example/media/summit.jpg",
      type: "image/jpeg",
      medium: "image",
      width: "1200",
      height: "675",
      fileSize: "48213",
    });
    expect(mediaChildren(item)).toEqual(FULL);
    // The enclosure stays beside it.
    expect(only(item, q(NS.rss, "enclosure")).attributes).toEqual({
      url: "https://news.example/media/summit.jpg",
      length: "48213",
      type: "image/jpeg",
    });
  });

  it("Atom writes the same media:content inside the entry", () => {
    const entry = atomEntries(renderAtom(sampleModel()))[0]!;
    expect(only(entry, q(NS.media, "content")).attributes).toMatchObject({ medium: "image", fileSize: "48213" });
    expect(mediaChildren(entry)).toEqual(FULL);
  });

  it("leaves out each of caption, credit and copyright that was not given", () => {
    for (const keep of [[], ["caption"], ["credit"], ["copyright"], ["credit", "copyright"]] as const) {
      const expected = FULL.filter(([name]) => {
        const field = name === "title" ? "caption" : name;
        return name === "thumbnail" || name === "description" || (keep as readonly string[]).includes(field as string);
      });
      const model = modelWith([...keep]);
      expect(mediaChildren(rssItems(renderRss(model))[0]!), keep.join()).toEqual(expected);
      expect(mediaChildren(atomEntries(renderAtom(model))[0]!), keep.join()).toEqual(expected);
    }
  });

  it("carries any text in caption, credit and copyright exactly, as strict XML", () => {
    for (const text of [`a & b < c > d "e" 'f' ]]> g`, "정상회담 · 首脳会談 🤝", "  spaced  "]) {
      const model = modelWithText(text);
      for (const node of [rssItems(renderRss(model))[0]!, atomEntries(renderAtom(model))[0]!]) {
        const content = only(node, q(NS.media, "content"));
        for (const name of ["title", "description", "credit", "copyright"]) expect(only(content, q(NS.media, name)).text).toBe(text);
      }
    }
  });

  it("gives every image of the sample edition a thumbnail of itself, and its caption and credit where the file has them", () => {
    let captioned = 0;
    for (const c of loaded.cases) {
      rssItems(renderRss(c.model)).forEach((item, i) => {
        const image = c.expected[i]!.image;
        if (!image) return;
        const content = only(item, q(NS.media, "content"));
        expect(only(content, q(NS.media, "thumbnail")).attributes).toEqual({
          url: image.url,
          width: String(image.width),
          height: String(image.height),
        });
        expect(children(content, q(NS.media, "title")).map((t) => t.text)).toEqual(image.caption ? [image.caption] : []);
        expect(children(content, q(NS.media, "credit")).map((t) => t.text)).toEqual(image.credit ? [image.credit] : []);
        if (image.caption) captioned++;
      });
    }
    // The English chip-export story is in its language's feed, its section's and its tags' and authors'.
    expect(captioned).toBeGreaterThanOrEqual(2);
  });
});

describe("an image in JSON Feed", () => {
  it("keeps image as the URL and describes it in _media, documented at the media extension page", () => {
    const feed = JSON.parse(renderJsonFeed(sampleModel()));
    expect(feed.items[0].image).toBe("https://news.example/media/summit.jpg");
    expect(feed.items[0]._media).toEqual({
      about: "https://news.example/extensions/media",
      url: "https://news.example/media/summit.jpg",
      mime_type: "image/jpeg",
      size_in_bytes: 48213,
      width: 1200,
      height: 675,
      alt: `Two leaders "shake" hands`,
      caption: "The leaders at the summit's close & the start of talks <on trade>.",
      credit: "Photo: Park Ji-ho / The Example Daily",
      copyright: "© 2023 The Example Daily",
    });
    // No image, no _media.
    expect(feed.items[1]).not.toHaveProperty("_media");
  });

  it("leaves out of _media what is not known", () => {
    const model = modelWith(["credit"]);
    model.items[0]!.image = { ...model.items[0]!.image!, length: 0, width: 0, height: 0, alt: "" };
    expect(JSON.parse(renderJsonFeed(model)).items[0]._media).toEqual({
      about: "https://news.example/extensions/media",
      url: "https://news.example/media/summit.jpg",
      mime_type: "image/jpeg",
      credit: "Photo: Park Ji-ho / The Example Daily",
    });
  });
});

describe("the W3C Feed Validation Service", () => {
  it("finds no error and no warning in RSS and Atom carrying an image with caption, credit and copyright", () => {
    expect(validate("rss.xml", renderRss(sampleModel()))).toMatch(/: RSS 2\.0, 0 error\(s\), 0 warning\(s\)/);
    expect(validate("atom.xml", renderAtom(sampleModel()))).toMatch(/: Atom 1\.0, 0 error\(s\), 0 warning\(s\)/);
  });
});
