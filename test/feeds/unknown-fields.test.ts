/** Upstream articles may lack an image's size or any author: the feeds then leave those parts out. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { renderAtom } from "../../src/feeds/atom.ts";
import { renderJsonFeed } from "../../src/feeds/json-feed.ts";
import { renderRss } from "../../src/feeds/rss.ts";
import { sampleModel } from "./sample-model.ts";
import { children, NS, only, parseXml, q } from "./xml-dom.ts";

function modelWithUnknowns() {
  const model = sampleModel();
  const item = model.items[0]!;
  item.image = { url: item.image!.url, type: item.image!.type, length: 0, width: 0, height: 0, alt: "" };
  item.authors = [];
  return model;
}

describe("an image of unknown size and an item without authors", () => {
  it("RSS writes media:content without sizes and no enclosure, which would need a length", () => {
    const item = children(only(parseXml(renderRss(modelWithUnknowns())), q("", "channel")), q("", "item"))[0]!;
    expect(children(item, q("", "enclosure"))).toEqual([]);
    const media = only(item, q(NS.media, "content"));
    expect(media.attributes).toEqual({ url: "https://news.example/media/summit.jpg", type: "image/jpeg", medium: "image" });
    // The thumbnail is the image itself, and without a known size it states none; no caption, alt text, credit or copyright.
    expect(media.children.map((c) => [c.name, c.attributes])).toEqual([
      [q(NS.media, "thumbnail"), { url: "https://news.example/media/summit.jpg" }],
    ]);
    expect(children(item, q(NS.dc, "creator"))).toEqual([]);
  });

  it("Atom links the enclosure without a length and relies on the feed's author", () => {
    const feed = parseXml(renderAtom(modelWithUnknowns()));
    const entry = children(feed, q(NS.atom, "entry"))[0]!;
    const enclosure = children(entry, q(NS.atom, "link")).find((l) => l.attributes.rel === "enclosure");
    expect(enclosure?.attributes).toEqual({ rel: "enclosure", type: "image/jpeg", href: "https://news.example/media/summit.jpg" });
    expect(children(entry, q(NS.atom, "author"))).toEqual([]);
    expect(children(feed, q(NS.atom, "author"))).toHaveLength(1);
  });

  it("JSON Feed leaves authors out and still validates against the 1.1 schema", () => {
    const ajv = new Ajv2020({ strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "jsonfeed-1.1.schema.json"), "utf8")));
    const feed = JSON.parse(renderJsonFeed(modelWithUnknowns()));
    expect(feed.items[0]).not.toHaveProperty("authors");
    expect(validate(feed) ? [] : validate.errors).toEqual([]);
  });
});
