import { useEffect, useState } from "react";
import { useI18n } from "../i18n/context";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

const CLOCK_SKEW_S = 5;

/** What to say of a time less than 45 seconds away, instead of Intl's "now". */
export interface RecentWords {
  past: string;
  future: string;
}

/**
 * "3 minutes ago" / "il y a 3 minutes": the largest unit that fits, in the given locale. Under
 * 45 seconds, `recent` ("a few seconds ago") when given, else Intl's own word ("now").
 */
export function formatRelative(
  date: Date,
  now: Date,
  locale: string,
  recent?: RecentWords,
): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (Math.abs(seconds) < 45) {
    if (recent) {
      // A few seconds ahead is the gateway's clock being a little ahead of the browser's.
      return seconds > CLOCK_SKEW_S ? recent.future : recent.past;
    }
    return format.format(0, "second");
  }
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return format.format(Math.round(seconds / size), unit);
    }
  }
  return format.format(seconds, "second");
}

export function formatDateTime(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium" }).format(date);
}

function useNow(intervalMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = window.setInterval(() => setNow(new Date()), intervalMs);
    return () => window.clearInterval(id);
  }, [intervalMs]);
  return now;
}

export interface RelativeTimeProps {
  /** An RFC 3339 time. */
  value: string;
  /** Shows the absolute time, with the relative one as its tooltip. */
  absolute?: boolean;
}

/** A time as people read it, kept current; the other form is in the tooltip. */
export function RelativeTime({ value, absolute }: RelativeTimeProps) {
  const { locale, t } = useI18n();
  const now = useNow(30_000);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return <span>{value}</span>;
  }
  const relative = formatRelative(date, now, locale, {
    past: t("time.fewSecondsAgo"),
    future: t("time.inFewSeconds"),
  });
  const full = formatDateTime(date, locale);
  return (
    <time dateTime={value} title={absolute ? relative : full}>
      {absolute ? full : relative}
    </time>
  );
}
