import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { useTaskLog, type TaskLogOptions } from "../../api/taskLog";
import type { Task } from "../../api/types";
import { Icon } from "../../components/Icon";
import { useI18n } from "../../i18n/context";

// How close to the bottom still counts as "at the end" (sub-pixel rounding, a line's margin).
const FOLLOW_SLACK_PX = 24;

export interface TaskLogProps {
  task: Task;
  id?: string;
  options?: TaskLogOptions;
}

/**
 * A task's output as it is written. The view follows the end while the user is there; once they
 * scroll up to read, it stays put, and "Jump to the end" brings it back.
 */
export function TaskLog({ task, id, options }: TaskLogProps) {
  const { t } = useI18n();
  const log = useTaskLog(task.name, options);
  const preRef = useRef<HTMLPreElement>(null);
  const followRef = useRef(true);
  const [following, setFollowing] = useState(true);

  useLayoutEffect(() => {
    const pre = preRef.current;
    if (pre && followRef.current) {
      pre.scrollTop = pre.scrollHeight;
    }
  }, [log.text]);

  // A narrower view wraps the lines, so the end moves down without a scroll: keep up with it.
  useEffect(() => {
    const pre = preRef.current;
    if (!pre || typeof ResizeObserver === "undefined") {
      return undefined;
    }
    const observer = new ResizeObserver(() => {
      if (followRef.current) {
        pre.scrollTop = pre.scrollHeight;
      }
    });
    observer.observe(pre);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const pre = preRef.current;
    if (!pre) {
      return;
    }
    const atEnd = pre.scrollHeight - pre.scrollTop - pre.clientHeight <= FOLLOW_SLACK_PX;
    followRef.current = atEnd;
    setFollowing(atEnd);
  };

  const jumpToEnd = () => {
    const pre = preRef.current;
    followRef.current = true;
    setFollowing(true);
    if (pre) {
      pre.scrollTop = pre.scrollHeight;
    }
  };

  let state: string;
  if (log.connection === "ended") {
    state = log.endPhase
      ? t("tasks.logEnded", { phase: t(`taskPhase.${log.endPhase}`) })
      : t("tasks.logClosed");
  } else {
    state = t(`stream.${log.connection}`);
  }

  return (
    <div className="task-log" id={id} data-testid="task-log">
      <div className="task-log__bar">
        <span
          className={`live live--${log.connection === "open" ? "open" : "waiting"} task-log__state`}
        >
          {log.connection !== "ended" && <span className="live__dot" aria-hidden="true" />}
          <span data-testid="task-log-state">{state}</span>
        </span>
        {!following && (
          <button
            type="button"
            className="btn btn--ghost btn--sm"
            data-testid="task-log-follow"
            onClick={jumpToEnd}
          >
            <Icon name="chevronDown" size={16} />
            {t("tasks.logFollow")}
          </button>
        )}
      </div>
      <pre
        ref={preRef}
        className="task-log__output"
        role="log"
        aria-label={t("tasks.logOf", { description: task.description })}
        tabIndex={0}
        data-testid="task-log-output"
        onScroll={onScroll}
      >
        {log.text || (
          <span className="task-log__empty">
            {log.connection === "ended" ? t("tasks.logNone") : t("tasks.logWaiting")}
          </span>
        )}
      </pre>
    </div>
  );
}
