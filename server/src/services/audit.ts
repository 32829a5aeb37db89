import type { StaffMember } from "@letterbox/shared";
import type { Clock } from "../clock";
import type { Store } from "../store";

/** Who did something in the console, and from where: every staff action is recorded with it. */
export type Actor = { staff: StaffMember; source: string };

/** The audit log of staff actions. Details are ids, labels and counts — never message content. */
export class Audit {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  record(
    actor: Actor | { system: string },
    action: string,
    residentId: string | null = null,
    detail: Record<string, unknown> = {},
  ) {
    const who =
      "staff" in actor
        ? { staffId: actor.staff.id, staffName: actor.staff.name, source: actor.source }
        : { staffId: null, staffName: actor.system, source: "relay" };
    return this.deps.store.audit.append({ at: this.deps.clock.now().toISOString(), action, residentId, detail, ...who });
  }
}
