import { randomUUID } from "node:crypto";
import type { CreatedFamilyLink, CreateFamilyLinkFields, FamilyLink, FamilyLinkChanges } from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { LogEvents } from "../events";
import type { FamilyLinkRow, Store } from "../store";
import type { Actor, Audit } from "./audit";
import { hashToken, newToken } from "./credentials";
import { requireResident } from "./residents";

type Deps = { store: Store; clock: Clock; audit: Audit; events: LogEvents; publicUrl: string };

/**
 * The private links family members send from: made, renamed, revoked and reissued by staff. The
 * token is shown once, in the link's URL; the relay keeps only its hash.
 */
export class FamilyLinkService {
  constructor(private readonly deps: Deps) {}

  async create(residentId: string, input: CreateFamilyLinkFields, by: Actor): Promise<CreatedFamilyLink> {
    await requireResident(this.deps.store, residentId);
    const token = newToken();
    const link: FamilyLinkRow = {
      id: randomUUID(),
      residentId,
      label: input.label,
      displayName: null,
      relationship: input.relationship ?? null,
      createdAt: this.deps.clock.now().toISOString(),
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.deps.store.familyLinks.create(link, hashToken(token));
    // Ids only: the audit log outlives an erasure, so it holds no names.
    await this.deps.audit.record(by, "family_link.created", residentId, { familyLinkId: link.id });
    return this.withUrl(link, token);
  }

  async list(residentId: string): Promise<FamilyLink[]> {
    await requireResident(this.deps.store, residentId);
    return (await this.deps.store.familyLinks.list(residentId)).map(toFamilyLink);
  }

  /**
   * Staff correct the name or the relationship. The family member's next message carries the new
   * ones; messages already on the tablet keep what they were sent with, as with a chosen name.
   */
  async update(residentId: string, linkId: string, changes: FamilyLinkChanges, by: Actor): Promise<FamilyLink> {
    const link = await this.deps.store.familyLinks.update(linkId, residentId, changes);
    if (!link) throw new AppError("not_found", "There is no family link with that id for this resident.");
    // Which fields changed, never their words: the audit log outlives an erasure.
    await this.deps.audit.record(by, "family_link.updated", residentId, { familyLinkId: linkId, fields: Object.keys(changes) });
    return toFamilyLink(link);
  }

  async revoke(residentId: string, linkId: string, by: Actor) {
    const revoked = await this.deps.store.familyLinks.revoke(linkId, residentId, this.deps.clock.now().toISOString());
    if (!revoked) throw new AppError("not_found", "There is no active family link with that id for this resident.");
    this.hintLinkEnded(residentId, linkId);
    await this.deps.audit.record(by, "family_link.revoked", residentId, { familyLinkId: linkId });
  }

  /**
   * A new link for the same person (lost phone, forwarded link): the old token stops working at
   * once; the person keeps their conversation, and replies to their earlier messages still reach them.
   */
  async reissue(residentId: string, linkId: string, by: Actor): Promise<CreatedFamilyLink> {
    const token = newToken();
    const link = await this.deps.store.familyLinks.replaceToken(linkId, residentId, hashToken(token));
    if (!link) throw new AppError("not_found", "There is no family link with that id for this resident.");
    this.hintLinkEnded(residentId, linkId);
    await this.deps.audit.record(by, "family_link.reissued", residentId, { familyLinkId: linkId });
    return this.withUrl(link, token);
  }

  private withUrl(link: FamilyLinkRow, token: string): CreatedFamilyLink {
    return { ...toFamilyLink(link), url: `${this.deps.publicUrl}/family#${token}` };
  }

  /**
   * A page open on a link whose token just stopped working does not poll while its live
   * connection is open: the hint makes it fetch, hear that the link is gone, and say so at once.
   */
  private hintLinkEnded(residentId: string, linkId: string) {
    this.deps.events.emit({ residentId, seq: 0, kind: "settings", familyLinkId: linkId });
  }
}

/** A link as staff see it: never its token, nor the name the family member chose for themselves. */
export const toFamilyLink = (l: FamilyLinkRow): FamilyLink => ({
  id: l.id,
  label: l.label,
  relationship: l.relationship,
  createdAt: l.createdAt,
  revokedAt: l.revokedAt,
  lastUsedAt: l.lastUsedAt,
});
