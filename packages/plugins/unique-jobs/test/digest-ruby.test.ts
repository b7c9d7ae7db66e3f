// The fields the gem's client middleware writes (Job.prepare: lock_timeout, lock_ttl, lock_prefix,
// lock_args, lock_digest), computed by sidekiq-unique-jobs 8.1.0 itself under Sidekiq 7 and 8
// (fixtures/ruby/unique_digest.rb), byte for byte against kiq's prepareItem.

import { generateJson } from "@kiq/core";
import { describe, expect, it } from "vitest";
import { runRubyScript, type SidekiqMajor } from "../../../../test/support/ruby.js";
import { type DigestAlgorithm, prepareItem, uniqueConfig } from "../src/index.js";
import { parseRubyJson } from "./support/ruby-json.js";

const FIXTURE = "fixtures/ruby/unique_digest.rb";
const UNIQUE_ENV = { UNIQUE_JOBS: "1" };
const RUBY_TIMEOUT_MS = 30_000;
/** A scheduled time long past: the gem clamps the TTL's "until scheduled" part to 0. */
const PAST_AT = 1_600_000_000.25;

interface Case {
  name: string;
  item: string;
  digest_algorithm?: DigestAlgorithm;
  lock_prefix?: string;
}

const CASES: Case[] = [
  { name: "plain", item: '{"class":"UJ","queue":"u","args":[1,"a"],"lock":"until_executed"}' },
  { name: "no args", item: '{"class":"UJ","queue":"u","args":[],"lock":"until_executing"}' },
  {
    name: "floats and big integers",
    item: '{"class":"UJ","queue":"u","args":[1.0,-0.0,1.0e+20,0.0001,1.0e-05,12345678901234567890],"lock":"until_executed"}',
  },
  {
    name: "unicode and escapes",
    item: '{"class":"UJ","queue":"u","args":["ünï ✓ 🎉","a\\nb","q\\" \\\\ /s","\\u0001"],"lock":"until_executed"}',
  },
  {
    name: "nested hash order",
    item: '{"class":"UJ","queue":"u","args":[{"b":1,"a":[{}],"c":null}],"lock":"while_executing"}',
  },
  {
    name: "unique across queues",
    item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_executed","unique_across_queues":true}',
  },
  {
    name: "unique across workers",
    item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_executed","unique_across_workers":true}',
  },
  {
    name: "across queues false",
    item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_executed","unique_across_queues":false}',
  },
  {
    name: "apartment",
    item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_executed","apartment":"t1"}',
  },
  {
    name: "payload prefix",
    item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_executed","lock_prefix":"mine"}',
  },
  {
    name: "global prefix",
    item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_executed"}',
    lock_prefix: "app",
  },
  {
    name: "modern",
    item: '{"class":"UJ","queue":"u","args":[1,"a"],"lock":"until_executed"}',
    digest_algorithm: "modern",
  },
  {
    name: "ttl as string",
    item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_expired","lock_ttl":"90"}',
  },
  { name: "ttl float", item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_expired","lock_ttl":1.9}' },
  { name: "ttl zero", item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_expired","lock_ttl":0}' },
  {
    name: "lock_expiration",
    item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_expired","lock_expiration":30}',
  },
  {
    name: "scheduled in the past",
    item: `{"class":"UJ","queue":"u","args":[1],"lock":"until_expired","lock_ttl":60,"at":${PAST_AT}}`,
  },
  {
    name: "lock_args filter",
    item: '{"class":"FirstArgJob","queue":"u","args":[7,"x",2.5],"lock":"until_executed"}',
  },
  {
    name: "on_conflict hash",
    item: '{"class":"UJ","queue":"u","args":[1],"lock":"until_executed","on_conflict":{"client":"log","server":"reject"}}',
  },
];

/** kiq's stand-in for FirstArgJob's Ruby `lock_args_method` in the fixture. */
const LOCK_ARGS = { FirstArgJob: (args: unknown[]) => [args[0]] };

function kiqPrepared(c: Case): string {
  const item = parseRubyJson(c.item);
  const config = uniqueConfig({
    digestAlgorithm: c.digest_algorithm,
    lockPrefix: c.lock_prefix,
    lockArgs: LOCK_ARGS,
  });
  prepareItem(item, config);
  return generateJson(item);
}

describe.each([7, 8] as SidekiqMajor[])(
  "Job.prepare of sidekiq-unique-jobs 8.1.0 on Sidekiq %i",
  (version) => {
    it("writes the same payload, digest included, for every case", async () => {
      const cases = CASES.map((c) => ({
        item_json: c.item,
        digest_algorithm: c.digest_algorithm,
        lock_prefix: c.lock_prefix,
      }));
      const ruby = await runRubyScript<{ prepared: string[] }>(
        version,
        FIXTURE,
        { cases },
        {
          env: UNIQUE_ENV,
          timeoutMs: RUBY_TIMEOUT_MS,
        },
      );
      const kiq = CASES.map(kiqPrepared);
      for (let i = 0; i < CASES.length; i++) {
        expect({ case: CASES[i]?.name, json: kiq[i] }).toEqual({
          case: CASES[i]?.name,
          json: ruby.prepared[i],
        });
      }
    });
  },
);
