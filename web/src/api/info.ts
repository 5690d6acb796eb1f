import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./queryKeys";
import type { Info } from "./types";

/** What the gateway runs against: version, namespace and whether nodes are simulated. */
export function useInfo() {
  return useQuery({
    queryKey: queryKeys.info,
    queryFn: ({ signal }) => api.get<Info>("/info", signal),
    staleTime: 5 * 60_000,
  });
}
