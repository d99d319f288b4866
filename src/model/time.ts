/** Instants as the newsroom writes them, kept with their original UTC offset. */

/** An instant together with the offset it was written in, so it can be rendered exactly as written. */
export interface Instant {
  /** RFC 3339, seconds precision, in the original offset: `2023-09-14T08:17:00+09:00`. */
  readonly iso: string;
  /** Milliseconds since the Unix epoch, for ordering and comparison. */
  readonly ms: number;
}

const NEWSROOM_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Reads `2023-09-14 08:17 +09:00`, `2023-09-14T08:17:00+09:00` or, without an offset, a local time in
 * `timeZone` (an IANA name such as `Asia/Seoul`). Throws a message naming the value on anything else.
 */
export function parseNewsroomTime(text: string, timeZone: string): Instant {
  const m = NEWSROOM_TIME.exec(text.trim());
  if (!m) {
    throw new Error(`time "${text}" is not of the form YYYY-MM-DD HH:MM[:SS] [+HH:MM]`);
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new Error(`time "${text}" is not a real calendar date and time`);
  }
  const wallMs = utcMs(year, month, day, hour, minute, second);
  const zone = m[7];
  if (zone !== undefined && zone.length > 1 && Number(zone.slice(-2)) > 59) {
    throw new Error(`time "${text}" has an offset whose minutes are over 59`);
  }
  const offsetMinutes = zone === undefined ? zoneOffsetForWallTime(wallMs, timeZone) : parseOffset(zone);
  if (Math.abs(offsetMinutes) > 18 * 60) throw new Error(`time "${text}" has an offset beyond ±18:00`);
  return instantAt(wallMs - offsetMinutes * 60_000, offsetMinutes);
}

/** Reads a full RFC 3339 timestamp (as stored), keeping its offset. */
export function parseRfc3339(text: string): Instant {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  if (!m) throw new Error(`time "${text}" is not an RFC 3339 timestamp`);
  return parseNewsroomTime(text, "UTC");
}

/** The instant `ms` expressed in the fixed offset `offsetMinutes`. */
export function instantAt(ms: number, offsetMinutes: number): Instant {
  const wall = new Date(ms + offsetMinutes * 60_000);
  const iso =
    `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` +
    `T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}` +
    formatOffset(offsetMinutes, ":");
  return { iso, ms: Math.floor(ms / 1000) * 1000 };
}

/** The same instant shown in `timeZone` (used to show every time in KST on pages). */
export function inZone(instant: Instant, timeZone: string): Instant {
  return instantAt(instant.ms, zoneOffsetAt(instant.ms, timeZone));
}

/** Offset in minutes east of UTC that the RFC 3339 string carries. */
export function offsetOf(instant: Instant): number {
  const tail = instant.iso.slice(19);
  return tail === "Z" ? 0 : parseOffset(tail);
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * RFC 822 as the RSS Profile wants it: four-digit year, seconds, numeric zone.
 * https://www.rssboard.org/rss-profile#data-types-datetime
 */
export function toRfc822(instant: Instant): string {
  const offset = offsetOf(instant);
  const wall = new Date(instant.ms + offset * 60_000);
  return (
    `${WEEKDAYS[wall.getUTCDay()]}, ${pad(wall.getUTCDate())} ${MONTHS[wall.getUTCMonth()]} ${pad(wall.getUTCFullYear(), 4)} ` +
    `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())} ${formatOffset(offset, "")}`
  );
}

/** The wall-clock parts of an instant in its own offset, for pages. */
export function wallClock(instant: Instant): { year: number; month: number; day: number; hour: number; minute: number } {
  const [date, time] = instant.iso.split("T") as [string, string];
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  return { year, month, day, hour, minute };
}

/** Whether `timeZone` is an IANA zone name the runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Like Date.UTC, but years 0-99 stay what they are instead of becoming 1900-1999. */
function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0, 0, 0, 0)).getUTCDate();
}

function parseOffset(zone: string): number {
  if (zone === "Z" || zone === "z") return 0;
  const digits = zone.replace(":", "");
  const sign = digits[0] === "-" ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

function formatOffset(minutes: number, separator: string): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${separator}${pad(abs % 60)}`;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` at the instant `ms`, in minutes east of UTC. */
function zoneOffsetAt(ms: number, timeZone: string): number {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    zoneFormats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  let beforeCommonEra = false;
  for (const part of format.formatToParts(new Date(ms))) {
    if (part.type === "era") beforeCommonEra = part.value === "BC";
    else parts[part.type] = Number(part.value);
  }
  // Intl counts years 1 BC, 2 BC, ... where RFC 3339 has 0000, -0001, ...; and utcMs keeps years 0-99 as written.
  const year = beforeCommonEra ? 1 - parts.year! : parts.year!;
  const wall = utcMs(year, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
}

const DAY_MS = 86_400_000;

/**
 * Offset that `timeZone` applies to a wall-clock time: of the offsets in force a day before and a day
 * after, the ones under which the zone's clocks really showed that time. A time repeated by a
 * transition is read as its first occurrence (the larger offset); a time skipped by one is read with
 * the offset before it, east and west of UTC alike.
 */
function zoneOffsetForWallTime(wallMs: number, timeZone: string): number {
  const before = zoneOffsetAt(wallMs - DAY_MS, timeZone);
  const after = zoneOffsetAt(wallMs + DAY_MS, timeZone);
  const shown = [before, after].filter((offset) => zoneOffsetAt(wallMs - offset * 60_000, timeZone) === offset);
  return shown.length ? Math.max(...shown) : before;
}
