/**
 * LRUCache options for at most `entries` entries, stored as they come. With `max`, lru-cache
 * allocates room for every entry when the cache is made (about 4 MB per 100,000, kept for the life
 * of the process: most of the idle heap's arrays, docs/decisions.md), while these caches stay
 * nearly empty unless the service is under attack. A size of 1 per entry under `maxSize` is the
 * same bound, grown on demand.
 */
export const growingBound = (entries: number) => ({ maxSize: entries, sizeCalculation: () => 1 });
