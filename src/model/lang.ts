/** BCP 47 language tags (RFC 5646), in the canonical case that feeds and pages declare. */

// language[-script][-region](-variant)*; extensions and private use are not needed by a newsroom.
const LANG_TAG = /^([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|\d{3}))?((?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*)$/i;

/**
 * The tag in RFC 5646 case conventions (`zh-hans-cn` becomes `zh-Hans-CN`), or null when it is not a
 * well-formed language[-script][-region][-variant] tag.
 */
export function canonicalLanguageTag(tag: string): string | null {
  const m = LANG_TAG.exec(tag);
  if (!m) return null;
  const [, language, script, region, variants] = m;
  let out = language!.toLowerCase();
  if (script) out += `-${script[0]!.toUpperCase()}${script.slice(1).toLowerCase()}`;
  if (region) out += `-${region.toUpperCase()}`;
  if (variants) out += variants.toLowerCase();
  return out;
}
