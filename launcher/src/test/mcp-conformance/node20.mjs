// Preloaded with --import on Node 20: the conformance suite imports fs.globSync (Node 22), so
// its import of node:fs is served by fs-shim.mjs, which adds one. Nothing else is touched.
import { register } from "node:module";
register("./fs-hook.mjs", import.meta.url);
