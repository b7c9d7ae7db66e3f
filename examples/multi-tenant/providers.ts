// The providers the messages go out through. These fakes record each send in a Redis list
// (`multi-tenant:sent:<provider>`); put your SMS gateway and mailer here.

import type { Redis } from "ioredis";
import { fingerprint, type Message, type Provider } from "./messages.js";

export type Send = (provider: Provider, tenant: unknown, message: Message) => Promise<void>;

export interface Sent {
  tenant: number;
  fingerprint: string;
  /** Epoch ms. */
  at: number;
}

export const sentKey = (provider: Provider) => `multi-tenant:sent:${provider}`;

export const fakeProviders =
  (redis: Redis): Send =>
  async (provider, tenant, message) => {
    const sent: Sent = { tenant: Number(tenant), fingerprint: fingerprint(message), at: Date.now() };
    await redis.rpush(sentKey(provider), JSON.stringify(sent));
  };
