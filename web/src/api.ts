// The explorer's connection to the node: the TypeScript SDK (src/client), on this page's
// origin, so that the pages, the CLI and the tests speak to the node through one client
// and read one wire contract (src/wire). No page fetches the API by hand.
import { TributaryClient } from '../../src/client/client.ts';

export { ApiError } from '../../src/client/errors.ts';

export const api = new TributaryClient(location.origin, { streamUploads: false });
