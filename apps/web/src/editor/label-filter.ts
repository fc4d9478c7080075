/**
 * The palette's filter: labels whose name starts with the query first, then those that contain it
 * elsewhere, each group in the set's order; case-insensitive. An empty query keeps every label.
 */
export const filterLabels = <L extends { name: string }>(labels: readonly L[], query: string): L[] => {
  const q = query.trim().toLocaleLowerCase();
  if (q === "") return [...labels];
  const prefix: L[] = [];
  const inside: L[] = [];
  for (const l of labels) {
    const at = l.name.toLocaleLowerCase().indexOf(q);
    if (at === 0) prefix.push(l);
    else if (at > 0) inside.push(l);
  }
  return prefix.concat(inside);
};
