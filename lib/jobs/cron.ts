/**
 * The five-field cron syntax QStash schedules use (minute hour day-of-month month day-of-week), with
 * lists, ranges, steps and month/weekday names. Times are UTC; a `CRON_TZ=` prefix other than UTC is
 * refused rather than silently run in the wrong zone.
 */
export type Cron = {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Standard cron: when both day fields are restricted, a day matching either runs. */
  daysRestricted: boolean;
  weekdaysRestricted: boolean;
};

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function field(text: string, min: number, max: number, names?: string[]): Set<number> {
  const values = new Set<number>();
  const value = (s: string) => {
    const byName = names?.indexOf(s.toLowerCase()) ?? -1;
    const n = byName >= 0 ? byName + (names === MONTHS ? 1 : 0) : Number(s);
    if (!/^\d+$/.test(s) && byName < 0) throw new Error(`invalid cron value "${s}"`);
    if (n < min || n > max) throw new Error(`cron value ${n} is outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`invalid cron step "${stepText}"`);
    let from: number;
    let to: number;
    if (range === "*") [from, to] = [min, max];
    else if (range!.includes("-")) {
      const [a, b] = range!.split("-");
      [from, to] = [value(a!), value(b!)];
    } else {
      from = value(range!);
      to = stepText === undefined ? from : max;
    }
    if (from > to) throw new Error(`invalid cron range "${range}"`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

export function parseCron(expression: string): Cron {
  let expr = expression.trim();
  const tz = /^CRON_TZ=(\S+)\s+/.exec(expr);
  if (tz) {
    if (!["UTC", "Etc/UTC"].includes(tz[1]!)) throw new Error(`schedules run in UTC only (got ${tz[1]})`);
    expr = expr.slice(tz[0].length);
  }
  const parts = expr.split(/\s+/);
  if (parts.length !== 5) throw new Error(`a cron expression has 5 fields, got ${parts.length}`);
  const [mi, h, d, mo, w] = parts as [string, string, string, string, string];
  const weekdays = field(w, 0, 7, WEEKDAYS);
  if (weekdays.delete(7)) weekdays.add(0);
  return {
    minutes: field(mi, 0, 59),
    hours: field(h, 0, 23),
    days: field(d, 1, 31),
    months: field(mo, 1, 12, MONTHS),
    weekdays,
    daysRestricted: d !== "*",
    weekdaysRestricted: w !== "*",
  };
}

function dayMatches(c: Cron, t: Date): boolean {
  const dom = c.days.has(t.getUTCDate());
  const dow = c.weekdays.has(t.getUTCDay());
  if (c.daysRestricted && c.weekdaysRestricted) return dom || dow;
  return dom && dow;
}

/** The first minute strictly after `after` that the expression matches. */
export function nextCronTime(c: Cron, after: Date): Date {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!c.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0);
    } else if (!dayMatches(c, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0);
    } else if (!c.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0);
    } else if (!c.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1);
    } else {
      return t;
    }
  }
  throw new Error("the cron expression never matches");
}
