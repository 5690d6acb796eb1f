export interface BrandMarkProps {
  size?: number;
}

/** The product's mark: a cloud holding a gear, drawn inline. */
export function BrandMark({ size = 32 }: BrandMarkProps) {
  return (
    <svg
      className="brandmark"
      width={size}
      height={size}
      viewBox="0 0 32 32"
      aria-hidden="true"
      focusable="false"
    >
      <defs>
        <linearGradient id="brandmark-sky" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#38bdf8" />
          <stop offset="1" stopColor="#0369a1" />
        </linearGradient>
      </defs>
      <rect width="32" height="32" rx="8" fill="url(#brandmark-sky)" />
      <path
        d="M10 22.5h12.5a4.5 4.5 0 00.6-8.96A6.5 6.5 0 0010.6 12 5.25 5.25 0 0010 22.5z"
        fill="#fff"
        opacity="0.95"
      />
      <circle cx="16" cy="17" r="3.2" fill="none" stroke="#0369a1" strokeWidth="1.8" />
      <path
        d="M16 12.4v1.4M16 20.2v1.4M11.4 17h1.4M19.2 17h1.4M12.8 13.8l1 1M18.2 19.2l1 1M12.8 20.2l1-1M18.2 14.8l1-1"
        stroke="#0369a1"
        strokeWidth="1.6"
        strokeLinecap="round"
      />
    </svg>
  );
}
