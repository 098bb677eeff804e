// An agent's MCP client that keeps its tool list current, as the TypeScript SDK's Client does it:
// it connects with its gateway token (the SDK opens the GET stream itself after initializing),
// lists the tools and prints "ready <tools>"; on each notifications/tools/list_changed it lists
// again and prints "changed <tools>". It runs until it is ended.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const [url, token] = process.argv.slice(2);
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: 'tollgate-list-changed-test', version: '1.0.0' });
const names = async () => (await client.listTools()).tools.map((tool) => tool.name);
client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
  console.log(`changed ${JSON.stringify(await names())}`);
});
transport.onerror = (error) => console.error(`transport: ${error}`);
await client.connect(transport);
console.log(`capabilities ${JSON.stringify(client.getServerCapabilities())}`);
console.log(`ready ${JSON.stringify(await names())}`);
setInterval(() => {}, 1 << 30);
