import type { Metadata } from "next";
import Link from "next/link";
import { openApiDocument } from "@/lib/api/v1/openapi";
import { requirePageUser } from "@/lib/auth/session";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "API reference" };

type Parameter = { name: string; in: string; required: boolean; description?: string; schema: Record<string, unknown> };
type Operation = { summary: string; "x-scope": string; parameters: Parameter[]; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }> };

function typeOf(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return schema.enum.join(" | ");
  return Array.isArray(schema.type) ? schema.type.join(" | ") : String(schema.type ?? "any");
}

/** The public API's reference, rendered from the same OpenAPI document /api/v1/openapi.json serves. */
export default async function ApiReferencePage() {
  await requirePageUser("system:admin");
  const doc = openApiDocument(env().APP_URL);
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op: op as Operation })));
  return (
    <section className="max-w-4xl space-y-4">
      <div>
        <h1 className="text-xl font-semibold">API reference</h1>
        <p className="text-slate-500">
          {doc.info.description} Base URL <code>{doc.servers[0]!.url}</code>. Machine-readable: <a className="text-brand-700 underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI {doc.openapi}).{" "}
          <Link className="text-brand-700 underline" href="/settings/api-keys">Manage API keys</Link>.
        </p>
        <p className="text-sm text-slate-500">Errors are {"{ error: { code, message } }"}; lists take cursor and limit and answer nextCursor; 429 answers carry Retry-After.</p>
      </div>
      {operations.map(({ path, method, op }) => {
        const success = Object.entries(op.responses).find(([status]) => status.startsWith("2"));
        return (
          <article key={`${method} ${path}`} className="space-y-2 rounded-lg bg-white p-4 ring-1 ring-slate-200" aria-label={`${method} ${path}`}>
            <h2 className="font-mono text-sm">
              <span className="mr-2 rounded bg-slate-100 px-1.5 py-0.5 font-semibold">{method}</span>
              {path}
            </h2>
            <p>{op.summary}</p>
            <p className="text-sm text-slate-500">
              Scope <code>{op["x-scope"]}</code>
            </p>
            {op.parameters.length > 0 && (
              <table className="w-full text-sm">
                <thead className="text-left text-slate-500">
                  <tr>
                    <th className="py-1">Parameter</th>
                    <th>In</th>
                    <th>Type</th>
                    <th>Required</th>
                  </tr>
                </thead>
                <tbody>
                  {op.parameters.map((p) => (
                    <tr key={`${p.in}:${p.name}`}>
                      <td className="py-1 font-mono">{p.name}</td>
                      <td>{p.in}</td>
                      <td className="font-mono text-xs">{typeOf(p.schema)}</td>
                      <td>{p.required ? "yes" : "no"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {op.requestBody && (
              <details>
                <summary className="cursor-pointer text-sm font-medium">Request body</summary>
                <pre className="mt-1 max-h-96 overflow-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(op.requestBody.content["application/json"]!.schema, null, 2)}</pre>
              </details>
            )}
            {success && (
              <details>
                <summary className="cursor-pointer text-sm font-medium">Response {success[0]}</summary>
                <pre className="mt-1 max-h-96 overflow-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(success[1].content?.["application/json"]?.schema ?? null, null, 2)}</pre>
              </details>
            )}
            <p className="text-xs text-slate-500">
              Errors: {Object.keys(op.responses).filter((s) => !s.startsWith("2")).join(", ")}
            </p>
          </article>
        );
      })}
    </section>
  );
}
