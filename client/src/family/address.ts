/**
 * The link's token arrives in the fragment (`/family#<token>`), which never reaches the relay's logs
 * or a Referer header. It is taken out of the address bar at once, so it is not left in the
 * history, a bookmark or a shared screenshot. Apart from token.ts (which keeps it on the phone, in
 * IndexedDB) so that the page's entry script can read it without loading the database.
 */
export function tokenFromAddress(): string | null {
  const token = location.hash.slice(1);
  if (!token) return null;
  history.replaceState(null, "", location.pathname + location.search);
  return token;
}
