/** Settings from the environment and from content/site.yaml, with errors that name the file and the field. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRuntimeConfig } from "../src/config/env.ts";
import { ConfigError } from "../src/config/error.ts";
import { findLanguage, parseSiteSettings } from "../src/config/site.ts";
import { CONTENT_DIR, siteSettings } from "./helpers.ts";

const SITE_YAML_PATH = join(CONTENT_DIR, "site.yaml");
const SITE_YAML = readFileSync(SITE_YAML_PATH, "utf8");
const WHERE = "content/site.yaml";

/**
 * The real settings file with one passage replaced. Throws when the passage is not there, so that a
 * change to site.yaml cannot quietly turn a broken variant back into the valid original.
 */
function siteYamlWith(original: string, replacement: string): string {
  const count = SITE_YAML.split(original).length - 1;
  if (count !== 1) throw new Error(`test setup: expected "${original}" once in ${WHERE}, found it ${count} times`);
  return SITE_YAML.replace(original, replacement);
}

function configErrorOf(yaml: string): ConfigError {
  try {
    parseSiteSettings(yaml, WHERE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("parseSiteSettings accepted settings it should refuse");
}

describe("readRuntimeConfig", () => {
  it("uses the documented defaults for an empty environment", () => {
    expect(readRuntimeConfig({})).toEqual({
      port: 8787,
      host: "127.0.0.1",
      databasePath: "data/articles.db",
      contentDir: "content",
      siteUrl: "http://localhost:8787",
      ingestSchedule: "*/5 * * * *",
      ingestToken: null,
      feedMaxAge: 300,
      websubHubs: [],
      indexNow: null,
    });
  });

  it("treats empty and blank variables as unset, as an empty wrangler var would be", () => {
    expect(readRuntimeConfig({ PORT: "", HOST: "  ", SITE_URL: "" })).toEqual(readRuntimeConfig({}));
  });

  it("reads every variable it is given", () => {
    expect(
      readRuntimeConfig({
        PORT: "3000",
        HOST: "0.0.0.0",
        DATABASE_PATH: "/var/lib/hanbit/articles.db",
        CONTENT_DIR: "/srv/hanbit/content",
        SITE_URL: "https://news.example",
        INGEST_SCHEDULE: "0 * * * *",
        INGEST_TOKEN: "a-push-token-of-some-length",
        FEED_MAX_AGE: "60",
        WEBSUB_HUBS: "https://hub.example/, https://pubsubhubbub.example/hub",
        INDEXNOW_KEY: "0123456789abcdef",
        INDEXNOW_ENDPOINTS: "https://searchadvisor.naver.com/indexnow",
      }),
    ).toEqual({
      port: 3000,
      host: "0.0.0.0",
      databasePath: "/var/lib/hanbit/articles.db",
      contentDir: "/srv/hanbit/content",
      siteUrl: "https://news.example",
      ingestSchedule: "0 * * * *",
      ingestToken: "a-push-token-of-some-length",
      feedMaxAge: 60,
      websubHubs: ["https://hub.example/", "https://pubsubhubbub.example/hub"],
      indexNow: { key: "0123456789abcdef", endpoints: ["https://searchadvisor.naver.com/indexnow"] },
    });
  });

  it("refuses a wrong FEED_MAX_AGE or hub, naming it", () => {
    expect(() => readRuntimeConfig({ FEED_MAX_AGE: "5m" })).toThrow('config: FEED_MAX_AGE "5m"');
    expect(() => readRuntimeConfig({ WEBSUB_HUBS: "https://hub.example/ ftp://x" })).toThrow(
      'config: WEBSUB_HUBS entry "ftp://x" must start with http:// or https://',
    );
  });

  it("refuses a push token short enough to guess", () => {
    expect(() => readRuntimeConfig({ INGEST_TOKEN: "short" })).toThrow("config: INGEST_TOKEN must be at least 16 characters");
  });

  it("removes trailing slashes from SITE_URL so links can be joined with one /", () => {
    expect(readRuntimeConfig({ SITE_URL: "https://news.example/" }).siteUrl).toBe("https://news.example");
    expect(readRuntimeConfig({ SITE_URL: "https://news.example/edition//" }).siteUrl).toBe("https://news.example/edition");
  });

  it.each(["abc", "0", "65536", "80.5", "-1"])("refuses PORT %j, naming the variable and the value", (port) => {
    expect(() => readRuntimeConfig({ PORT: port })).toThrow(new ConfigError(`config: PORT "${port}" is not a port number from 1 to 65535`));
  });

  it.each([
    ["news.example", "is not an absolute URL such as https://news.example"],
    ["ftp://news.example", "must start with http:// or https://"],
    ["https://news.example/?edition=ko", "must not carry a query or fragment"],
    ["https://news.example/#top", "must not carry a query or fragment"],
  ])("refuses SITE_URL %j, naming the variable and the value", (siteUrl, problem) => {
    expect(() => readRuntimeConfig({ SITE_URL: siteUrl })).toThrow(new ConfigError(`config: SITE_URL "${siteUrl}" ${problem}`));
  });

  // An empty query or fragment leaves URL.search and URL.hash empty, yet would put "?" into every link.
  it("refuses a SITE_URL ending in a bare ? or #", () => {
    expect(() => readRuntimeConfig({ SITE_URL: "https://news.example?" })).toThrow("SITE_URL");
    expect(() => readRuntimeConfig({ SITE_URL: "https://news.example#" })).toThrow("SITE_URL");
  });
});

describe("parseSiteSettings on content/site.yaml", () => {
  const settings = parseSiteSettings(SITE_YAML, WHERE);

  it("reads the site's identity and defaults", () => {
    expect(settings.name).toBe("Hanbit Daily");
    expect(settings.idAuthority).toBe("hanbit.example");
    expect(settings.idDate).toBe("2026-09-01");
    expect(settings.timezone).toBe("Asia/Seoul");
    expect(settings.itemCount).toBe(20);
    expect(settings.publisher).toEqual({ name: "Hanbit Daily", email: "desk@hanbit.example" });
  });

  it("lists the four languages in file order, Korean first as the default", () => {
    expect(settings.languages.map((l) => l.tag)).toEqual(["ko", "en", "ja", "zh-Hans"]);
    expect(settings.languages.map((l) => l.name)).toEqual(["한국어", "English", "日本語", "简体中文"]);
  });

  it("gives every language its five sections in file order, with their names", () => {
    for (const language of settings.languages) {
      expect(language.sections.map((s) => s.slug)).toEqual(["politics", "business", "society", "culture", "opinion"]);
    }
    expect(findLanguage(settings, "ko")!.sections.find((s) => s.slug === "culture")!.name).toBe("문화·스포츠");
    expect(findLanguage(settings, "en")!.title).toBe("Hanbit Daily");
    expect(findLanguage(settings, "zh-Hans")!.description).toBe("韩光日报最新新闻与社论（简体中文版）");
  });

  it("is what the shared test helper reads", () => {
    expect(siteSettings()).toEqual(settings);
  });
});

describe("parseSiteSettings refuses broken settings, naming the file and the field", () => {
  it.each([
    ["a YAML syntax error", siteYamlWith("item_count: 20", "item_count: [20"), "config: content/site.yaml: (file) is not valid YAML"],
    [
      "a language key that is not a BCP 47 tag",
      siteYamlWith("  zh-Hans:\n", "  zh_Hans:\n"),
      "config: content/site.yaml: languages.zh_Hans is not a BCP 47 language tag",
    ],
    [
      "a language tag in non-canonical case",
      siteYamlWith("  zh-Hans:\n", "  zh-hans:\n"),
      "config: content/site.yaml: languages.zh-hans must be written in canonical case: zh-Hans",
    ],
    [
      "the reserved section name 'articles', which would clash with article URLs",
      siteYamlWith("      opinion: Editorials & Columns\n", "      opinion: Editorials & Columns\n      articles: Articles\n"),
      "config: content/site.yaml: languages.en.sections.articles must be a lowercase slug",
    ],
    [
      "a section slug in capitals",
      siteYamlWith("      politics: Politics\n", "      Politics: Politics\n"),
      "config: content/site.yaml: languages.en.sections.Politics must be a lowercase slug",
    ],
    [
      "an unknown time zone",
      siteYamlWith("timezone: Asia/Seoul", "timezone: Asia/Gyeongju"),
      'config: content/site.yaml: timezone "Asia/Gyeongju" is not an IANA time zone',
    ],
    [
      "item_count 0",
      siteYamlWith("item_count: 20", "item_count: 0"),
      "config: content/site.yaml: item_count must be a whole number from 1 to 100",
    ],
    [
      "item_count 101",
      siteYamlWith("item_count: 20", "item_count: 101"),
      "config: content/site.yaml: item_count must be a whole number from 1 to 100",
    ],
    [
      "item_count as a string",
      siteYamlWith("item_count: 20", 'item_count: "20"'),
      "config: content/site.yaml: item_count must be a whole number from 1 to 100",
    ],
    [
      "a language without a title",
      siteYamlWith("    title: Hanbit Daily\n", ""),
      "config: content/site.yaml: languages.en.title must be a non-empty string",
    ],
    [
      "an empty site name",
      siteYamlWith("\nname: Hanbit Daily\n", '\nname: ""\n'),
      "config: content/site.yaml: name must be a non-empty string",
    ],
    [
      "an id authority that is not a domain",
      siteYamlWith("id_authority: hanbit.example", "id_authority: https://hanbit.example/"),
      'config: content/site.yaml: id_authority "https://hanbit.example/" must be a domain name',
    ],
    [
      "a publisher e-mail without @",
      siteYamlWith("email: desk@hanbit.example", "email: desk.hanbit.example"),
      "config: content/site.yaml: publisher.email must be an e-mail address",
    ],
    [
      "no languages at all",
      siteYamlWith(SITE_YAML.slice(SITE_YAML.indexOf("languages:")), "languages: {}\n"),
      "config: content/site.yaml: languages must list at least one language",
    ],
  ])("%s", (_case, yaml, message) => {
    expect(configErrorOf(yaml).message).toContain(message);
  });
});

describe("findLanguage", () => {
  const settings = siteSettings();

  it("finds a language whatever the case of the tag, as BCP 47 matching requires", () => {
    expect(findLanguage(settings, "zh-hans")?.tag).toBe("zh-Hans");
    expect(findLanguage(settings, "ZH-HANS")?.tag).toBe("zh-Hans");
    expect(findLanguage(settings, "KO")?.tag).toBe("ko");
  });

  it("finds nothing for a language the site does not publish, or a longer tag of one it does", () => {
    expect(findLanguage(settings, "fr")).toBeUndefined();
    expect(findLanguage(settings, "en-GB")).toBeUndefined();
  });
});

describe("sources in site.yaml", () => {
  const withSources = (yaml: string) => siteYamlWith("sources: []", yaml);
  const good = `sources:
  - id: wire-ko
    kind: feed
    url: https://wire.example/ko/rss.xml
    lang: ko
    section: society
    sections: { 경제: business, Politics: politics }`;

  it("lists none in the sample edition", () => {
    expect(siteSettings().sources).toEqual([]);
  });

  it("reads a source with its defaults: the site's zone, 300 s between requests, 5 MB at most", () => {
    expect(parseSiteSettings(withSources(good), WHERE).sources).toEqual([
      {
        id: "wire-ko",
        kind: "feed",
        url: "https://wire.example/ko/rss.xml",
        lang: "ko",
        section: "society",
        sections: { 경제: "business", politics: "politics" },
        timezone: "Asia/Seoul",
        minInterval: 300,
        maxBytes: 5 * 1024 * 1024,
        allowPrivate: false,
      },
    ]);
  });

  it("reads allow_private and a deadline in seconds", () => {
    const [source] = parseSiteSettings(withSources(`${good}\n    allow_private: true\n    deadline: 90`), WHERE).sources;
    expect(source).toMatchObject({ allowPrivate: true, deadline: 90 });
  });

  it.each([
    [good.replace("kind: feed", "kind: atom"), "sources.wire-ko.kind must be feed or sitemap"],
    [good.replace("url: https://wire.example/ko/rss.xml", "url: ftp://wire.example/x"), "sources.wire-ko.url must be http(s)"],
    [good.replace("lang: ko", "lang: fr"), "sources.wire-ko.lang must be one of the site's languages"],
    [good.replace("section: society", "section: sports"), "sources.wire-ko.section must be a section slug"],
    [good.replace("business,", "sport,"), 'sources.wire-ko.sections.경제 "sport" is not a section slug'],
    [good.replace("id: wire-ko", "id: content"), "sources[0].id must be a slug (a-z, 0-9, -) other than content or push"],
    [`${good}\n    min_interval: -1`, "sources.wire-ko.min_interval must be a whole number, at least 0"],
    [`${good}\n    colour: red`, "sources[0].colour is not a source field"],
    [`${good}\n    allow_private: "yes"`, 'sources.wire-ko.allow_private must be true or false, not "yes" (write it without quotes)'],
    [`${good}\n    allow_private: 1`, "sources.wire-ko.allow_private must be true or false, not 1"],
    [`${good}\n    deadline: 0`, "sources.wire-ko.deadline must be a whole number, at least 1"],
    [`${good}\n    deadline: 2.5`, "sources.wire-ko.deadline must be a whole number, at least 1"],
    [`${good}\n${good.replace("sources:\n", "")}`, 'sources[1].id "wire-ko" is used twice'],
  ])("refuses a wrong source, naming the field (%#)", (yaml, message) => {
    expect(configErrorOf(withSources(yaml)).message).toContain(message);
  });

  it("refuses a section that only another language has, naming the source, the section and its language's sections", () => {
    const yaml = siteYamlWith("      business: 経済\n", "");
    const withJa = yaml.replace(
      "sources: []",
      good.replace("id: wire-ko", "id: wire-ja").replace("lang: ko", "lang: ja").replace("section: society", "section: business"),
    );
    expect(configErrorOf(withJa).message).toBe(
      'config: content/site.yaml: sources.wire-ja.section must be a section slug of its language ja (politics, society, culture, opinion), not "business"',
    );
  });
});
