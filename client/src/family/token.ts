import { familyDb } from "../db/family-db";

/** Kept on this phone so the page opens again from the home screen without the link. */
export async function rememberToken(token: string): Promise<void> {
  await familyDb.state.put({ key: "token", value: token });
}

export async function storedToken(): Promise<string | null> {
  return (await familyDb.state.get("token"))?.value ?? null;
}
