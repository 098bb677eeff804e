// node:fs as Node 22 has it, for the conformance suite on Node 20: everything node:fs exports,
// and globSync, which the suite imports but its server scenarios never call (on Node 22 and
// later, the real one).
import fs from "node:fs";
export * from "node:fs";
export default fs;
export const globSync = fs.globSync ?? function globSync(pattern) {
  throw new Error(`fs.globSync(${pattern}) needs Node 22; the server scenarios do not use it`);
};
