import { describe, expect, it } from "vitest";
import { bypassesProxy } from "./proxy-agent";

describe("NO_PROXY", () => {
  it("matches a host and its subdomains, with or without a leading dot, and a port when one is given", () => {
    const noProxy = ["council.gov.uk", ".internal", "*.example.org", "push.local:8443"];
    expect(bypassesProxy("council.gov.uk", 443, noProxy)).toBe(true);
    expect(bypassesProxy("Autopush.Council.gov.uk", 443, noProxy)).toBe(true);
    expect(bypassesProxy("notcouncil.gov.uk", 443, noProxy)).toBe(false);
    expect(bypassesProxy("push.internal", 443, noProxy)).toBe(true);
    expect(bypassesProxy("a.example.org", 443, noProxy)).toBe(true);
    expect(bypassesProxy("push.local", 443, noProxy)).toBe(false);
    expect(bypassesProxy("push.local", 8443, noProxy)).toBe(true);
    expect(bypassesProxy("fcm.googleapis.com", 443, noProxy)).toBe(false);
  });

  it("sends everything direct for *, and nothing for an empty list", () => {
    expect(bypassesProxy("fcm.googleapis.com", 443, ["*"])).toBe(true);
    expect(bypassesProxy("fcm.googleapis.com", 443, [])).toBe(false);
  });
});
