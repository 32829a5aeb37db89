import { describe, expect, it } from "vitest";
import { RelayError } from "../api/relay-error";
import { problemsFrom } from "./problems";

const fields = {
  email: { id: "email", label: "Email address" },
  password: { id: "password", label: "Password" },
  replyOptions: { id: "reply-0", label: "Reply buttons" },
};

describe("the relay's sentences, tied to the form's fields", () => {
  it("links each field the relay names, in the form's own words", () => {
    const err = new RelayError(
      400,
      "invalid_request",
      "“email” is not an email address. “password” must be at least 12 characters. “replyOptions.2” must not be blank.",
    );
    expect(problemsFrom(err, fields)).toEqual([
      { text: "Email address is not an email address", fieldId: "email" },
      { text: "Password must be at least 12 characters", fieldId: "password" },
      { text: "Reply buttons must not be blank", fieldId: "reply-0" },
    ]);
  });

  it("keeps a sentence about a field the form does not have, unlinked", () => {
    const err = new RelayError(400, "invalid_request", "Unknown field: colour.");
    expect(problemsFrom(err, fields)).toEqual([{ text: "Unknown field: colour." }]);
  });

  it("ties a coded refusal to the field the form names for it", () => {
    const sentence = "This password is too easy to guess: it is one that many people use. Please choose another.";
    const err = new RelayError(400, "password_too_common", sentence);
    expect(problemsFrom(err, fields, { password_too_common: "password" })).toEqual([{ text: sentence, fieldId: "password" }]);
    expect(problemsFrom(err, fields)).toEqual([{ text: sentence }]);
  });

  it("shows a slowed-down sign-in as the relay's sentence, tied to no field (neither of them is wrong)", () => {
    const signInFields = { wrong_password: "email" } as const;
    for (const [code, sentence] of [
      ["too_many_attempts", "Too many wrong tries. Please wait 4 minutes and try again."],
      ["busy", "Letterbox is busy with other sign-ins. Please try again in a moment."],
    ] as const) {
      expect(problemsFrom(new RelayError(429, code, sentence), fields, signInFields)).toEqual([{ text: sentence }]);
    }
  });

  it("says something went wrong for failures that are not the relay's", () => {
    expect(problemsFrom(new TypeError("x"))).toEqual([{ text: "Something went wrong. Please try again." }]);
  });
});
