// Lua scripts are imported as text (tsup's "text" loader; a vitest plugin in tests).
declare module "*.lua" {
  const source: string;
  export default source;
}
