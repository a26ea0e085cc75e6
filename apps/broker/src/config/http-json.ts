import http from 'node:http';
import https from 'node:https';

/**
 * One JSON exchange with the control plane. node:http rather than fetch: fetch loads undici, which
 * costs an idle broker some 10-20 MB of resident memory, and a broker does nothing else over HTTP.
 * Resolves with the parsed answer, or undefined for an empty one (a 204).
 */
function requestJson(url: URL, method: 'GET' | 'POST', headers: Record<string, string>, body: unknown, signal: AbortSignal): Promise<unknown> {
  const client = url.protocol === 'https:' ? https : http;
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const sent = payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {};
  return new Promise((resolve, reject) => {
    const req = client.request(url, { method, headers: { accept: 'application/json', ...sent, ...headers }, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) return reject(new Error(`control plane answered ${status}`));
        const text = Buffer.concat(chunks).toString('utf8');
        if (text === '') return resolve(undefined);
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(new Error(`control plane sent a body that is not JSON: ${(err as Error).message}`));
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export const getJson = (url: URL, headers: Record<string, string>, signal: AbortSignal) => requestJson(url, 'GET', headers, undefined, signal);

export const postJson = (url: URL, headers: Record<string, string>, body: unknown, signal: AbortSignal) => requestJson(url, 'POST', headers, body, signal);
