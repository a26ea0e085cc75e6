import { createClient } from '@fjord/sdk';

/**
 * The console's one way to the API: the SDK, same origin, with the browser's session cookie
 * (httpOnly: the page never sees it).
 */
export const fjord = createClient({ baseUrl: window.location.origin, fetch: (input, init) => globalThis.fetch(input, init) });
