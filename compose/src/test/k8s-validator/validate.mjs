// Validates Kubernetes objects (a JSON array in the file named by argv[2]) two ways, both from the
// kubernetes-models packages (generated from the Kubernetes OpenAPI and the KEDA and Prometheus
// Operator CRDs):
//  1. schema: the model's validate() (ajv): types, required fields, enums, formats;
//  2. fields: each object type-checked by TypeScript against the model's interface, which refuses
//     a field the schema does not define, as the API server's strict field validation does
//     (kubectl's default since 1.27). TypeScript reports the first unknown field of an object.
// Prints a JSON array: one {index, kind, name, errors: [...]} per object. Exit status 0 even when
// objects are invalid (the test reads the result); 2 when the tool itself cannot run.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));
const packages = ["kubernetes-models", "@kubernetes-models/keda", "@kubernetes-models/prometheus-operator"];

async function model(object) {
  const path = `${object.apiVersion}/${object.kind}`;
  for (const pkg of packages) {
    try {
      const module = await import(`${pkg}/${path}`);
      if (typeof module[object.kind] === "function") {
        return { path: `${pkg}/${path}`, Model: module[object.kind] };
      }
    } catch (e) {
      if (e.code !== "ERR_MODULE_NOT_FOUND" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") {
        throw e;
      }
    }
  }
  return null;
}

const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = objects.map((object, index) => ({
  index,
  kind: `${object.apiVersion}/${object.kind}`,
  name: object.metadata?.name ?? null,
  errors: [],
}));

let source = "";
const lineOwner = [];
for (const [index, object] of objects.entries()) {
  const found = await model(object);
  if (found === null) {
    results[index].errors.push(`no schema for ${object.apiVersion} ${object.kind} in ${packages.join(", ")}`);
    continue;
  }
  const { path, Model } = found;
  try {
    new Model(object).validate();
  } catch (e) {
    results[index].errors.push(`schema: ${e.message}`);
  }
  const text = `import type { I${object.kind} as T${index} } from "${path}";\n`
    + `export const o${index}: T${index} = ${JSON.stringify(object, null, 1)};\n`;
  for (let i = 0; i < text.split("\n").length - 1; i++) {
    lineOwner.push(index);
  }
  source += text;
}

const file = join(here, "manifests.ts");
const options = {
  strict: true, noEmit: true, skipLibCheck: true, types: [],
  module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
};
const host = ts.createCompilerHost(options);
const read = host.getSourceFile;
host.getSourceFile = (name, language, ...rest) => name === file
  ? ts.createSourceFile(name, source, language) : read(name, language, ...rest);
host.fileExists = ((exists) => (name) => name === file || exists(name))(host.fileExists);
const program = ts.createProgram([file], options, host);
for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, " ");
  if (diagnostic.file?.fileName !== file) {
    console.error(`typescript: ${message}`);
    process.exit(2);
  }
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const at = source.split("\n").slice(0, line + 1).slice(-1)[0].trim();
  results[lineOwner[line]].errors.push(`fields: ${message} (at ${at})`);
}
console.log(JSON.stringify(results));
