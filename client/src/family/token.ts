import { familyDb } from "../db/family-db";

/**
 * The link's token arrives in the fragment (`/family#<token>`), which never reaches the relay's logs
 * or a Referer header. It is taken out of the address bar at once, so it is not left in the
 * history, a bookmark or a shared screenshot.
 */
export function tokenFromAddress(): string | null {
  const token = location.hash.slice(1);
  if (!token) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return token;
}

/** Kept on this phone so the page opens again from the home screen without the link. */
export async function rememberToken(token: string): Promise<void> {
  await familyDb.state.put({ key: "token", value: token });
}

export async function storedToken(): Promise<string | null> {
  return (await familyDb.state.get("token"))?.value ?? null;
}
