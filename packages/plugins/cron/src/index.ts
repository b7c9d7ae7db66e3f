export { CronSyntaxError } from "./cron-error.js";
export { type CronExpression, cronToString, parseCron, type WeekdaySpec } from "./cron-expression.js";
export { nextTick, previousTick } from "./cron-ticks.js";
