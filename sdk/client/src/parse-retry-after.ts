/**
 * Seconds to wait according to a `Retry-After` value (RFC 9110 §10.2.3): delay-seconds or an
 * HTTP-date in any of the three formats a recipient must accept (§5.6.7). A date in the past
 * gives 0. Anything else gives undefined: a bad header must not stall the retry schedule.
 * Read by the SDK's retries and by the server's webhook deliveries alike.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text);
  const date = parseHttpDate(text, now);
  if (date === undefined) return undefined;
  return Math.max(0, Math.ceil((date.getTime() - now.getTime()) / 1000));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
// Sun Nov  6 08:49:37 1994
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

function parseHttpDate(text: string, now: Date): Date | undefined {
  let match = IMF_FIXDATE.exec(text);
  if (match) return utcDate(Number(match[3]), match[2]!, match[1]!, match[4]!, match[5]!, match[6]!);
  match = RFC850_DATE.exec(text);
  if (match) return utcDate(rfc850Year(Number(match[3]), now), match[2]!, match[1]!, match[4]!, match[5]!, match[6]!);
  match = ASCTIME_DATE.exec(text);
  if (match) return utcDate(Number(match[6]), match[1]!, match[2]!, match[3]!, match[4]!, match[5]!);
  return undefined;
}

/** RFC 9110: a two-digit year more than 50 years ahead means the most recent past such year. */
function rfc850Year(twoDigits: number, now: Date): number {
  const currentYear = now.getUTCFullYear();
  const candidate = currentYear - (currentYear % 100) + twoDigits;
  return candidate > currentYear + 50 ? candidate - 100 : candidate;
}

function utcDate(year: number, month: string, day: string, hour: string, minute: string, second: string): Date | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const date = new Date(Date.UTC(year, monthIndex, Number(day), Number(hour), Number(minute), Number(second)));
  // Date.UTC rolls over (31 Feb becomes 3 Mar); a date that does not round-trip is invalid.
  const roundTrips =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === monthIndex &&
    date.getUTCDate() === Number(day) &&
    date.getUTCHours() === Number(hour) &&
    date.getUTCMinutes() === Number(minute) &&
    date.getUTCSeconds() === Number(second);
  return roundTrips ? date : undefined;
}
