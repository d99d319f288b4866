/** Language tags in the case feeds and pages declare them (RFC 5646 section 2.1.1). */
import { describe, expect, it } from "vitest";
import { canonicalLanguageTag } from "../../src/model/lang.ts";

describe("canonicalLanguageTag", () => {
  it.each([
    ["zh-hans-cn", "zh-Hans-CN"],
    ["ZH-HANS", "zh-Hans"],
    ["EN", "en"],
    ["en-gb", "en-GB"],
    ["sr-latn", "sr-Latn"],
    ["SR-LATN-rs", "sr-Latn-RS"],
    // A UN M.49 region is digits and has no case.
    ["es-419", "es-419"],
    // Variants are lowercase, whether letters or a digit-led year.
    ["sl-ROZAJ", "sl-rozaj"],
    ["de-ch-1996", "de-CH-1996"],
  ])("writes %s as %s", (tag, canonical) => {
    expect(canonicalLanguageTag(tag)).toBe(canonical);
  });

  it("leaves a tag already in canonical case as it is", () => {
    for (const tag of ["ko", "en", "ja", "zh-Hans"]) expect(canonicalLanguageTag(tag)).toBe(tag);
  });

  it.each([
    ["an underscore, as in POSIX locales", "zh_CN"],
    ["a one-letter language", "e"],
    ["a word too long for a language subtag", "toolongtag"],
    ["a trailing hyphen", "en-"],
    ["an empty subtag", "en--us"],
    ["an empty string", ""],
    ["a space", "en US"],
  ])("refuses %s (%j)", (_case, tag) => {
    expect(canonicalLanguageTag(tag)).toBeNull();
  });
});
