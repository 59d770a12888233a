// The one place that resolves the tile worker's entry file. Workers always load built JavaScript
// (Node 20 cannot start a .ts worker), so this must run from dist/.

import { fileURLToPath } from 'node:url';

/** Absolute path of the built tile worker module. */
export function tileWorkerEntry(): string {
  return fileURLToPath(new URL('./worker/tile-worker.js', import.meta.url));
}
