// The tasks (agent installs and removals, runs, backups), newest first, and their cancellation.
// Every answer that carries a Task replaces that task in the one cached list.

import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { upsert } from "./lists";
import { queryKeys } from "./queryKeys";
import type { ActionRequest, Task, TaskList, TaskPhase } from "./types";

const PHASE_RANK: Record<TaskPhase, number> = {
  Pending: 0,
  Running: 1,
  Succeeded: 2,
  Failed: 2,
  Cancelled: 2,
};

/** Pending and Running tasks may still be cancelled; the others have ended. */
export function isActive(phase: TaskPhase): boolean {
  return PHASE_RANK[phase] < 2;
}

function createdMs(task: Task): number {
  const ms = Date.parse(task.createdAt);
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * The list with `task` put in place of the one of the same name, or sorted in by creation time
 * (newest first). A task never goes back to an earlier phase, so an answer older than the cached
 * state (a late cancel response after the "task" event that ended it) is ignored.
 */
export function mergeTask(list: TaskList | undefined, task: Task): TaskList | undefined {
  if (!list) {
    return list;
  }
  const current = list.items.find((item) => item.name === task.name);
  if (current && PHASE_RANK[task.phase] < PHASE_RANK[current.phase]) {
    return list;
  }
  const items = upsert(
    list.items,
    task,
    (item) => item.name === task.name,
    (item) => createdMs(item) < createdMs(task),
  );
  return { ...list, items };
}

export function putTask(queryClient: QueryClient, task: Task): void {
  queryClient.setQueryData<TaskList>(queryKeys.tasks, (old) => mergeTask(old, task));
}

export function useTasks() {
  return useQuery({
    queryKey: queryKeys.tasks,
    queryFn: ({ signal }) => api.get<TaskList>("/tasks", signal),
  });
}

/** Asks the gateway to cancel a Pending or Running task; 409 when it has already ended. */
export function useCancelTask() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => {
      const body: ActionRequest = {};
      return api.post<Task>(`/tasks/${encodeURIComponent(name)}/cancel`, body);
    },
    onSuccess: (task) => putTask(queryClient, task),
  });
}
