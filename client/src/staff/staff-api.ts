import type {
  CreateFamilyLinkRequest,
  OrgSettings,
  StaffRole,
  UpdateFamilyLinkRequest,
  UpdateResidentRequest,
} from "@letterbox/shared";
import { api, call } from "../api/client";
import type { DashboardView } from "./route";

/** Every call the console makes, through the typed client: each answer's type comes from the relay's routes, so a changed route breaks the build here. */
const staff = api.staff;
const resident = staff.residents[":residentId"];
const link = resident["family-links"][":linkId"];
const member = staff.staff[":staffId"];
const p = (residentId: string) => ({ param: { residentId } });

export const relay = {
  /** Signed in or not: answered either way with 200, so opening the console logs no failed request. */
  session: () => call(staff.session.$get()),
  /** Who runs this relay (COUNCIL_NAME), named in the welcome letter. */
  council: async () => (await call(staff.me.$get())).council,
  login: async (email: string, password: string) => (await call(staff.login.$post({ json: { email, password } }))).staff,
  logout: () => call(staff.logout.$post()),
  createFirstAccount: async (json: { token: string; name: string; email: string; password: string }) =>
    (await call(staff.setup.$post({ json }))).staff,
  acceptInvite: async (json: { token: string; name: string; email: string; password: string }) =>
    (await call(staff.invites.accept.$post({ json }))).staff,

  dashboard: ({ q, reason, page }: DashboardView = {}) =>
    call(
      staff.dashboard.$get({
        query: { ...(q ? { q } : {}), ...(reason ? { reason } : {}), ...(page ? { page: String(page) } : {}) },
      }),
    ),
  /** The resident's own row of the dashboard (null once archived), whichever page it is on. */
  dashboardRow: async (id: string) => (await call(staff.dashboard[":residentId"].$get(p(id)))).row,
  residents: async () => (await call(staff.residents.$get())).residents,
  resident: async (id: string) => (await call(resident.$get(p(id)))).resident,
  createResident: async (fullName: string, preferredName: string) =>
    (await call(staff.residents.$post({ json: { fullName, preferredName } }))).resident,
  updateResident: async (id: string, json: UpdateResidentRequest) => (await call(resident.$patch({ ...p(id), json }))).resident,
  archive: async (id: string) => (await call(resident.archive.$post(p(id)))).resident,
  unarchive: async (id: string) => (await call(resident.unarchive.$post(p(id)))).resident,
  erase: (id: string) => call(resident.$delete(p(id))),
  /** A plain link: the browser downloads the zip with the session cookie. */
  exportUrl: (id: string) => `/api/staff/residents/${id}/export`,

  familyLinks: async (id: string) => (await call(resident["family-links"].$get(p(id)))).links,
  createFamilyLink: async (id: string, json: CreateFamilyLinkRequest) =>
    (await call(resident["family-links"].$post({ ...p(id), json }))).link,
  updateFamilyLink: async (residentId: string, linkId: string, json: UpdateFamilyLinkRequest) =>
    (await call(link.$patch({ param: { residentId, linkId }, json }))).link,
  revokeFamilyLink: (residentId: string, linkId: string) => call(link.revoke.$post({ param: { residentId, linkId } })),
  reissueFamilyLink: async (residentId: string, linkId: string) =>
    (await call(link.reissue.$post({ param: { residentId, linkId } }))).link,

  setupCode: async (id: string) => (await call(resident["setup-codes"].$post(p(id)))).setupCode,
  devices: async (id: string) => (await call(resident.devices.$get(p(id)))).devices,
  wipe: (residentId: string, deviceId: string) =>
    call(resident.devices[":deviceId"].wipe.$post({ param: { residentId, deviceId } })),

  staffAccounts: async () => (await call(staff.staff.$get())).staff,
  invite: async (role: StaffRole) => (await call(staff.invites.$post({ json: { role } }))).invite,
  disable: (staffId: string) => call(member.disable.$post({ param: { staffId } })),
  enable: (staffId: string) => call(member.enable.$post({ param: { staffId } })),
  endSessions: async (staffId: string) => (await call(member["end-sessions"].$post({ param: { staffId } }))).ended,
  audit: async () => (await call(staff.audit.$get())).entries,
  auditCsvUrl: "/api/staff/audit.csv",
  settings: async () => (await call(staff.settings.$get())).settings,
  updateSettings: async (json: Partial<OrgSettings>) => (await call(staff.settings.$patch({ json }))).settings,
};
