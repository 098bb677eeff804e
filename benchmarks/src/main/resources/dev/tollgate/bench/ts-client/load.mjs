// Drives one MCP server with the official TypeScript SDK client, as most agents embed it:
// SESSIONS sessions over Streamable HTTP, CONCURRENCY calls in flight (closed loop), WARMUP
// unmeasured calls, then CALLS measured ones. Progress goes to stderr (the line starting
// "[bench-ts] measuring:" comes right before the measured calls, so that the caller can sample
// the server's CPU from there); one JSON object to stdout: the calls, errors, elapsed time, every
// call's latency and this client's own CPU over the measured calls.
//
//   TOLLGATE_BENCH_TOKEN=T node load.mjs URL TOOL ARGUMENTS_JSON CALLS CONCURRENCY WARMUP SESSIONS
// (the token, if any, in the environment: other users can read a command line, not it)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, tool, argumentsJson, callsArg, concurrencyArg, warmupArg, sessionsArg] =
  process.argv.slice(2);
const token = process.env.TOLLGATE_BENCH_TOKEN;
const calls = Number(callsArg);
const concurrency = Number(concurrencyArg);
const warmup = Number(warmupArg);
const sessionCount = Math.max(1, Number(sessionsArg || 1));
const toolArguments = JSON.parse(argumentsJson);

function succeeded(result) {
  if (result.isError) {
    return false;
  }
  // Tollgate answers with a status; a server that has none (server-everything) succeeded here
  const status = result.structuredContent && result.structuredContent.status;
  return status === undefined || status === "succeeded";
}

async function open() {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const client = new Client({ name: "tollgate-bench-ts", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  return client;
}

async function run(label, total, sessions) {
  const latencies = new Float64Array(total);
  let next = 0;
  let errors = 0;
  let firstError = null;
  let done = 0;
  const started = performance.now();
  let lastReport = started;
  async function worker(slot) {
    const client = sessions[slot % sessions.length];
    while (true) {
      const index = next++;
      if (index >= total) {
        return;
      }
      const t0 = performance.now();
      try {
        const result = await client.callTool({ name: tool, arguments: toolArguments });
        if (!succeeded(result)) {
          errors++;
          firstError ??= JSON.stringify(result).slice(0, 300);
        }
      } catch (e) {
        errors++;
        firstError ??= String(e).slice(0, 300);
      }
      latencies[index] = performance.now() - t0;
      done++;
      const now = performance.now();
      if (now - lastReport > 5000) {
        lastReport = now;
        console.error(`[bench-ts] ${label}: ${done}/${total} calls, ${errors} errors`);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, slot) => worker(slot)));
  // the Java harness summarizes these with the same percentiles as its own series
  return {
    calls: total, errors, elapsedMillis: performance.now() - started, firstError,
    latenciesMillis: Array.from(latencies),
  };
}

const sessions = [];
for (let i = 0; i < sessionCount; i++) {
  sessions.push(await open());
}
if (warmup > 0) {
  console.error(`[bench-ts] warm-up: ${warmup} calls of ${tool}...`);
  await run("warm-up", warmup, sessions);
}
console.error(`[bench-ts] measuring: ${calls} calls of ${tool}, ${concurrency} in flight,`
  + ` ${sessionCount} session(s)...`);
const cpuBefore = process.cpuUsage();
const result = await run("measured", calls, sessions);
const cpu = process.cpuUsage(cpuBefore); // microseconds, user and system
result.cpuMillis = (cpu.user + cpu.system) / 1000;
for (const client of sessions) {
  await client.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
