import { SEED_STAFF } from "../support/api";
import { watchForPageProblems } from "../support/checks";
import { expect, test } from "../support/fixtures";
import { consoleRoutes, SIGNED_OUT_ROUTES, StaffPage } from "../support/staff-page";

// Every page of the console, loaded afresh, must leave the browser console clean: no errors, no
// uncaught exceptions and nothing refused by the Content-Security-Policy. A console that logs
// noise on every load hides the one error that matters.

test("loading each console page signed out logs no error and breaks no CSP rule", async ({ browser, seeded }) => {
  const staff = await StaffPage.open(browser, seeded.relay.url);
  const problems = await watchForPageProblems(staff.context);
  for (const route of SIGNED_OUT_ROUTES) {
    await staff.load(route);
    await staff.consoleDelivered();
    expect(problems, route.name).toEqual([]);
  }
  await staff.close();
});

test("loading each console page signed in logs no error and breaks no CSP rule", async ({ browser, seeded }) => {
  const ids = await seeded.householdForEveryPage("Olwen");
  const staff = await StaffPage.open(browser, seeded.relay.url);
  const problems = await watchForPageProblems(staff.context);
  await staff.signIn(SEED_STAFF.email, SEED_STAFF.password);
  for (const route of consoleRoutes(ids)) {
    await staff.load(route);
    await staff.consoleDelivered();
    expect(problems, route.name).toEqual([]);
  }
  await staff.close();
});
