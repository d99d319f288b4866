/** Each format of a fixed feed, byte for byte: a change to the output shows up as a reviewed diff. */
import { describe, expect, it, vi } from "vitest";
import { FORMAT_NAMES, FORMATS } from "../../src/feeds/formats.ts";
import { readFeed } from "../../src/feeds/build.ts";
import { loadedStore } from "../helpers.ts";
import { sampleModel } from "./sample-model.ts";

describe("snapshots", () => {
  for (const format of FORMAT_NAMES) {
    it(`renders the sample model as ${FORMATS[format].label}`, async () => {
      await expect(FORMATS[format].render(sampleModel())).toMatchFileSnapshot(`__snapshots__/sample.${FORMATS[format].file}`);
    });

    it(`renders the Korean culture feed of the sample edition as ${FORMATS[format].label}`, async () => {
      const { store, site } = await loadedStore();
      const language = site.settings.languages.find((l) => l.tag === "ko")!;
      const model = await readFeed(store, site, { language, section: language.sections.find((s) => s.slug === "culture") });
      await expect(FORMATS[format].render(model)).toMatchFileSnapshot(`__snapshots__/ko-culture.${FORMATS[format].file}`);
    });
  }

  it("renders the same data to the same bytes, whatever the clock says", () => {
    const renderAt = (now: string) => {
      vi.useFakeTimers({ now: new Date(now) });
      try {
        return FORMAT_NAMES.map((f) => FORMATS[f].render(sampleModel()));
      } finally {
        vi.useRealTimers();
      }
    };
    expect(renderAt("2031-05-05T12:00:00Z")).toEqual(renderAt("2024-01-01T00:00:00Z"));
  });
});
