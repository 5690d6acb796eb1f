// Types of the gateway API, matching src/gateway/openapi.json (components.schemas).

export const APP_TYPES = [
  "zabbix",
  "graylog",
  "rundeck",
  "clamav-mirror",
  "artifactory",
  "ntp",
  "duplicity",
] as const;
export type AppType = (typeof APP_TYPES)[number];

export const APP_PHASES = [
  "NotInstalled",
  "Stopped",
  "Installing",
  "Running",
  "Degraded",
  "Failed",
] as const;
export type AppPhase = (typeof APP_PHASES)[number];

/** The error body every failing call returns. `field` names the offending input, when there is one. */
export interface ErrorBody {
  error: {
    code: number;
    message: string;
    field?: string;
  };
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface Session {
  user: string;
  csrfToken: string;
  expiresAt: string;
}

export interface Info {
  version: string;
  namespace: string;
  /** Nodes are simulated: workloads report Ready without running, so the apps' own UIs are not reachable. */
  localMode: boolean;
}

export interface ActionRequest {
  reason?: string;
}

/** The known keys of spec.settings; each applies to the types its schema description names. */
export interface AppSettings {
  timezone?: string;
  config?: string;
  refreshSchedule?: string;
  upstreamServers?: string[];
  backupTarget?: string;
  retentionDays?: number;
  [key: string]: unknown;
}

export interface AppSettingsRequest {
  /** A key set to null is removed. */
  settings: Record<string, unknown>;
  reason?: string;
}

export interface Link {
  title: string;
  url: string;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Volume {
  name: string;
  size: string;
  bound: boolean;
}

export interface App {
  type: AppType;
  name: string;
  displayName: string;
  description: string;
  links: Link[];
  installed: boolean;
  enabled: boolean;
  phase: AppPhase;
  message?: string;
  /** Where GO leads (empty when the app has no web UI or is not running). */
  url?: string;
  settings: AppSettings;
  settingKeys: string[];
  conditions?: Condition[];
  volumes?: Volume[];
  hasCredentials: boolean;
  resourceVersion?: string;
}

export interface AppList {
  items: App[];
}

export interface Credentials {
  username: string;
  password: string;
}

export type AuditResult = "success" | "failure" | "denied";

export interface AuditEvent {
  name: string;
  time: string;
  actor: string;
  action: string;
  result: AuditResult;
  targetKind?: string;
  targetName?: string;
  source?: string;
  reason?: string;
  details?: string;
}

export interface AuditPage {
  items: AuditEvent[];
  total: number;
  page: number;
  pageSize: number;
}

/** The query filters shared by the audit list and its exports. Times are RFC 3339. */
export interface AuditFilters {
  action?: string;
  actor?: string;
  target?: string;
  from?: string;
  to?: string;
}

/** The subset of an OpenAPI v3 schema object the settings form understands. */
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
export const AGENTS = ["zabbix", "graylog", "rundeck", "clamav", "repository", "ntp", "backup"] as const;
export type AgentName = (typeof AGENTS)[number];

export const AGENT_STATES = ["Absent", "Installing", "Installed", "Removing", "Failed"] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export interface AgentStatus {
  name: AgentName;
  /** What was asked for: installed (true) or absent (false). */
  wanted: boolean;
  state: AgentState;
  message?: string;
  /** The Task carrying out the last change. */
  taskRef?: string;
  /** A change is under way (Installing or Removing, or waiting for its task). */
  busy: boolean;
}

export interface OsInfo {
  family: string;
  name: string;
  version: string;
}

export interface Instance {
  name: string;
  hostname: string;
  addresses: string[];
  network: string;
  tenant?: string;
  flavor?: string;
  os: OsInfo;
  /** How many restore points the instance has. */
  backups: number;
  lastSeen?: string;
  createdAt: string;
  /** Always the seven agents, in the order of AGENTS. */
  agents: AgentStatus[];
}

export interface InstanceList {
  items: Instance[];
}

export interface AgentChangeRequest {
  enabled: boolean;
  reason?: string;
}

export interface Network {
  name: string;
}

export interface NetworkList {
  items: Network[];
}

export interface EnrollmentTokenRequest {
  network: string;
  /** 60 to 86400; the gateway's default when left out. */
  ttlSeconds?: number;
  /** 1 to 1000; the gateway's default when left out. */
  maxUses?: number;
}

export interface EnrollmentToken {
  token: string;
  network: string;
  expiresAt: string;
  maxUses: number;
  /** The one-liner to run on the instance. */
  command: string;
  /** The same, as a cloud-init user-data snippet for a new instance. */
  cloudInit: string;
}

// ---------- tasks ----------

export const TASK_PHASES = ["Pending", "Running", "Succeeded", "Failed", "Cancelled"] as const;
export type TaskPhase = (typeof TASK_PHASES)[number];

export type TaskAction = "install" | "remove" | "run" | "backup" | "restore";

export interface Task {
  name: string;
  action: TaskAction;
  agent?: AgentName;
  targets: string[];
  /** For example "Install ntp on web-1". */
  description: string;
  phase: TaskPhase;
  message?: string;
  createdAt: string;
  startTime?: string;
  completionTime?: string;
  cancelRequested: boolean;
  logTail?: string;
}

export interface TaskList {
  items: Task[];
}

/** A "log" event of a task's log stream: `text` starts at byte `offset` of the run's output. */
export interface LogChunk {
  offset: number;
  text: string;
}

/** The "end" event of a task's log stream. */
export interface LogEnd {
  phase: TaskPhase;
}
