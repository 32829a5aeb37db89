import type { StaffMember } from "@letterbox/shared";
import { useEffect, useState } from "react";
import { api, call } from "../api/client";
import { Residents } from "./Residents";
import { FirstAccount, SignIn } from "./SignIn";

function setupTokenFromHash(): string | null {
  return new URLSearchParams(location.hash.slice(1)).get("setup");
}

export function App() {
  const [setupToken] = useState(setupTokenFromHash);
  const [staff, setStaff] = useState<StaffMember | null | undefined>(undefined);

  useEffect(() => {
    call<{ staff: StaffMember }>(api.staff.me.$get())
      .then((r) => setStaff(r.staff))
      .catch(() => setStaff(null));
  }, []);

  const signedIn = (member: StaffMember) => {
    history.replaceState(null, "", location.pathname);
    setStaff(member);
  };

  if (staff === undefined) return <main aria-busy="true" />;
  if (staff === null) return setupToken ? <FirstAccount token={setupToken} onDone={signedIn} /> : <SignIn onDone={signedIn} />;
  return (
    <>
      <header className="staff-header">
        <span>Letterbox staff console</span>
        <span>
          Signed in as {staff.name}{" "}
          <button
            type="button"
            className="secondary"
            onClick={() => call(api.staff.logout.$post()).finally(() => setStaff(null))}
          >
            Sign out
          </button>
        </span>
      </header>
      <Residents />
    </>
  );
}
