import net from "node:net";

/** A loopback port free to listen on now (taken from the OS, then given back). */
export const freePort = async (): Promise<number> => {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
};

/**
 * A loopback port that refuses connections: below 1024, so no test's server (they listen on
 * ephemeral ports, 32768 and up) can take it between this call and the connection, as one did
 * with a port given back by `freePort` (another file's fake backend answered 404 on it); and not
 * one of the ports fetch refuses to use ("bad ports": 1, 7, 9, …). Checked here, so a machine
 * with a service on it says so instead of failing the test that used it.
 */
export const REFUSED_PORT = 2;
export const refusedPort = async (): Promise<number> => {
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(REFUSED_PORT, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      reject(new Error(`something listens on 127.0.0.1:${REFUSED_PORT}; the tests need it closed`));
    });
    socket.once("error", (err: NodeJS.ErrnoException) =>
      err.code === "ECONNREFUSED" ? resolve() : reject(err),
    );
  });
  return REFUSED_PORT;
};
