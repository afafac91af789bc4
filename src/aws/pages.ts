/** NextToken pagination shared by the Cloud Map calls. */

/** Every page of a NextToken-paginated list. */
export async function allPages<T>(
  page: (nextToken: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const out = await page(token);
    items.push(...out.items);
    token = out.next === "" ? undefined : out.next;
  } while (token !== undefined);
  return items;
}
