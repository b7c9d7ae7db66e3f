// Notifications the example sends: amounts a JSON number would change ("12.30" → 12.3, and past 2^53
// the cents are gone).

import type { Notification } from "./notification.js";

export const SAMPLE_NOTIFICATIONS: Notification[] = [
  { dedup_key: "order-41/paid", user_id: 41, event: "payment_received", amount: "12.30", currency: "EUR" },
  {
    dedup_key: "order-42/paid",
    user_id: 42,
    event: "payment_received",
    amount: "1000000000000.01",
    currency: "USD",
  },
  {
    dedup_key: "order-43/refund",
    user_id: 43,
    event: "refund_issued",
    amount: "92233720368547758.07",
    currency: "JPY",
  },
  { dedup_key: "order-44/paid", user_id: 44, event: "payment_received", amount: "0.10", currency: "GBP" },
];
