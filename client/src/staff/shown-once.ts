import type { CreatedFamilyLink } from "@letterbox/shared";

/**
 * Family links as made in this tab, so the welcome letter can print the link. The relay keeps
 * only a hash: once this page is reloaded the link is gone, as it should be (re-issue to print
 * again). Kept in memory only, never in storage.
 */
const made = new Map<string, CreatedFamilyLink>();

export const rememberLink = (link: CreatedFamilyLink) => void made.set(link.id, link);
export const shownLink = (linkId: string) => made.get(linkId);
