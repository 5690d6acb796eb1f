// The gateway API's types, taken from src/gateway/openapi.json: `npm run gen:api` (run by
// `npm run build`, `npm run typecheck`, `npm test` and `npm run lint`) generates ./schema.ts from
// the document with openapi-typescript, and this file only names its parts. A field the app reads
// that the document lacks, or a value the document no longer lists, fails `tsc`.
//
// Where the app relies on more than the document's `required` lists promise (fields the gateway
// always sends), `Sent` says so, checked against the document's property names.

import type { components, operations } from "./schema";
import {
  agentStateStateValues,
  appPhaseValues,
  componentsParametersAgentNameValues,
  componentsParametersAppTypeValues,
  taskPhaseValues,
} from "./schema";

type Schemas = components["schemas"];
type Parameters = components["parameters"];

/** T with the keys K (which must be T's) always present. */
type Sent<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };

/** T with the properties of N narrowed; each must be a property of T and a subtype of it. */
type Narrowed<T, N extends { [P in keyof N]: P extends keyof T ? T[P] : never }> = Omit<
  T,
  keyof N
> &
  N;

export const APP_TYPES = componentsParametersAppTypeValues;
export type AppType = Parameters["AppType"];

export const APP_PHASES = appPhaseValues;
export type AppPhase = Schemas["App"]["phase"];

/** The error body every failing call returns. `field` names the offending input, when there is one. */
export type ErrorBody = Schemas["Error"];

export type LoginRequest = Schemas["LoginRequest"];
export type Session = Schemas["Session"];
export type Info = Schemas["Info"];
export type ActionRequest = Schemas["ActionRequest"];

/** The known keys of spec.settings (a request sets one to null to remove it), and any other. */
export type AppSettings = Schemas["App"]["settings"] &
  Partial<NonNullable<Schemas["AppSettingsRequest"]["settings"]>>;

export type AppSettingsRequest = Schemas["AppSettingsRequest"];
export type Link = Schemas["Link"];
export type Condition = Schemas["Condition"];
export type Volume = Schemas["Volume"];

/** The document's type is a string; its values are those of the AppType parameter. */
export type App = Narrowed<Schemas["App"], { type: AppType; settings: AppSettings }>;

export type AppList = { items: App[] };
export type Credentials = Schemas["Credentials"];

export type AuditResult = Schemas["AuditEvent"]["result"];
export type AuditEvent = Schemas["AuditEvent"];
export type AuditPage = Schemas["AuditPage"];

type AuditQuery = NonNullable<operations["listAuditEvents"]["parameters"]["query"]>;
type AuditFilterKey = keyof Pick<AuditQuery, "action" | "actor" | "target" | "from" | "to">;

/** The query filters shared by the audit list and its exports. Times are RFC 3339. */
export type AuditFilters = { [K in AuditFilterKey]?: string };

/**
 * The subset of an OpenAPI v3 schema object the settings form understands (what
 * /api/v1/schema/app-settings serves).
 */
export interface JsonSchema {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
}

// ---------- instances and their agents ----------

/** The agents an instance can run, in the order the gateway lists them. */
export const AGENTS = componentsParametersAgentNameValues;
export type AgentName = Parameters["AgentName"];

export const AGENT_STATES = agentStateStateValues;
export type AgentState = Schemas["AgentState"]["state"];

/** The document's name is a string; its values are those of the AgentName parameter. */
export type AgentStatus = Narrowed<Schemas["AgentState"], { name: AgentName }>;

export type OsInfo = Required<NonNullable<Schemas["Instance"]["os"]>>;

/** The gateway sends every field of an instance (empty strings when unknown). */
export type Instance = Narrowed<
  Sent<Schemas["Instance"], "network" | "os" | "backups" | "createdAt">,
  { os: OsInfo; agents: AgentStatus[] }
>;

export type InstanceList = { items: Instance[] };
export type AgentChangeRequest = Schemas["AgentRequest"];

export type NetworkList = Schemas["NetworkList"];
export type Network = NetworkList["items"][number];

export type EnrollmentTokenRequest = Schemas["EnrollmentTokenRequest"];
export type EnrollmentToken = Schemas["EnrollmentToken"];

// ---------- tasks ----------

export const TASK_PHASES = taskPhaseValues;
export type TaskPhase = Schemas["Task"]["phase"];
export type TaskAction = Schemas["Task"]["action"];

/** The gateway always sends createdAt and cancelRequested; agent, when set, names an agent. */
export type Task = Narrowed<
  Sent<Schemas["Task"], "createdAt" | "cancelRequested">,
  { agent?: AgentName }
>;

export type TaskList = { items: Task[] };

// The document describes the log stream's events in words only (streamTaskLog's summary).

/** A "log" event of a task's log stream: `text` starts at byte `offset` of the run's output. */
export interface LogChunk {
  offset: number;
  text: string;
}

/** The "end" event of a task's log stream. */
export interface LogEnd {
  phase: TaskPhase;
}
