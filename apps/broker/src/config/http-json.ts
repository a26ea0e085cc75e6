import http from 'node:http';
import https from 'node:https';

/**
 * GET a JSON document. node:http rather than fetch: fetch loads undici, which costs an idle broker
 * some 10-20 MB of resident memory, and a broker does nothing else over HTTP.
 */
export function getJson(url: URL, headers: Record<string, string>, signal: AbortSignal): Promise<unknown> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { headers: { accept: 'application/json', ...headers }, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) return reject(new Error(`control plane answered ${status}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(new Error(`control plane sent a body that is not JSON: ${(err as Error).message}`));
        }
      });
    });
    req.on('error', reject);
  });
}

/** POST a JSON body and parse the JSON answer, if any (same reasons for node:http as getJson). */
export function postJson(url: URL, headers: Record<string, string>, body: unknown, signal: AbortSignal): Promise<unknown> {
  const client = url.protocol === 'https:' ? https : http;
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json', 'content-length': payload.length, ...headers }, signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(new Error(`control plane answered ${status}`));
          const text = Buffer.concat(chunks).toString('utf8');
          // A 204 (the status report's answer) has no body.
          if (text === '') return resolve(undefined);
          try {
            resolve(JSON.parse(text));
          } catch (err) {
            reject(new Error(`control plane sent a body that is not JSON: ${(err as Error).message}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
