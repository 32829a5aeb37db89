import type {
  AuditEntry,
  CreatedFamilyLink,
  CreateFamilyLinkRequest,
  Dashboard,
  DashboardRow,
  Device,
  FamilyLink,
  Invite,
  OrgSettings,
  Resident,
  SetupCode,
  StaffAccount,
  StaffMember,
  StaffRole,
  StaffSession,
  UpdateFamilyLinkRequest,
  UpdateResidentRequest,
} from "@letterbox/shared";
import { api, call } from "../api/client";
import type { DashboardView } from "./route";

/** Every call the console makes, through the typed client: a changed route breaks the build here. */
const staff = api.staff;
const resident = staff.residents[":residentId"];
const link = resident["family-links"][":linkId"];
const member = staff.staff[":staffId"];
const p = (residentId: string) => ({ param: { residentId } });

export const relay = {
  /** Signed in or not: answered either way with 200, so opening the console logs no failed request. */
  session: () => call<StaffSession>(staff.session.$get()),
  /** Who runs this relay (COUNCIL_NAME), named in the welcome letter. */
  council: async () => (await call<{ council: string }>(staff.me.$get())).council,
  login: async (email: string, password: string) =>
    (await call<{ staff: StaffMember }>(staff.login.$post({ json: { email, password } }))).staff,
  logout: () => call(staff.logout.$post()),
  createFirstAccount: async (json: { token: string; name: string; email: string; password: string }) =>
    (await call<{ staff: StaffMember }>(staff.setup.$post({ json }))).staff,
  acceptInvite: async (json: { token: string; name: string; email: string; password: string }) =>
    (await call<{ staff: StaffMember }>(staff.invites.accept.$post({ json }))).staff,

  dashboard: ({ q, reason, page }: DashboardView = {}) =>
    call<Dashboard>(
      staff.dashboard.$get({
        query: { ...(q ? { q } : {}), ...(reason ? { reason } : {}), ...(page ? { page: String(page) } : {}) },
      }),
    ),
  /** The resident's own row of the dashboard (null once archived), whichever page it is on. */
  dashboardRow: async (id: string) => (await call<{ row: DashboardRow | null }>(staff.dashboard[":residentId"].$get(p(id)))).row,
  residents: async () => (await call<{ residents: Resident[] }>(staff.residents.$get())).residents,
  resident: async (id: string) => (await call<{ resident: Resident }>(resident.$get(p(id)))).resident,
  createResident: async (fullName: string, preferredName: string) =>
    (await call<{ resident: Resident }>(staff.residents.$post({ json: { fullName, preferredName } }))).resident,
  updateResident: async (id: string, json: UpdateResidentRequest) =>
    (await call<{ resident: Resident }>(resident.$patch({ ...p(id), json }))).resident,
  archive: async (id: string) => (await call<{ resident: Resident }>(resident.archive.$post(p(id)))).resident,
  unarchive: async (id: string) => (await call<{ resident: Resident }>(resident.unarchive.$post(p(id)))).resident,
  erase: (id: string) => call(resident.$delete(p(id))),
  /** A plain link: the browser downloads the zip with the session cookie. */
  exportUrl: (id: string) => `/api/staff/residents/${id}/export`,

  familyLinks: async (id: string) => (await call<{ links: FamilyLink[] }>(resident["family-links"].$get(p(id)))).links,
  createFamilyLink: async (id: string, json: CreateFamilyLinkRequest) =>
    (await call<{ link: CreatedFamilyLink }>(resident["family-links"].$post({ ...p(id), json }))).link,
  updateFamilyLink: async (residentId: string, linkId: string, json: UpdateFamilyLinkRequest) =>
    (await call<{ link: FamilyLink }>(link.$patch({ param: { residentId, linkId }, json }))).link,
  revokeFamilyLink: (residentId: string, linkId: string) => call(link.revoke.$post({ param: { residentId, linkId } })),
  reissueFamilyLink: async (residentId: string, linkId: string) =>
    (await call<{ link: CreatedFamilyLink }>(link.reissue.$post({ param: { residentId, linkId } }))).link,

  setupCode: async (id: string) => (await call<{ setupCode: SetupCode }>(resident["setup-codes"].$post(p(id)))).setupCode,
  devices: async (id: string) => (await call<{ devices: Device[] }>(resident.devices.$get(p(id)))).devices,
  wipe: (residentId: string, deviceId: string) =>
    call(resident.devices[":deviceId"].wipe.$post({ param: { residentId, deviceId } })),

  staffAccounts: async () => (await call<{ staff: StaffAccount[] }>(staff.staff.$get())).staff,
  invite: async (role: StaffRole) => (await call<{ invite: Invite }>(staff.invites.$post({ json: { role } }))).invite,
  disable: (staffId: string) => call(member.disable.$post({ param: { staffId } })),
  enable: (staffId: string) => call(member.enable.$post({ param: { staffId } })),
  endSessions: async (staffId: string) =>
    (await call<{ ended: number }>(member["end-sessions"].$post({ param: { staffId } }))).ended,
  audit: async () => (await call<{ entries: AuditEntry[] }>(staff.audit.$get())).entries,
  auditCsvUrl: "/api/staff/audit.csv",
  settings: async () => (await call<{ settings: OrgSettings }>(staff.settings.$get())).settings,
  updateSettings: async (json: Partial<OrgSettings>) =>
    (await call<{ settings: OrgSettings }>(staff.settings.$patch({ json }))).settings,
};
