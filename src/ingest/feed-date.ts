/** Dates as upstream feeds write them (RFC 822 and 3339, and the broken and local forms seen in the wild) to instants. */
import { parseNewsroomTime, type Instant } from "../model/time.ts";

const MONTH_NAMES = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
/** Month numbers by full English name, three-letter abbreviation, and the "Sept" some style guides use. */
const MONTHS = new Map([
  ...MONTH_NAMES.map((name, i) => [name, i + 1] as const),
  ...MONTH_NAMES.map((name, i) => [name.slice(0, 3), i + 1] as const),
  ["sept", 9],
]);

/** Zone names feeds print, as minutes east of UTC (RFC 822 section 5.1, plus the Korean and Japanese desks' own). */
const NAMED_ZONES = new Map([
  ["Z", 0],
  ["UT", 0],
  ["UTC", 0],
  ["GMT", 0],
  ["EST", -300],
  ["EDT", -240],
  ["CST", -360],
  ["CDT", -300],
  ["MST", -420],
  ["MDT", -360],
  ["PST", -480],
  ["PDT", -420],
  ["KST", 540],
  ["JST", 540],
]);

// Hour and minute, optional seconds and fraction (Instants keep whole seconds), and an AM/PM marker written
// before the time (Korean and Japanese) or after it (English). Five groups: marker, hour, minute, second, marker.
const TIME = String.raw`(?:(오전|오후|午前|午後)\s*)?(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:\s*([AaPp])\.?[Mm]\.?(?![A-Za-z]))?`;

// No pattern ends in `\s*(.*)$` for the zone: a `.*` that must reach the end trades characters with every `\d+` and
// `\s*` before it, and backtracks quadratically when it cannot (a line break). Each pattern stops where the date or
// time does and the zone is the rest of the text, taken in code: the same split, as collapsed text has no line break
// for `.*$` to fail on, so the first way the date matched was always the one kept.

/** A date is a few dozen characters; more than this, once spacing is collapsed, is not one, and no pattern runs on it. */
const MAX_DATE_LENGTH = 200;

/** `2023-09-14T08:17:00+09:00`, `2023-09-14 08:17:00.0`, `2023.09.14 08:17`, `2023/09/14`, `2023. 9. 14. 오후 3:04`. */
const NUMERIC_DATE = new RegExp(String.raw`^(\d{4})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{1,2})\.?(?:(?:\s*[Tt]\s*|\s+)${TIME})?`);
/** ISO 8601 basic format: `20230914`, `20230914T0817Z`, `20230914T081700+0900`. */
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})(?:[Tt](\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?)?/;
/** RFC 822 and its relatives: `Thu, 14 Sep 2023 08:17:00 +0900`, `14 Sep 23 08:17 KST`, `14-Sep-2023`. */
const DAY_FIRST_DATE = new RegExp(
  String.raw`^(?:[A-Za-z]+\.?,?\s*)?(\d{1,2})[\s-]+([A-Za-z]+)\.?,?[\s-]+(\d{4}|\d{2})(?:(?:\s*,\s*|\s+|[Tt])${TIME})?`,
);
/** `Sep 14, 2023 8:17 PM`, and JavaScript's `Thu Sep 14 2023 08:17:00 GMT+0900`. */
const MONTH_FIRST_DATE = new RegExp(
  String.raw`^(?:[A-Za-z]+\.?,?\s+)?([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:,?\s+(?:at\s+)?${TIME})?`,
);
/** `2023년 9월 14일 08:17`, `2023년 9월 14일 (목) 오후 3시 4분`, `2023年9月14日 8時17分`. */
const CJK_DATE = new RegExp(
  String.raw`^(\d{4})\s*[년年]\s*(\d{1,2})\s*[월月]\s*(\d{1,2})\s*[일日](?:\s*[(（][^)）]{1,3}[)）])?` +
    String.raw`(?:\s*(?:${TIME}|(?:(오전|오후|午前|午後)\s*)?(\d{1,2})\s*[시時](?:\s*(\d{1,2})\s*[분分])?(?:\s*(\d{1,2})\s*[초秒])?))?`,
);

/**
 * Reads a date as feeds write it: RFC 822/1123 (RFC 5322 section 3.3, with its obsolete two-digit years
 * and named zones), RFC 3339 / ISO 8601, and the broken forms seen in the wild (dotted or slashed dates,
 * Korean and Japanese dates, a trailing `(KST)` comment). A weekday is ignored, right or wrong; military
 * zone letters mean UTC (RFC 5322 section 4.3); a date or time without a zone is read in `timeZone`.
 * The instant keeps the offset it was written with. Null when the text is not a readable date.
 */
export function parseFeedDate(text: string, timeZone: string): Instant | null {
  const collapsed = text.replace(/\s+/g, " ").trim();
  if (collapsed.length > MAX_DATE_LENGTH) return null;
  const trimmed = withoutComment(collapsed);
  // The zone: what follows the matched date and time, spaces before it dropped (`trimStart` drops exactly `\s`).
  const zoneAfter = (m: RegExpExecArray) => trimmed.slice(m[0].length).trimStart();
  let m: RegExpExecArray | null;
  if ((m = NUMERIC_DATE.exec(trimmed))) {
    return dateFrom(timeZone, m[1]!, m[3], m[4]!, m.slice(5, 10), zoneAfter(m));
  }
  if ((m = COMPACT_DATE.exec(trimmed))) {
    return dateFrom(timeZone, m[1]!, m[2], m[3]!, [undefined, m[4], m[5], m[6], undefined], zoneAfter(m));
  }
  if ((m = DAY_FIRST_DATE.exec(trimmed))) {
    return dateFrom(timeZone, fullYear(m[3]!), monthNumber(m[2]!), m[1]!, m.slice(4, 9), zoneAfter(m));
  }
  if ((m = MONTH_FIRST_DATE.exec(trimmed))) {
    return dateFrom(timeZone, m[3]!, monthNumber(m[1]!), m[2]!, m.slice(4, 9), zoneAfter(m));
  }
  if ((m = CJK_DATE.exec(trimmed))) {
    const time = m[5] !== undefined ? m.slice(4, 9) : [...m.slice(9, 13), undefined];
    return dateFrom(timeZone, m[1]!, m[2], m[3]!, time, zoneAfter(m));
  }
  return null;
}

/**
 * The text without a trailing comment such as `(KST)` or `(Korean Standard Time)`, and the spaces before it. Found by
 * index: the pattern `\s*\([^()]*\)$` would be tried from every space and rescan the run after it.
 */
function withoutComment(text: string): string {
  if (!text.endsWith(")")) return text;
  const open = text.lastIndexOf("(");
  if (open === -1 || text.indexOf(")", open) !== text.length - 1) return text;
  return text.slice(0, open).trimEnd();
}

/** RFC 5322 section 4.3: a two-digit year below 50 is in the 2000s, any other in the 1900s. */
function fullYear(year: string): string {
  if (year.length === 4) return year;
  return String(Number(year) < 50 ? 2000 + Number(year) : 1900 + Number(year));
}

function monthNumber(name: string): string | undefined {
  const month = MONTHS.get(name.toLowerCase());
  return month === undefined ? undefined : String(month);
}

/** The instant for the parts a pattern matched, through parseNewsroomTime so calendar and zone rules live in one place. */
function dateFrom(
  timeZone: string,
  year: string,
  month: string | undefined,
  day: string,
  [before, hour, minute, second, after]: (string | undefined)[],
  zoneText: string,
): Instant | null {
  if (month === undefined) return null;
  let offset: number | undefined;
  if (zoneText !== "") {
    offset = zoneOffset(zoneText);
    if (offset === undefined) return null;
  }
  let h = Number(hour ?? 0);
  const marker = before ?? after;
  if (marker !== undefined) {
    if (h < 1 || h > 12) return null;
    const pm = /^(?:오후|午後|p)$/i.test(marker);
    h = (h % 12) + (pm ? 12 : 0);
  }
  const pad = (v: string | number) => String(v).padStart(2, "0");
  const zone =
    offset === undefined ? "" : `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  try {
    return parseNewsroomTime(`${year}-${pad(month)}-${pad(day)} ${pad(h)}:${pad(minute ?? 0)}:${pad(second ?? 0)}${zone}`, timeZone);
  } catch (error) {
    // Intl rejects an unknown zone name with a RangeError: that is a settings mistake, not a bad date.
    if (error instanceof RangeError) throw new Error(`normalize-text: time zone "${timeZone}" is not an IANA zone name`, { cause: error });
    return null;
  }
}

/** Minutes east of UTC for `+0900`, `+09:00`, `+09`, `GMT+9`, `Z`, a zone name or a military letter; undefined if unknown. */
function zoneOffset(zone: string): number | undefined {
  const upper = zone.toUpperCase();
  const named = NAMED_ZONES.get(upper);
  if (named !== undefined) return named;
  if (/^[A-IK-Z]$/.test(upper)) return 0;
  const m = /^(?:UTC|GMT|UT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(upper);
  if (!m) return undefined;
  const minutes = Number(m[3] ?? 0);
  if (minutes > 59) return undefined;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + minutes);
}
