import http from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";

type RouteHandler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/**
 * Serves route handlers over real HTTP (no Next server), so a local stand-in such as the QStash
 * server can deliver to them. `pattern` uses `:param` segments, e.g. "/api/jobs/:name".
 */
export async function startRouteServer(routes: { pattern: string; handlers: Partial<Record<string, RouteHandler>> }[]) {
  const compiled = routes.map((r) => ({
    ...r,
    regex: new RegExp(`^${r.pattern.replace(/:(\w+)/g, "(?<$1>[^/]+)")}$`),
  }));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      try {
        const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
        const route = compiled.find((r) => r.regex.test(url.pathname));
        const handler = route?.handlers[req.method ?? "GET"];
        if (!route || !handler) return void res.writeHead(404).end();
        const params = { ...url.pathname.match(route.regex)!.groups };
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const response = await handler(new NextRequest(url, { method: req.method, headers, body }), { params: Promise.resolve(params) });
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
