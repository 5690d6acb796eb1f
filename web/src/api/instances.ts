// The enrolled instances, their agents, and how new instances join: every answer that carries an
// Instance replaces that instance in the one cached list.

import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { upsert } from "./lists";
import { queryKeys } from "./queryKeys";
import type {
  AgentChangeRequest,
  AgentName,
  EnrollmentToken,
  EnrollmentTokenRequest,
  Instance,
  InstanceList,
  NetworkList,
} from "./types";

/** The list with `instance` put in place of the one of the same name (a new one sorted in by name). */
export function mergeInstance(
  list: InstanceList | undefined,
  instance: Instance,
): InstanceList | undefined {
  if (!list) {
    return list;
  }
  const items = upsert(
    list.items,
    instance,
    (item) => item.name === instance.name,
    (item) => item.name.localeCompare(instance.name) > 0,
  );
  return { ...list, items };
}

export function putInstance(queryClient: QueryClient, instance: Instance): void {
  queryClient.setQueryData<InstanceList>(queryKeys.instances, (old) =>
    mergeInstance(old, instance),
  );
}

export function useInstances() {
  return useQuery({
    queryKey: queryKeys.instances,
    queryFn: ({ signal }) => api.get<InstanceList>("/instances", signal),
  });
}

export interface AgentChange {
  instance: string;
  agent: AgentName;
  enabled: boolean;
}

/** Asks for an agent to be installed on (enabled) or removed from an instance. */
export function useSetAgent() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ instance, agent, enabled }: AgentChange) => {
      const body: AgentChangeRequest = { enabled };
      return api.put<Instance>(
        `/instances/${encodeURIComponent(instance)}/agents/${encodeURIComponent(agent)}`,
        body,
      );
    },
    onSuccess: (instance) => putInstance(queryClient, instance),
  });
}

/** The networks known from instances and tenants, offered when enrolling. */
export function useNetworks() {
  return useQuery({
    queryKey: queryKeys.networks,
    queryFn: ({ signal }) => api.get<NetworkList>("/networks", signal),
  });
}

/** Creates an enrollment token: the command and cloud-init snippet that make an instance join. */
export function useCreateEnrollmentToken() {
  return useMutation({
    mutationFn: (request: EnrollmentTokenRequest) =>
      api.post<EnrollmentToken>("/enrollment-tokens", request),
    gcTime: 0,
  });
}
