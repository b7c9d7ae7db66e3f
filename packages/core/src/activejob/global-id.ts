// A GlobalID (`gid://app/Model/id`): how ActiveJob passes ActiveRecord models, and anything else
// that includes GlobalID::Identification. Ruby looks the record up again when the job runs; Node
// gets the parsed reference and loads what it needs itself.

// gid://<app>/<model name>/<model id>[?<params>], the id CGI-escaped (composite ids: parts joined by "/").
const GID = /^gid:\/\/([^/?#]+)\/([^/?#]+)\/([^?#]+)(?:\?([^#]*))?$/;
// What Ruby's CGI.escape leaves as is; everything else is %XX, and a space is "+".
const CGI_UNRESERVED = /[A-Za-z0-9_.~-]/;

export interface GlobalIdParts {
  app: string;
  modelName: string;
  modelId: string | number | bigint;
  params?: Record<string, string>;
}

/** A parsed GlobalID; `toString()` gives the URI exactly as it was read (or as Ruby would build it). */
export class GlobalId {
  private constructor(
    readonly uri: string,
    readonly app: string,
    readonly modelName: string,
    /** The record's id, unescaped ("7"; "1/2" for a composite id). */
    readonly modelId: string,
    /** Query parameters (`?database=replica`); empty when there are none. */
    readonly params: Readonly<Record<string, string>>,
  ) {}

  /** Parses `gid://app/Model/id[?params]`; throws TypeError for anything else. */
  static parse(uri: string): GlobalId {
    const match = typeof uri === "string" ? GID.exec(uri) : null;
    if (!match) throw new TypeError(`not a GlobalID (gid://app/Model/id): ${JSON.stringify(uri)}`);
    const [, app = "", modelName = "", rawId = "", query] = match;
    const params = query === undefined ? {} : Object.fromEntries(new URLSearchParams(query));
    return new GlobalId(uri, app, modelName, cgiUnescape(rawId), params);
  }

  /** Builds the URI as Ruby's URI::GID.build does (the id CGI-escaped, params form-encoded). */
  static build(parts: GlobalIdParts): GlobalId {
    const modelId = String(parts.modelId);
    if (!parts.app || !parts.modelName || modelId === "") {
      throw new TypeError("a GlobalID needs an app, a model name and a model id");
    }
    const params = parts.params ?? {};
    const query = Object.keys(params).length > 0 ? `?${new URLSearchParams(params)}` : "";
    const uri = `gid://${parts.app}/${parts.modelName}/${cgiEscape(modelId)}${query}`;
    return new GlobalId(uri, parts.app, parts.modelName, modelId, { ...params });
  }

  toString(): string {
    return this.uri;
  }

  toJSON(): string {
    return this.uri;
  }
}

function cgiEscape(text: string): string {
  let out = "";
  for (const char of text) {
    if (CGI_UNRESERVED.test(char)) out += char;
    else if (char === " ") out += "+";
    else
      for (const byte of Buffer.from(char, "utf8"))
        out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Like Ruby's CGI.unescape: "+" is a space, %XX runs are bytes; a stray "%" stays as it is. */
function cgiUnescape(text: string): string {
  return text
    .replace(/\+/g, " ")
    .replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ""), "hex").toString("utf8"));
}
