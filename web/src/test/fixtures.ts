// Gateway answers shaped as openapi.json describes them.

import {
  AGENTS,
  type AgentName,
  type AgentStatus,
  type App,
  type AppType,
  type AuditEvent,
  type Info,
  type Instance,
  type JsonSchema,
  type Session,
  type Task,
} from "../api/types";

export const session: Session = {
  user: "alice",
  csrfToken: "csrf-token-123",
  expiresAt: "2030-01-01T00:00:00Z",
};

export const info = (localMode = false): Info => ({
  version: "0.1.0",
  namespace: "mcm",
  localMode,
});

const SETTING_KEYS: Record<AppType, string[]> = {
  zabbix: ["timezone"],
  graylog: ["timezone", "retentionDays"],
  rundeck: ["timezone", "config"],
  "clamav-mirror": ["timezone", "refreshSchedule"],
  artifactory: ["timezone"],
  ntp: ["timezone", "upstreamServers"],
  duplicity: ["timezone", "backupTarget"],
};

const NAMES: Record<AppType, string> = {
  zabbix: "Zabbix",
  graylog: "Graylog",
  rundeck: "Rundeck",
  "clamav-mirror": "ClamAV mirror",
  artifactory: "Artifactory",
  ntp: "NTP",
  duplicity: "Duplicity",
};

export function makeApp(type: AppType, overrides: Partial<App> = {}): App {
  return {
    type,
    name: type,
    displayName: NAMES[type],
    description: `${NAMES[type]} for the fleet.`,
    links: [{ title: "Documentation", url: `https://docs.example.org/${type}` }],
    installed: false,
    enabled: false,
    phase: "NotInstalled",
    url: "",
    settings: {},
    settingKeys: SETTING_KEYS[type],
    hasCredentials: false,
    ...overrides,
  };
}

export function catalog(): App[] {
  return [
    makeApp("zabbix", {
      installed: true,
      enabled: true,
      phase: "Running",
      url: "http://10.0.0.1:30601/",
      hasCredentials: true,
      resourceVersion: "100",
    }),
    makeApp("graylog", {
      installed: true,
      enabled: true,
      phase: "Installing",
      settings: { retentionDays: 30 },
    }),
    makeApp("rundeck", { installed: true, phase: "Stopped" }),
    makeApp("clamav-mirror", {
      installed: true,
      enabled: true,
      phase: "Failed",
      message: "image pull failed",
    }),
    makeApp("artifactory"),
    makeApp("ntp"),
    makeApp("duplicity", { installed: true, enabled: true, phase: "Degraded" }),
  ];
}

/** The settings schema as the gateway serves it from the App CRD. */
export const settingsSchema: JsonSchema = {
  type: "object",
  properties: {
    timezone: {
      type: "string",
      description: "Time zone of the app, as an IANA name such as Europe/Paris or UTC (all types).",
      maxLength: 64,
      pattern: "^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$",
    },
    config: {
      type: "string",
      description: "The complete configuration file (type rundeck only).",
      maxLength: 65536,
    },
    refreshSchedule: {
      type: "string",
      description: "A cron expression of five fields or a macro such as @daily.",
      maxLength: 128,
      pattern:
        "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[0-9*/,-]+\\s+[0-9*/,-]+\\s+[0-9*/,?-]+\\s+[0-9A-Za-z*/,-]+\\s+[0-9A-Za-z*/,?-]+)$",
    },
    upstreamServers: {
      type: "array",
      description: "Time servers the NTP server synchronises from (type ntp only).",
      minItems: 1,
      maxItems: 8,
      items: {
        type: "string",
        maxLength: 253,
        pattern:
          "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$",
      },
    },
    backupTarget: {
      type: "string",
      description: "Default destination of file-level backups, as a URL (type duplicity only).",
      maxLength: 2048,
      pattern: "^(s3|swift|sftp|file)://.+",
    },
    retentionDays: {
      type: "integer",
      description:
        "How many days of logs are kept before the oldest are deleted (type graylog only), from 1 to 3650.",
      minimum: 1,
      maximum: 3650,
    },
  },
};

export function auditEvent(index: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    name: `audit-${index}`,
    time: new Date(Date.UTC(2025, 0, 31, 14, 5, index)).toISOString(),
    actor: "alice",
    action: "app.start",
    result: "success",
    targetKind: "App",
    targetName: "zabbix",
    source: "10.8.0.6",
    ...overrides,
  };
}

/** The seven agents of an instance, all absent unless `overrides` says otherwise. */
export function agents(
  overrides: Partial<Record<AgentName, Partial<AgentStatus>>> = {},
): AgentStatus[] {
  return AGENTS.map((name) => ({
    name,
    wanted: false,
    state: "Absent",
    message: "",
    taskRef: "",
    busy: false,
    ...overrides[name],
  }));
}

export function makeInstance(name: string, overrides: Partial<Instance> = {}): Instance {
  return {
    name,
    hostname: name,
    addresses: ["10.251.1.2"],
    network: "net-a",
    tenant: "default",
    flavor: "s1.small",
    os: { family: "debian", name: "Debian", version: "12" },
    backups: 0,
    lastSeen: "2025-01-31T11:59:00Z",
    createdAt: "2025-01-30T08:00:00Z",
    agents: agents(),
    ...overrides,
  };
}

export function makeTask(name: string, overrides: Partial<Task> = {}): Task {
  return {
    name,
    action: "install",
    agent: "ntp",
    targets: ["web-1"],
    description: "Install ntp on web-1",
    phase: "Pending",
    message: "Waiting",
    createdAt: "2025-01-31T11:59:55Z",
    cancelRequested: false,
    logTail: "",
    ...overrides,
  };
}
