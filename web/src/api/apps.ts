// The catalog apps: the list, its live updates, and the actions a tile or the settings dialog
// takes. Every answer that carries an App replaces that app in the one cached list.

import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { upsert } from "./lists";
import { queryKeys } from "./queryKeys";
import type {
  ActionRequest,
  App,
  AppList,
  AppSettingsRequest,
  AppType,
  Credentials,
  JsonSchema,
} from "./types";

function isNewer(incoming: App, current: App): boolean {
  // resourceVersions are opaque, but one API server hands them out increasing; when both are
  // plain numbers, an older answer (a late mutation response) must not undo a newer event.
  const a = incoming.resourceVersion;
  const b = current.resourceVersion;
  if (a && b && /^\d+$/.test(a) && /^\d+$/.test(b)) {
    return BigInt(a) >= BigInt(b);
  }
  return true;
}

/** The list with `app` put in place of the app of the same type (appended if it is new). */
export function mergeApp(list: AppList | undefined, app: App): AppList | undefined {
  if (!list) {
    return list;
  }
  const current = list.items.find((item) => item.type === app.type);
  if (current && !isNewer(app, current)) {
    return list;
  }
  return { ...list, items: upsert(list.items, app, (item) => item.type === app.type) };
}

export function putApp(queryClient: QueryClient, app: App): void {
  queryClient.setQueryData<AppList>(queryKeys.apps, (old) => mergeApp(old, app));
}

export function useApps() {
  return useQuery({
    queryKey: queryKeys.apps,
    queryFn: ({ signal }) => api.get<AppList>("/apps", signal),
  });
}

function actionBody(reason?: string): ActionRequest | undefined {
  const trimmed = reason?.trim();
  return trimmed ? { reason: trimmed } : undefined;
}

export interface AppAction {
  type: AppType;
  reason?: string;
}

export function useStartApp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ type, reason }: AppAction) =>
      api.post<App>(`/apps/${encodeURIComponent(type)}/start`, actionBody(reason)),
    onSuccess: (app) => putApp(queryClient, app),
  });
}

export function useStopApp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ type, reason }: AppAction) =>
      api.post<App>(`/apps/${encodeURIComponent(type)}/stop`, actionBody(reason)),
    onSuccess: (app) => putApp(queryClient, app),
  });
}

export interface SettingsUpdate {
  type: AppType;
  /** Changed keys only; null removes a key. */
  settings: Record<string, unknown>;
  reason?: string;
}

export function useUpdateAppSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ type, settings, reason }: SettingsUpdate) => {
      const body: AppSettingsRequest = { settings };
      const trimmed = reason?.trim();
      if (trimmed) {
        body.reason = trimmed;
      }
      return api.patch<App>(`/apps/${encodeURIComponent(type)}`, body);
    },
    onSuccess: (app) => putApp(queryClient, app),
  });
}

/** Reveals an app's generated admin credentials. Never cached: each reveal is audited. */
export function useRevealCredentials() {
  return useMutation({
    mutationFn: ({ type, reason }: AppAction) =>
      api.post<Credentials>(`/apps/${encodeURIComponent(type)}/credentials`, actionBody(reason)),
    gcTime: 0,
  });
}

/** The schema of spec.settings, as the API server enforces it. */
export function useAppSettingsSchema() {
  return useQuery({
    queryKey: queryKeys.appSettingsSchema,
    queryFn: ({ signal }) => api.get<JsonSchema>("/schema/app-settings", signal),
    staleTime: 10 * 60_000,
  });
}
