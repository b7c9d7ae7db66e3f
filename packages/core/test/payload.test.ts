import { describe, expect, it } from "vitest";
import { MalformedPayloadError, Payload } from "../src/index.js";
import { RECORDED_VERSIONS, recordedPayloads, vector } from "./vectors.js";

const argsText = (raw: string) => raw.match(/"args":(\[.*?\]),"(class|jid)"/)?.[1];

describe("Payload keeps what kiq does not own byte-for-byte", () => {
  it.each(RECORDED_VERSIONS)("re-serializes every recorded %s payload unchanged", (version) => {
    for (const raw of recordedPayloads(version)) {
      const payload = Payload.parse(raw);
      expect(payload.toString()).toBe(raw);
      expect(payload.item.jid).toMatch(/^[0-9a-f]{24}$/);
    }
  });

  it("decodes Ruby's 1.0, -0.0, big integers and 1.0e-07 losslessly", () => {
    const raw: string = vector("wire-6.4.1/plain-job.json").entries[0].raw;
    const { args } = Payload.parse(raw).item;
    expect(args).toEqual([42, "usd", { amount: "19.99" }, 1, -0, 12345678901234567890n, 1e-7]);
  });

  it("edits fields in place or appends them, leaving the args text as Ruby wrote it", () => {
    const raw: string = vector("wire-6.4.1/plain-job.json").entries[0].raw;
    const payload = Payload.parse(raw)
      .set("queue", "retries")
      .set("error_message", "boom")
      .set("retry_count", 0)
      .delete("enqueued_at");
    const out = payload.toString();
    expect(argsText(out)).toBe('[42,"usd",{"amount":"19.99"},1.0,-0.0,12345678901234567890,1.0e-07]');
    expect(out.startsWith('{"retry":true,"queue":"retries","class":"Billing::Charge","args":')).toBe(true);
    expect(out.endsWith(',"error_message":"boom","retry_count":0}')).toBe(true);
    expect(out).not.toContain("enqueued_at");
    expect(payload.item.queue).toBe("retries");
  });

  it("keeps a hand-written payload's spacing and escapes in fields it leaves alone", () => {
    const raw: string = vector("wire-6.4.1/ruby-reencode.json").raw_in_schedule;
    const out = Payload.parse(raw).set("queue", "default").toString();
    expect(out).toContain('"args":[1.50, 1E3, 100, "\\u00fc\\/x", {"b":1,"a":2}, 12345678901234567890123]');
    expect(out).toContain('"custom":{"z":null}');
  });

  it("clone() edits independently of the original", () => {
    const original = Payload.parse('{"class":"A","args":[1.0]}');
    const copy = original.clone().set("retry_count", 1);
    expect(original.toString()).toBe('{"class":"A","args":[1.0]}');
    expect(copy.toString()).toBe('{"class":"A","args":[1.0],"retry_count":1}');
  });

  it.each(["not json", "[1,2]", '"text"', '{"class":"A","args":[1,}'])("rejects %j as malformed", (raw) => {
    expect(() => Payload.parse(raw)).toThrow(MalformedPayloadError);
  });
});
