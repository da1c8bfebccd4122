// The node's HTTP API as the browser sees it (same origin). Errors carry the node's
// message and field, so a page can tell the user what to do next.
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  if (!res.ok) {
    const e = (body as { error?: { message?: string; field?: string; param?: string } } | undefined)?.error;
    throw new ApiError(res.status, e?.message ?? `${res.status} ${res.statusText}`, e?.field ?? e?.param ?? undefined);
  }
  return body as T;
}

export async function get<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { headers: { accept: 'application/json' } }));
}

export async function getText(path: string): Promise<string> {
  const res = await fetch(path);
  if (!res.ok) throw new ApiError(res.status, `${res.status} ${res.statusText}`);
  return res.text();
}

export async function post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  return parse<T>(await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }));
}

export async function put<T>(path: string, bytes: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<T> {
  return parse<T>(await fetch(path, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...headers }, body: bytes }));
}
