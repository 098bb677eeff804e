// An MCP client that supports OAuth, as an agent would run it: given only the MCP URL and its
// client credentials, it follows the 401's resource_metadata to the authorization server, gets a
// token for the resource (client_credentials, RFC 8707), lists the tools and calls one. Prints one
// JSON line: {"tools": [...], "call": <tools/call result>}.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';

const [url, clientId, clientSecret, issuer] = process.argv.slice(2);
const authProvider = new ClientCredentialsProvider({ clientId, clientSecret, expectedIssuer: issuer });
const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider });
const client = new Client({ name: 'tollgate-oauth-test', version: '1.0.0' });
await client.connect(transport);
const tools = (await client.listTools()).tools.map((tool) => tool.name);
const call = await client.callTool({ name: 'get_file', arguments: { owner: 'octo', repo: 'app', path: 'README.md' } });
console.log(JSON.stringify({ tools, call }));
await client.close();
