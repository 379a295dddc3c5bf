/** A callable gc() without restarting node with --expose-gc (npm run bench runs plain tsx). */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gcFn = runInNewContext('gc') as () => void;

/** Full collection, twice, so heap numbers measure live data only. */
export function fullGc(): void {
  gcFn();
  gcFn();
}
