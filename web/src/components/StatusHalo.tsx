import type { ReactNode } from "react";
import type { AppPhase } from "../api/types";
import { useI18n } from "../i18n/context";

/** The colour family of a phase: yellow while installing, green running, red broken, grey idle. */
export type HaloTone = "installing" | "running" | "failed" | "idle";

export function haloTone(phase: AppPhase): HaloTone {
  switch (phase) {
    case "Installing":
      return "installing";
    case "Running":
      return "running";
    case "Failed":
    case "Degraded":
      return "failed";
    case "Stopped":
    case "NotInstalled":
      return "idle";
  }
}

export interface StatusHaloProps {
  phase: AppPhase;
  /** What the halo surrounds (an app's logo); decorative, the label carries the meaning. */
  children?: ReactNode;
  /** Diameter in pixels; by default the stylesheet's (smaller on narrow screens). */
  size?: number;
  testId?: string;
}

/** A ring around an app's logo whose colour tells its phase at a glance, as in the tiles. */
export function StatusHalo({ phase, children, size, testId = "app-halo" }: StatusHaloProps) {
  const { t } = useI18n();
  const tone = haloTone(phase);
  const label = t("halo.label", { phase: t(`phase.${phase}`) });
  return (
    <span
      className={`halo halo--${tone}`}
      data-testid={testId}
      data-phase={phase}
      data-tone={tone}
      role="img"
      aria-label={label}
      title={label}
      style={size === undefined ? undefined : { width: size, height: size }}
    >
      <span className="halo__inner" aria-hidden="true">
        {children}
      </span>
    </span>
  );
}
