import type { App } from "../../api/types";

/** Start is offered while nothing runs; every other phase (failed ones too) offers Stop. */
export function canStart(app: App): boolean {
  return app.phase === "NotInstalled" || app.phase === "Stopped";
}

/** GO leads somewhere only for a running app that has a web UI. */
export function canGo(app: App): boolean {
  return app.phase === "Running" && Boolean(app.url);
}
