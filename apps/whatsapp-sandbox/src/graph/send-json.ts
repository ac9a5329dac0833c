import type { ServerResponse } from 'node:http';

/** Writes a JSON answer on the bare Node response (Graph routes answer by hand: some must not answer at all). */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}
