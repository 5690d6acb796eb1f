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
