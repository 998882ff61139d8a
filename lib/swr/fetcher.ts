"use client";

/** Thrown by the client fetcher: carries the HTTP status and our API's human message. */
export class ApiClientError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A response as our API's data, or its error shape thrown as ApiClientError. */
export async function parse<T>(res: Response): Promise<T> {
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiClientError(res.status, err?.code ?? "internal", err?.message ?? `Request failed (${res.status})`);
  }
  return data as T;
}

/** The one fetcher for SWR keys (GET). */
export async function fetcher<T>(url: string): Promise<T> {
  return parse<T>(await fetch(url, { headers: { accept: "application/json" } }));
}

/** The one mutation helper: JSON in, JSON out, our error shape turned into ApiClientError. */
export async function sendJson<T>(url: string, method: "POST" | "PUT" | "PATCH" | "DELETE", body?: unknown): Promise<T> {
  return parse<T>(
    await fetch(url, {
      method,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

/** Multipart uploads (the composer's attachments), with the same error handling. */
export async function sendForm<T>(url: string, form: FormData): Promise<T> {
  return parse<T>(await fetch(url, { method: "POST", body: form, headers: { accept: "application/json" } }));
}

/** A POST whose answer is a file (a CSV report): its bytes, with the same error handling. */
export async function postForFile(url: string, body: unknown): Promise<Blob> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) await parse<never>(res);
  return res.blob();
}
