// What a Ruby Hash among ActiveJob arguments was, beyond its entries: which keys were Symbols, and
// whether it was keyword arguments or a HashWithIndifferentAccess. JavaScript object keys are all
// strings, so decoded hashes are plain objects and this is recorded beside them (a WeakMap, so the
// objects stay plain); a copy (`{ ...hash }`) is a new, unmarked hash with String keys.

/** How ActiveJob marked a hash: `_aj_symbol_keys`, `_aj_ruby2_keywords` or `_aj_hash_with_indifferent_access`. */
export type RubyHashKind = "symbol_keys" | "ruby2_keywords" | "indifferent_access";

export interface RubyHashShape {
  readonly kind: RubyHashKind;
  /** Keys that were Ruby Symbols, in the hash's order (empty for indifferent access). */
  readonly symbolKeys: readonly string[];
}

type AnyHash = Record<string, unknown>;

const shapes = new WeakMap<object, RubyHashShape>();

/** How `hash` is marked, if it was decoded from ActiveJob or marked by one of the functions below. */
export function rubyHashShape(hash: object): RubyHashShape | undefined {
  return shapes.get(hash);
}

/** Records `shape` for `hash` and returns the hash. */
export function markHash<T extends object>(hash: T, shape: RubyHashShape): T {
  shapes.set(hash, shape);
  return hash;
}

/** The keys of a decoded hash that were Ruby Symbols (`{ sym: 2, "str" => 3 }` gives ["sym"]). */
export function symbolKeys(hash: object): readonly string[] {
  return shapes.get(hash)?.symbolKeys ?? [];
}

/** Whether a decoded hash was Ruby keyword arguments (`perform(id, notify: true)`). */
export function isKeywordArguments(hash: object): boolean {
  return shapes.get(hash)?.kind === "ruby2_keywords";
}

/** Whether a decoded hash was an ActiveSupport::HashWithIndifferentAccess. */
export function isIndifferentAccess(hash: object): boolean {
  return shapes.get(hash)?.kind === "indifferent_access";
}

/** Marks `hash` so Ruby gets Symbol keys: the named `keys`, or all of them. Returns the hash. */
export function withSymbolKeys<T extends AnyHash>(hash: T, keys: readonly string[] = Object.keys(hash)): T {
  return markHash(hash, { kind: "symbol_keys", symbolKeys: [...keys] });
}

/**
 * Marks `hash` as keyword arguments, for a Ruby `perform(id, notify: false)`: pass it last.
 * Keys are Symbols (all, or the named `keys`). Returns the hash.
 */
export function kwargs<T extends AnyHash>(hash: T, keys: readonly string[] = Object.keys(hash)): T {
  return markHash(hash, { kind: "ruby2_keywords", symbolKeys: [...keys] });
}

/** Marks `hash` as an ActiveSupport::HashWithIndifferentAccess. Returns the hash. */
export function withIndifferentAccess<T extends AnyHash>(hash: T): T {
  return markHash(hash, { kind: "indifferent_access", symbolKeys: [] });
}
