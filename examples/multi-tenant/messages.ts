// What the Rails app enqueues and the worker sends: three job classes on three queues, each message
// about one record version, sent through a provider (SMS or email).

export const QUEUES = {
  "Alerts::SendSms": "critical",
  "Receipts::SendEmail": "default",
  "Digests::SendEmail": "low",
} as const;
export type MessageClass = keyof typeof QUEUES;

export const PROVIDERS: Record<MessageClass, Provider> = {
  "Alerts::SendSms": "sms",
  "Receipts::SendEmail": "email",
  "Digests::SendEmail": "email",
};
export type Provider = "sms" | "email";

/** One job's argument: the record it is about and that record's lock_version. */
export interface Message {
  record: string;
  version: number;
  to: string;
  body: string;
}

/** What the Rails side is given: a message for a tenant, of a class. */
export interface Enqueue {
  tenant: number;
  class: MessageClass;
  message: Message;
}

/** Record id + version: the same version of a record is sent once, whatever enqueued it. */
export const fingerprint = (message: Message) => `${message.record}@v${message.version}`;

export interface SampleCounts {
  tenants: number[];
  /** Per tenant. */
  sms: number;
  receipts: number;
  digests: number;
}

/**
 * A day's traffic: for each tenant, SMS alerts, receipts and digests; and each tenant's first receipt
 * enqueued twice more (an after_commit that fired twice, a retried request), once with the same
 * lock_version (a duplicate) and once after the record changed (a new version, sent again).
 */
export function sampleTraffic({ tenants, sms, receipts, digests }: SampleCounts): Enqueue[] {
  const traffic: Enqueue[] = [];
  const add = (tenant: number, klass: MessageClass, record: string, version = 1) =>
    traffic.push({
      tenant,
      class: klass,
      message: { record, version, to: `user-${record}@tenant-${tenant}`, body: `${klass} for ${record}` },
    });
  for (const tenant of tenants) {
    for (let i = 1; i <= sms; i++) add(tenant, "Alerts::SendSms", `Alert/${tenant}-${i}`);
    for (let i = 1; i <= receipts; i++) add(tenant, "Receipts::SendEmail", `Receipt/${tenant}-${i}`);
    for (let i = 1; i <= digests; i++) add(tenant, "Digests::SendEmail", `Digest/${tenant}-${i}`);
    add(tenant, "Receipts::SendEmail", `Receipt/${tenant}-1`); // the same version again: skipped
    add(tenant, "Receipts::SendEmail", `Receipt/${tenant}-1`, 2); // a new version: sent
  }
  return traffic;
}
