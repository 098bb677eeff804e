// Preloaded into the baseline server (server-everything listens on every interface): its
// listening socket is bound to 127.0.0.1 only, so a bench run exposes nothing to the network.
const net = require("node:net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" || typeof args[0] === "string") {
    const port = args[0];
    const callback = args.find((a) => typeof a === "function");
    return listen.call(this, { port: Number(port), host: "127.0.0.1" }, callback);
  }
  return listen.apply(this, args);
};
