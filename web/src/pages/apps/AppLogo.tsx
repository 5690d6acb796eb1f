import type { ReactNode } from "react";
import type { AppType } from "../../api/types";

// A simple mark per catalog app: a colour and a symbol of what the service does, no product
// trademarks.
const MARKS: Record<AppType, { background: string; glyph: ReactNode }> = {
  zabbix: {
    background: "#d40000",
    glyph: (
      <path
        d="M14 15h20L15 33h19"
        fill="none"
        stroke="#fff"
        strokeWidth="4.5"
        strokeLinejoin="round"
      />
    ),
  },
  graylog: {
    background: "#1f2937",
    glyph: (
      <>
        <circle cx="24" cy="24" r="12.5" fill="none" stroke="#ff3633" strokeWidth="3.5" />
        <path
          d="M14 24h4l2.5-5 3.5 10 3-7 1.5 2H34"
          fill="none"
          stroke="#fff"
          strokeWidth="2.4"
          strokeLinejoin="round"
          strokeLinecap="round"
        />
      </>
    ),
  },
  rundeck: {
    background: "#111827",
    glyph: (
      <>
        <rect
          x="11"
          y="14"
          width="26"
          height="22"
          rx="3.5"
          fill="none"
          stroke="#fff"
          strokeWidth="3"
        />
        <path
          d="M11 20.5h26M18 10.5v6M30 10.5v6"
          fill="none"
          stroke="#fff"
          strokeWidth="3"
          strokeLinecap="round"
        />
        <path d="M21 24v8.5l7.5-4.25z" fill="#f43f5e" />
      </>
    ),
  },
  "clamav-mirror": {
    background: "#b91c1c",
    glyph: (
      <>
        <path d="M24 11l11 4v8c0 7-4.8 12-11 14-6.2-2-11-7-11-14v-8z" fill="#fff" />
        <path
          d="M19 24l3.5 3.5L29.5 20"
          fill="none"
          stroke="#b91c1c"
          strokeWidth="3"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </>
    ),
  },
  artifactory: {
    background: "#15803d",
    glyph: (
      <>
        <path
          d="M24 11l12 6v14l-12 6-12-6V17z"
          fill="none"
          stroke="#fff"
          strokeWidth="3"
          strokeLinejoin="round"
        />
        <path
          d="M12 17l12 6 12-6M24 23v14"
          fill="none"
          stroke="#fff"
          strokeWidth="3"
          strokeLinejoin="round"
        />
      </>
    ),
  },
  ntp: {
    background: "#0f172a",
    glyph: (
      <>
        <circle cx="24" cy="24" r="12" fill="none" stroke="#fff" strokeWidth="3.2" />
        <path
          d="M24 16v8l5.5 3.5"
          fill="none"
          stroke="#38bdf8"
          strokeWidth="3.2"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </>
    ),
  },
  duplicity: {
    background: "#6d28d9",
    glyph: (
      <>
        <path d="M16 31h16a6 6 0 00.8-11.95A8.5 8.5 0 0016.7 17 7 7 0 0016 31z" fill="#fff" />
        <path
          d="M24 20v8M20.5 24.5L24 28l3.5-3.5"
          fill="none"
          stroke="#6d28d9"
          strokeWidth="2.6"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </>
    ),
  },
};

export interface AppLogoProps {
  type: AppType;
  size?: number;
}

export function AppLogo({ type, size = 56 }: AppLogoProps) {
  const mark = MARKS[type] ?? { background: "#64748b", glyph: null };
  return (
    <svg
      className="app-logo"
      width={size}
      height={size}
      viewBox="0 0 48 48"
      aria-hidden="true"
      focusable="false"
    >
      <rect width="48" height="48" rx="12" fill={mark.background} />
      {mark.glyph}
    </svg>
  );
}
