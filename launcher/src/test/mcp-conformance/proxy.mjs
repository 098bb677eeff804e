// The conformance suite cannot send an Authorization header: this proxy, on a loopback port,
// adds the gateway token (from the environment, never the command line) to every request and
// forwards it, streamed both ways, to the gateway, with every other header as the suite sent it
// (Host and Origin too: the DNS-rebinding scenario is about them). It prints its port first.
//
//   TOLLGATE_CONFORMANCE_TOKEN=T node proxy.mjs http://127.0.0.1:PORT
import http from "node:http";

const target = new URL(process.argv[2]);
const token = process.env.TOLLGATE_CONFORMANCE_TOKEN;

const server = http.createServer((request, response) => {
  const headers = { ...request.headers, authorization: `Bearer ${token}` };
  const upstream = http.request({
    hostname: target.hostname, port: target.port, path: request.url, method: request.method,
    headers,
  }, (answer) => {
    response.writeHead(answer.statusCode, answer.headers);
    answer.pipe(response);
  });
  upstream.on("error", (e) => {
    response.writeHead(502, { "content-type": "text/plain" });
    response.end(`proxy: ${e.message}`);
  });
  request.pipe(upstream);
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
