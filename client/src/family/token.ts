/*
 * The link's token, kept on this phone so the page opens again from the home screen without the
 * link. The database is loaded only when it is first asked for: a page opened from its link shows
 * the conversation before it needs any of it.
 */
const database = async () => (await import("../db/family-db")).familyDb;

export async function rememberToken(token: string): Promise<void> {
  await (await database()).state.put({ key: "token", value: token });
}

export async function storedToken(): Promise<string | null> {
  return (await (await database()).state.get("token"))?.value ?? null;
}
