// The login session: who is signed in, and the CSRF token that state-changing calls carry.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, setCsrfToken } from "./client";
import { queryKeys } from "./queryKeys";
import type { LoginRequest, Session } from "./types";

/** Reads the current session; null when nobody is signed in. */
export async function fetchSession(signal?: AbortSignal): Promise<Session | null> {
  try {
    const session = await api.get<Session>("/session", signal);
    setCsrfToken(session.csrfToken);
    return session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

export function useSession() {
  return useQuery({
    queryKey: queryKeys.session,
    queryFn: ({ signal }) => fetchSession(signal),
    staleTime: Infinity,
  });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (credentials: LoginRequest) => api.post<Session>("/session", credentials),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      queryClient.setQueryData(queryKeys.session, session);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<void>("/session"),
    onSettled: () => {
      // Signed out locally whatever the gateway answered: nothing of the old session is kept.
      setCsrfToken(null);
      queryClient.removeQueries({
        predicate: (q) =>
          q.queryKey[0] !== queryKeys.session[0] && q.queryKey[0] !== queryKeys.info[0],
      });
      queryClient.setQueryData(queryKeys.session, null);
    },
  });
}
