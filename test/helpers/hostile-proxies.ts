import { type AddressInfo, createServer, type Server, type Socket } from "node:net";

/** How a misbehaving proxy treats a CONNECT request. */
export type ProxyBehaviour = "drop" | "silent" | "407";

/** A running hostile proxy: its URL, and how many connections it took. */
export interface HostileProxy {
  url: string;
  connections(): number;
  /** Connections still open now. */
  openConnections(): number;
  close(): Promise<void>;
}

/**
 * A proxy on 127.0.0.1 that reads the CONNECT request and then closes the socket ("drop"), never
 * answers ("silent"), or demands authentication ("407").
 */
export async function startHostileProxy(behaviour: ProxyBehaviour): Promise<HostileProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.once("data", () => {
      if (behaviour === "drop") socket.destroy();
      if (behaviour === "407") {
        socket.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\nContent-Length: 0\r\n\r\n',
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    openConnections: () => sockets.size,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A remote-looking HTTPS endpoint that only a proxy would carry (the hostile proxies never reach it). */
export const PROXIED_ENDPOINT = "https://koodrive.example.com";
