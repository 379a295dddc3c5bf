/** Listed versions for the sweep property tests: what a listing page holds, by kind. */
import type { ListedVersion } from '../../src/oci/object-storage';

/** The watermark the sweep tests judge against: `old` versions are before it, `new` ones after. */
export const WATERMARK = new Date('2026-01-01T00:00:00Z');

export type Kind = 'old' | 'new' | 'delete-marker' | 'archived' | 'sse-c';

/** The i-th listed version, of a kind (an `sse-c` one is told apart by the fake ReencryptObject, by its index). */
export function version(kind: Kind, i: number): ListedVersion {
  return {
    name: `o/${String(i).padStart(4, '0')}`, versionId: `v${i}`, isDeleteMarker: kind === 'delete-marker',
    timeModified: new Date(WATERMARK.getTime() + (kind === 'new' ? 1000 : -1000)),
    ...(kind === 'archived' && { archivalState: 'Archived' }),
  };
}
