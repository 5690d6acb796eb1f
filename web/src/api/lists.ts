// Cached lists are updated in place from mutation answers and stream events, never refetched
// for one item: this is the one way an item goes into a list.

/**
 * `items` with `item` in place of the one `same` picks, or, when there is none, inserted before
 * the first item `goesBefore` accepts (at the end when none does). `items` is left unchanged.
 */
export function upsert<T>(
  items: readonly T[],
  item: T,
  same: (other: T) => boolean,
  goesBefore: (other: T) => boolean = () => false,
): T[] {
  const next = items.slice();
  const index = next.findIndex(same);
  if (index !== -1) {
    next[index] = item;
    return next;
  }
  const at = next.findIndex(goesBefore);
  next.splice(at === -1 ? next.length : at, 0, item);
  return next;
}
