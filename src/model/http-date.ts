/** HTTP dates (RFC 9110 §5.6.7) read and written, and the Retry-After field that may carry one. */

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** `Sun, 06 Nov 1994 08:49:37 GMT`, the preferred form. */
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
/** `Sunday, 06-Nov-94 08:49:37 GMT`, obsolete (RFC 850): the day's full name and a two-digit year. */
const RFC_850_DATE = /^[a-z]{6,9}, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
/** `Sun Nov  6 08:49:37 1994`, obsolete (C's asctime): the day is two digits or a space and one digit. */
const ASCTIME_DATE = /^[a-z]{3} ([a-z]{3}) (\d{2}| \d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

/**
 * An HTTP-date in any of its three forms, as epoch milliseconds, or null when `value` is absent, not
 * an HTTP-date, or names a moment that does not exist (31 Feb, 25:00). `now` settles the century of
 * an RFC 850 two-digit year: RFC 9110 reads a year more than 50 years ahead as the most recent past
 * year with those digits. Month and day names are read in any case, as servers in the wild send them.
 */
export function parseHttpDate(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const text = value.trim();
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(text))) {
    const [, day, month, year, hour, minute, second] = match as unknown as string[];
    return utc(Number(year), month!, day!, hour!, minute!, second!);
  }
  if ((match = RFC_850_DATE.exec(text))) {
    const [, day, month, year, hour, minute, second] = match as unknown as string[];
    return utc(fullYear(Number(year), now), month!, day!, hour!, minute!, second!);
  }
  if ((match = ASCTIME_DATE.exec(text))) {
    const [, month, day, hour, minute, second, year] = match as unknown as string[];
    return utc(Number(year), month!, day!, hour!, minute!, second!);
  }
  return null;
}

/** An instant as IMF-fixdate, the form every HTTP-date we send takes. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/**
 * A Retry-After value (RFC 9110 §10.2.3), delta-seconds or an HTTP-date, as milliseconds to wait from
 * `now`: never negative, null when absent or not valid.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text, now);
  return date === null ? null : Math.max(0, date - now);
}

/** The year ending in `twoDigits` that is at most 50 years after the year of `now`, and the latest such. */
function fullYear(twoDigits: number, now: number): number {
  const latest = new Date(now).getUTCFullYear() + 50;
  return latest - ((((latest - twoDigits) % 100) + 100) % 100);
}

/** The instant the fields name, or null when they name none; Date.UTC would roll 31 Feb over into March. */
function utc(year: number, monthName: string, day: string, hour: string, minute: string, second: string): number | null {
  const month = MONTHS.indexOf(monthName.toLowerCase());
  if (month === -1) return null;
  const fields = [year, month, Number(day), Number(hour), Number(minute), Number(second)];
  const date = new Date(0);
  // Set field by field: Date.UTC would read a year below 100 as 19xx.
  date.setUTCFullYear(year, month, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second));
  const back = [
    date.getUTCFullYear(),
    date.getUTCMonth(),
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  ];
  return back.every((field, i) => field === fields[i]) ? date.getTime() : null;
}
