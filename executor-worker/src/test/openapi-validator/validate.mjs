// Validates requests against GitHub's published OpenAPI description (api.github.com).
// Input: a JSON file holding [{"method", "path", "body"}]; output: one result per request,
// {"method", "path", "operation", "errors"}: the operation it matched (null: none) and what the
// operation's JSON request body schema says of the body. GraphQL is not in the REST description.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);
const description = JSON.parse(readFileSync(require.resolve(
    "@octokit/openapi/generated/api.github.com.deref.json"), "utf8"));
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

// Parameters that may hold slashes: a ref (heads/agent-x), a file path.
const SLASHED = new Set(["ref", "path"]);
const routes = Object.keys(description.paths).map((template) => {
  const pattern = template.split("/").map((segment) => {
    const param = /^\{(.+)\}$/.exec(segment);
    if (!param) {
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
    return SLASHED.has(param[1]) ? ".+" : "[^/]+";
  }).join("/");
  const literals = template.split("/").filter((s) => s && !s.startsWith("{")).length;
  return { template, regex: new RegExp("^" + pattern + "$"), literals };
}).sort((a, b) => b.literals - a.literals);

// OpenAPI 3.0's "nullable" means "or null"; JSON Schema (Ajv) takes it only beside a "type".
const normalized = new WeakMap();
function jsonSchema(schema) {
  if (Array.isArray(schema)) {
    return schema.map(jsonSchema);
  }
  if (schema === null || typeof schema !== "object") {
    return schema;
  }
  if (normalized.has(schema)) {
    return normalized.get(schema);
  }
  const out = {};
  normalized.set(schema, out);
  for (const [key, value] of Object.entries(schema)) {
    if (key === "nullable" || key === "example" || key === "examples") {
      continue;
    }
    // a property map's keys are names, not keywords
    out[key] = key === "properties"
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSchema(v)]))
      : jsonSchema(value);
  }
  if (schema.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) {
        out.enum = [...out.enum, null];
      }
    } else {
      const inner = { ...out };
      for (const key of Object.keys(out)) {
        delete out[key];
      }
      out.anyOf = [inner, { type: "null" }];
    }
  }
  return out;
}

const compiled = new Map();
function validatorFor(operation) {
  const schema = operation.requestBody?.content?.["application/json"]?.schema;
  if (!schema) {
    return null;
  }
  if (!compiled.has(operation.operationId)) {
    compiled.set(operation.operationId, ajv.compile(jsonSchema(schema)));
  }
  return compiled.get(operation.operationId);
}

const requests = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = requests.map(({ method, path, body }) => {
  const bare = path.split("?")[0];
  const verb = method.toLowerCase();
  const route = routes.find((r) => r.regex.test(bare) && description.paths[r.template][verb]);
  if (!route) {
    return { method, path, operation: null, errors: ["no operation of GitHub's REST API is "
        + method + " " + bare] };
  }
  const operation = description.paths[route.template][verb];
  const validate = validatorFor(operation);
  const errors = [];
  if (validate && !validate(body ?? {})) {
    for (const e of validate.errors) {
      errors.push((e.instancePath || "(body)") + " " + e.message
          + (e.params && Object.keys(e.params).length ? " " + JSON.stringify(e.params) : ""));
    }
  }
  return { method, path, operation: operation.operationId, errors };
});
process.stdout.write(JSON.stringify(results));
