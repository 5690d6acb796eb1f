import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError, setCsrfToken } from "./client";
import { queryKeys } from "./queryKeys";

function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

/**
 * The dashboard's cache. A 401 from any call means the session is gone (expired or revoked):
 * the session entry is cleared, which shows the login page.
 */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (isUnauthorized(error) && query.queryKey[0] !== queryKeys.session[0]) {
          setCsrfToken(null);
          client.setQueryData(queryKeys.session, null);
        }
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        if (isUnauthorized(error)) {
          setCsrfToken(null);
          client.setQueryData(queryKeys.session, null);
        }
      },
    }),
    defaultOptions: {
      queries: {
        // Client errors do not get better by asking again; network and 5xx errors may.
        retry: (failureCount, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) &&
          failureCount < 2,
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
