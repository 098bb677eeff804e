// A local OAuth 2.0 / OIDC provider for tests: issuer http://127.0.0.1:<port>, discovery,
// JWKS, and the client_credentials grant. Each access token names the client as sub, the
// environment claim the test asked for, and as aud the RFC 8707 resource the client sent (none:
// 'no-resource-sent'), so a client that skips the resource indicator gets a token the gateway
// refuses; a client named admin-mint+revoke gets roles [tollgate:mint, tollgate:revoke]. Prints "ready <issuer>" once listening; every token request is logged to stdout as
// "token <json>". Runs until killed.
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.argv[2]);
const namespace = process.argv[3] ?? 'ci';
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
server.service.on('beforeTokenSigning', (token, req) => {
  const body = req.body ?? {};
  let client = body.client_id;
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (basic) {
    client = decodeURIComponent(Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0]);
  }
  token.payload.sub = client ?? 'anonymous';
  token.payload.aud = body.resource ?? 'no-resource-sent';
  token.payload.namespace = namespace;
  // clients named admin-<role>+<role>... are admins holding those roles (tollgate:<role>)
  if (client?.startsWith('admin-')) {
    token.payload.roles = client.substring('admin-'.length).split('+').map((role) => 'tollgate:' + role);
  }
  console.log('token ' + JSON.stringify({ grant: body.grant_type, client, resource: body.resource ?? null }));
});
await server.start(port, '127.0.0.1');
console.log('ready ' + server.issuer.url);
