export { default } from "../tsup.plugin.js";
