import { randomUUID } from "node:crypto";
import type { AcceptInviteRequest, Invite, StaffAccount, StaffMember, StaffRole } from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { Logger } from "../log";
import type { StaffRow, Store } from "../store";
import type { Actor, Audit } from "./audit";
import { decoyPasswordHash, hashToken, newToken, type PasswordHasher } from "./credentials";
import type { Attempt, FailureLimiter } from "./failure-limiter";
import { checkPasswordNotCommon } from "./password-policy";
import type { SignInThrottle } from "./sign-in-throttle";

const SETUP_LINK_TTL_HOURS = 24;
const INVITE_TTL_DAYS = 7;
/** A staff session ends after this long without use. */
export const SESSION_IDLE_MINUTES = 8 * 60;
/** However much it is used, a staff session ends this long after sign-in (STAFF_SESSION_HOURS). */
export const DEFAULT_SESSION_HOURS = 12;

type Deps = {
  store: Store;
  clock: Clock;
  limiter: FailureLimiter;
  signIns: SignInThrottle;
  hasher: PasswordHasher;
  log: Logger;
  audit: Audit;
  publicUrl: string;
  sessionHours?: number;
};
type NewAccount = { name: string; email: string; password: string };

/** Staff accounts: the first administrator, invitations, sign-in and sessions. */
export class StaffService {
  constructor(private readonly deps: Deps) {}

  private now() {
    return this.deps.clock.now();
  }

  /**
   * When nobody can sign in yet, makes a fresh link to create the first account. The links printed
   * before it, by this instance or another started on the same database, keep working: whichever
   * is opened first makes the account, and then none works.
   */
  async issueFirstStaffLink(): Promise<string | undefined> {
    if ((await this.deps.store.staff.count()) > 0) return undefined;
    const token = newToken();
    const now = this.now();
    const expires = new Date(now.getTime() + SETUP_LINK_TTL_HOURS * 3_600_000);
    const added = await this.deps.store.staff.addSetupToken(hashToken(token), expires.toISOString(), now.toISOString());
    return added ? `${this.deps.publicUrl}/staff#setup=${token}` : undefined;
  }

  private async newStaffRow(input: NewAccount, role: StaffRole): Promise<StaffRow> {
    checkPasswordNotCommon(input.password, [input.name, input.email.split("@")[0] ?? ""]);
    return {
      id: randomUUID(),
      name: input.name,
      email: input.email,
      passwordHash: await this.deps.hasher.hash(input.password),
      createdAt: this.now().toISOString(),
      role,
      disabledAt: null,
    };
  }

  async createFirstStaff(input: NewAccount & { token: string }, source: string) {
    const invalid = () =>
      new AppError(
        "setup_link_invalid",
        "This set-up link has been used or has expired. Restart Letterbox to print a new one, or ask a colleague who can sign in.",
      );
    const tokenHash = hashToken(input.token);
    const staff = await this.withTokenChecked(
      source,
      () => this.deps.store.staff.setupTokenUsable(tokenHash, this.now().toISOString()),
      invalid,
      async (attempt) => {
        const row = await this.newStaffRow(input, "admin");
        const result = await this.deps.store.staff.createFirst(row, tokenHash, this.now().toISOString());
        if (result === "token_invalid") {
          await attempt.failed();
          throw invalid();
        }
        if (result === "email_taken") throw new AppError("email_taken", "There is already an account with this email address.");
        return row;
      },
    );
    this.deps.log("staff.created", { staffId: staff.id, via: "setup_link" });
    const session = await this.startSession(staff);
    await this.deps.audit.record({ staff: session.staff, source }, "staff.created_first_administrator");
    return session;
  }

  /** For the command line: creates an administrator directly (there is no link to guard). */
  async createStaff(input: NewAccount): Promise<StaffMember> {
    const staff = await this.newStaffRow(input, "admin");
    if ((await this.deps.store.staff.create(staff)) === "email_taken") {
      throw new AppError("email_taken", "There is already an account with this email address.");
    }
    this.deps.log("staff.created", { staffId: staff.id, via: "cli" });
    await this.deps.audit.record({ system: "command line" }, "staff.created", null, { staffId: staff.id, role: staff.role });
    return toMember(staff);
  }

  async invite(role: StaffRole, by: Actor): Promise<Invite> {
    const token = newToken();
    const now = this.now();
    const expiresAt = new Date(now.getTime() + INVITE_TTL_DAYS * 86_400_000).toISOString();
    await this.deps.store.staff.createInvite({
      tokenHash: hashToken(token),
      role,
      createdBy: by.staff.id,
      createdAt: now.toISOString(),
      expiresAt,
    });
    await this.deps.audit.record(by, "staff.invited", null, { role });
    return { url: `${this.deps.publicUrl}/staff#invite=${token}`, role, expiresAt };
  }

  async acceptInvite(input: AcceptInviteRequest & { email: string }, source: string) {
    const invalid = () =>
      new AppError("invite_invalid", "This invitation has been used or has expired. Please ask an administrator for a new one.");
    const tokenHash = hashToken(input.token);
    const staff = await this.withTokenChecked(
      source,
      () => this.deps.store.staff.inviteUsable(tokenHash, this.now().toISOString()),
      invalid,
      async (attempt) => {
        const { role: _unused, ...row } = await this.newStaffRow(input, "officer");
        const result = await this.deps.store.staff.acceptInvite(tokenHash, row, this.now().toISOString());
        if (result === "invite_invalid") {
          await attempt.failed();
          throw invalid();
        }
        if (result === "email_taken") throw new AppError("email_taken", "There is already an account with this email address.");
        return row;
      },
    );
    const created = await this.deps.store.staff.findById(staff.id);
    if (!created) throw new Error("the accepted invitation made no account");
    const session = await this.startSession(created);
    await this.deps.audit.record({ staff: session.staff, source }, "staff.joined", null, { role: created.role });
    return session;
  }

  /**
   * A set-up link or invitation is checked before the password is hashed: a made-up token costs
   * a database lookup, not 32 MiB of scrypt. The store checks the token again when it uses it, in
   * one transaction, so two tabs racing with one token still make one account.
   */
  private async withTokenChecked<T>(
    source: string,
    usable: () => Promise<boolean>,
    invalid: () => AppError,
    use: (attempt: Attempt) => Promise<T>,
  ): Promise<T> {
    const attempt = await this.deps.limiter.reserve(`setup:${source}`);
    try {
      if (!(await usable())) {
        await attempt.failed();
        throw invalid();
      }
      return await use(attempt);
    } finally {
      // A good token is not a wrong guess, whatever else was wrong with the form.
      await attempt.release();
    }
  }

  async signIn(email: string, password: string, source: string) {
    const staff = await this.checkPassword(email, password, source);
    this.deps.log("staff.signed_in", { staffId: staff.id });
    const session = await this.startSession(staff);
    await this.deps.audit.record({ staff: session.staff, source }, "staff.signed_in");
    return session;
  }

  private async checkPassword(email: string, password: string, source: string): Promise<StaffRow> {
    const attempt = await this.deps.signIns.reserve(email, source);
    try {
      const staff = await this.deps.store.staff.findByEmail(email);
      const ok = await this.deps.hasher.verify(password, staff?.passwordHash ?? (await decoyPasswordHash));
      if (!staff || !ok || staff.disabledAt) {
        await attempt.failed();
        throw new AppError("wrong_password", "That email address and password do not match. Check them and try again.");
      }
      await attempt.succeeded();
      return staff;
    } finally {
      // Refused before its verdict (the relay too busy to hash, say): the try is given back.
      await attempt.release();
    }
  }

  private async startSession(staff: StaffRow) {
    const token = newToken();
    const now = this.now().toISOString();
    await this.deps.store.staff.createSession({
      tokenHash: hashToken(token),
      staffId: staff.id,
      createdAt: now,
      lastSeenAt: now,
    });
    return { sessionToken: token, staff: toMember(staff) };
  }

  /** Returns the signed-in staff member, or throws `unauthenticated`. Extends the idle timer. */
  async authenticate(sessionToken: string | undefined): Promise<StaffMember> {
    const found = sessionToken ? await this.deps.store.staff.findSession(hashToken(sessionToken)) : undefined;
    const now = this.now();
    const idle = found && now.getTime() - Date.parse(found.session.lastSeenAt) > SESSION_IDLE_MINUTES * 60_000;
    const lifetimeMs = (this.deps.sessionHours ?? DEFAULT_SESSION_HOURS) * 3_600_000;
    const over = found && now.getTime() - Date.parse(found.session.createdAt) >= lifetimeMs;
    if (!found || idle || over || found.staff.disabledAt) {
      if (found) await this.deps.store.staff.deleteSession(found.session.tokenHash);
      throw new AppError("unauthenticated", "Please sign in.");
    }
    // Writing on every request would cost a disk sync each time; a minute's precision is plenty.
    if (now.getTime() - Date.parse(found.session.lastSeenAt) > 60_000) {
      await this.deps.store.staff.touchSession(found.session.tokenHash, now.toISOString());
    }
    return toMember(found.staff);
  }

  async signOut(sessionToken: string | undefined) {
    if (sessionToken) await this.deps.store.staff.deleteSession(hashToken(sessionToken));
  }

  async listStaff(): Promise<StaffAccount[]> {
    return (await this.deps.store.staff.list()).map((s) => ({
      ...toMember(s),
      createdAt: s.createdAt,
      disabledAt: s.disabledAt,
    }));
  }

  /** Disabling ends the account's sessions at once; enabling lets it sign in again. */
  async setDisabled(staffId: string, disabled: boolean, by: Actor) {
    if (staffId === by.staff.id) throw new AppError("forbidden", "You cannot disable your own account.");
    const done = await this.deps.store.staff.setDisabled(staffId, disabled ? this.now().toISOString() : null);
    if (!done) throw new AppError("not_found", "There is no staff account with that id.");
    if (disabled) await this.deps.store.staff.deleteSessionsOf(staffId);
    await this.deps.audit.record(by, disabled ? "staff.disabled" : "staff.enabled", null, { staffId });
  }

  async endSessions(staffId: string, by: Actor) {
    if (!(await this.deps.store.staff.findById(staffId)))
      throw new AppError("not_found", "There is no staff account with that id.");
    const ended = await this.deps.store.staff.deleteSessionsOf(staffId);
    await this.deps.audit.record(by, "staff.sessions_ended", null, { staffId, sessions: ended });
    return ended;
  }
}

export function requireAdmin(staff: StaffMember) {
  if (staff.role !== "admin") throw new AppError("forbidden", "Only an administrator can do this.");
}

const toMember = (s: StaffRow): StaffMember => ({ id: s.id, name: s.name, email: s.email, role: s.role });
