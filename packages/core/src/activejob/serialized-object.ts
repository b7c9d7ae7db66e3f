// An argument written by a serializer kiq does not know (an app's own ActiveJob::Serializers
// subclass, or one from a newer Rails): kept whole, so it reaches Ruby again exactly as it came.

import type { JsonValue } from "../wire/json.js";

/** What an unknown `_aj_serialized` serializer wrote; `hash` is the whole object as stored. */
export class SerializedObject {
  constructor(readonly hash: Readonly<Record<string, JsonValue>>) {
    if (typeof hash?._aj_serialized !== "string") {
      throw new TypeError('a SerializedObject needs the "_aj_serialized" serializer class name');
    }
  }

  /** The Ruby serializer class, e.g. "MoneySerializer". */
  get serializer(): string {
    return this.hash._aj_serialized as string;
  }
}
