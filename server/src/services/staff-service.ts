import { randomUUID } from "node:crypto";
import {
  type CreatedFamilyLink,
  type CreateFamilyLinkRequest,
  type CreateResidentRequest,
  type FamilyLink,
  type Resident,
  SETUP_CODE,
  type SetupCode,
  type StaffMember,
  type UpdateResidentRequest,
} from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { Logger } from "../log";
import type { FamilyLinkRow, StaffRow, Store } from "../store";
import { decoyPasswordHash, hashPassword, hashToken, newSetupCode, newToken, verifyPassword } from "./credentials";
import type { FailureLimiter } from "./failure-limiter";
import { newResidentRow, toResident } from "./residents";

const SETUP_LINK_TTL_HOURS = 24;
/** A staff session ends after this long without use. */
export const SESSION_IDLE_MINUTES = 8 * 60;

type Deps = { store: Store; clock: Clock; limiter: FailureLimiter; log: Logger; publicUrl: string };

export class StaffService {
  constructor(private readonly deps: Deps) {}

  private now() {
    return this.deps.clock.now();
  }

  /** When nobody can sign in yet, makes a fresh one-time link to create the first account. */
  async issueFirstStaffLink(): Promise<string | undefined> {
    if ((await this.deps.store.countStaff()) > 0) return undefined;
    const token = newToken();
    const expires = new Date(this.now().getTime() + SETUP_LINK_TTL_HOURS * 3_600_000);
    await this.deps.store.replaceStaffSetupToken(hashToken(token), expires.toISOString());
    return `${this.deps.publicUrl}/staff#setup=${token}`;
  }

  async createFirstStaff(input: { token: string; name: string; email: string; password: string }, source: string) {
    this.deps.limiter.check(`setup:${source}`);
    const staff: StaffRow = {
      id: randomUUID(),
      name: input.name,
      email: input.email,
      passwordHash: await hashPassword(input.password),
      createdAt: this.now().toISOString(),
    };
    const result = await this.deps.store.createFirstStaff(staff, hashToken(input.token), this.now().toISOString());
    if (result === "token_invalid") {
      this.deps.limiter.fail(`setup:${source}`);
      throw new AppError(
        "setup_link_invalid",
        "This set-up link has been used or has expired. Restart Letterbox to print a new one, or ask a colleague who can sign in.",
      );
    }
    if (result === "email_taken") throw new AppError("email_taken", "There is already an account with this email address.");
    this.deps.log("staff.created", { staffId: staff.id, via: "setup_link" });
    return this.startSession(staff);
  }

  /** For the command line: creates an account directly (there is no link to guard). */
  async createStaff(input: { name: string; email: string; password: string }): Promise<StaffMember> {
    const staff: StaffRow = {
      id: randomUUID(),
      name: input.name,
      email: input.email,
      passwordHash: await hashPassword(input.password),
      createdAt: this.now().toISOString(),
    };
    if ((await this.deps.store.createStaff(staff)) === "email_taken") {
      throw new AppError("email_taken", "There is already an account with this email address.");
    }
    this.deps.log("staff.created", { staffId: staff.id, via: "cli" });
    return toMember(staff);
  }

  async signIn(email: string, password: string, source: string) {
    const keys = [`login:${email}`, `login-from:${source}`];
    this.deps.limiter.check(...keys);
    const staff = await this.deps.store.findStaffByEmail(email);
    const ok = await verifyPassword(password, staff?.passwordHash ?? (await decoyPasswordHash));
    if (!staff || !ok) {
      this.deps.limiter.fail(...keys);
      throw new AppError("wrong_password", "That email address and password do not match. Check them and try again.");
    }
    this.deps.limiter.succeed(`login:${email}`);
    this.deps.log("staff.signed_in", { staffId: staff.id });
    return this.startSession(staff);
  }

  private async startSession(staff: StaffRow) {
    const token = newToken();
    const now = this.now().toISOString();
    await this.deps.store.createSession({ tokenHash: hashToken(token), staffId: staff.id, createdAt: now, lastSeenAt: now });
    return { sessionToken: token, staff: toMember(staff) };
  }

  /** Returns the signed-in staff member, or throws `unauthenticated`. Extends the idle timer. */
  async authenticate(sessionToken: string | undefined): Promise<StaffMember> {
    const found = sessionToken ? await this.deps.store.findSession(hashToken(sessionToken)) : undefined;
    const now = this.now();
    if (!found || now.getTime() - Date.parse(found.session.lastSeenAt) > SESSION_IDLE_MINUTES * 60_000) {
      if (found) await this.deps.store.deleteSession(found.session.tokenHash);
      throw new AppError("unauthenticated", "Please sign in.");
    }
    // Writing on every request would cost a disk sync each time; a minute's precision is plenty.
    if (now.getTime() - Date.parse(found.session.lastSeenAt) > 60_000) {
      await this.deps.store.touchSession(found.session.tokenHash, now.toISOString());
    }
    return toMember(found.staff);
  }

  async signOut(sessionToken: string | undefined) {
    if (sessionToken) await this.deps.store.deleteSession(hashToken(sessionToken));
  }

  async createResident(input: CreateResidentRequest, by: StaffMember): Promise<Resident> {
    const resident = newResidentRow(randomUUID(), input.fullName, input.preferredName, this.now().toISOString());
    await this.deps.store.createResident(resident);
    this.deps.log("resident.created", { residentId: resident.id, staffId: by.id });
    return toResident(resident);
  }

  async updateResident(id: string, input: UpdateResidentRequest, by: StaffMember): Promise<Resident> {
    const updated = await this.deps.store.updateResident(id, input);
    if (!updated) throw new AppError("not_found", "There is no resident with that id.");
    this.deps.log("resident.updated", { residentId: id, staffId: by.id, fields: Object.keys(input) });
    return toResident(updated);
  }

  async listResidents(): Promise<Resident[]> {
    return (await this.deps.store.listResidents()).map(toResident);
  }

  private async requireResident(id: string) {
    const resident = await this.deps.store.findResident(id);
    if (!resident) throw new AppError("not_found", "There is no resident with that id.");
    return resident;
  }

  async createFamilyLink(residentId: string, input: CreateFamilyLinkRequest, by: StaffMember): Promise<CreatedFamilyLink> {
    await this.requireResident(residentId);
    const token = newToken();
    const link: FamilyLinkRow = {
      id: randomUUID(),
      residentId,
      label: input.label,
      createdAt: this.now().toISOString(),
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.deps.store.createFamilyLink(link, hashToken(token));
    this.deps.log("family_link.created", { residentId, familyLinkId: link.id, staffId: by.id });
    return { ...toFamilyLink(link), url: `${this.deps.publicUrl}/family#${token}` };
  }

  async listFamilyLinks(residentId: string): Promise<FamilyLink[]> {
    await this.requireResident(residentId);
    return (await this.deps.store.listFamilyLinks(residentId)).map(toFamilyLink);
  }

  async revokeFamilyLink(residentId: string, linkId: string, by: StaffMember) {
    const revoked = await this.deps.store.revokeFamilyLink(linkId, residentId, this.now().toISOString());
    if (!revoked) throw new AppError("not_found", "There is no active family link with that id for this resident.");
    this.deps.log("family_link.revoked", { residentId, familyLinkId: linkId, staffId: by.id });
  }

  async createSetupCode(residentId: string, by: StaffMember): Promise<SetupCode> {
    await this.requireResident(residentId);
    const code = newSetupCode();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + SETUP_CODE.ttlMinutes * 60_000).toISOString();
    await this.deps.store.createSetupCode({
      codeHash: hashToken(code),
      residentId,
      createdBy: by.id,
      createdAt: now.toISOString(),
      expiresAt,
    });
    this.deps.log("setup_code.created", { residentId, staffId: by.id });
    return { code, expiresAt };
  }
}

const toMember = (s: StaffRow): StaffMember => ({ id: s.id, name: s.name, email: s.email });
const toFamilyLink = (l: FamilyLinkRow): FamilyLink => ({
  id: l.id,
  label: l.label,
  createdAt: l.createdAt,
  revokedAt: l.revokedAt,
});
