import type { TabletStatusRequest } from "@letterbox/shared";
import { count } from "../kit/plural";

/**
 * Every word the tablet shows, in English (UK). The Welsh catalogue has the same shape; only the
 * resident's own language is loaded. Dates: weekday and month names are here as well as in Intl,
 * because not every browser's Intl knows Welsh (the kit's tests check the two agree where it does).
 */

type Part = "morning" | "afternoon" | "evening" | "night";
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

export const tabletText = {
  lang: "en-GB",

  // Dates and times in words
  weekdays: [...WEEKDAYS] as string[],
  months: [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
  ] as string[],
  /** "Saturday 28 November" */
  dayDate: (weekday: string, day: number, month: string) => `${weekday} ${day} ${month}`,
  today: { morning: "This morning", afternoon: "This afternoon", evening: "This evening" },
  yesterday: { morning: "Yesterday morning", afternoon: "Yesterday afternoon", evening: "Yesterday evening" },
  /** "Saturday night", for the night clock. */
  weekdayPart: (weekday: number, part: Part) => `${WEEKDAYS[weekday]} ${part}`,

  // Always on top
  newMessages: (n: number) => count("en-GB", n, { one: "new message", other: "new messages" }),

  // One message
  /** "From Sarah, your daughter"; staff may give no relationship, and then it is "From Sarah". */
  from: (name: string, relationship?: string) => (relationship ? `From ${name}, your ${relationship}` : `From ${name}`),
  messageCount: (n: number, of: number) => `Message ${n} of ${of}`,
  earlier: "Earlier",
  later: "Later",
  readToMe: "Read it to me",
  stopReading: "Stop reading",
  more: "More",
  fromTheStart: "Back to the start",
  pageOf: (n: number, of: number) => `Page ${n} of ${of}`,
  replyTo: (name: string) => `Reply to ${name}`,
  savedFor: (name: string) => `Saved — it will go to ${name} soon`,
  sentTo: (name: string) => `Sent to ${name}`,
  youReplied: (text: string) => `You replied: ${text}`,
  photoAlt: (n: number, of: number, name: string) => (of === 1 ? `Photo from ${name}` : `Photo ${n} of ${of} from ${name}`),
  showLarge: "Show it large",
  morePhotos: (n: number) => count("en-GB", n, { one: "more photo", other: "more photos" }),
  photoComing: "The photo will be here soon",
  backToMessage: "Back to the message",
  nextPhoto: "Next photo",
  previousPhoto: "Previous photo",

  // Calm states
  emptyTitle: "No messages yet",
  emptyBody: "Your family can send you messages and photos here.",
  savedOnly: "Showing saved messages",
  lastUpdated: (when: string) => `last updated ${when}`,
  resting: "Letterbox is resting for now.",
  restingHint: "Messages will show here again soon.",
  notSetUp: "This tablet is resting. The Letterbox team will set it up again.",
  nightWaiting: (n: number) => `${count("en-GB", n, { one: "new message", other: "new messages" })} waiting for the morning`,
  showMessages: "Show messages",

  // A notification, when a push brings a message and the app is not on screen
  notifyFrom: (name: string) => `New message from ${name}`,
  notifyNew: "New message",
  notifyBody: "Tap to read it",

  // Set-up (done by staff)
  setupTitle: "Set up this tablet",
  setupHint: "Type the set-up code from the Letterbox staff console, and choose a staff PIN for this tablet.",
  setupCodeLabel: "Set-up code",
  setupPinLabel: "Staff PIN (4 or more digits)",
  setupPinProblem: "The staff PIN must be 4 or more digits.",
  setupButton: "Set up",
  settingUp: "Setting up…",
  setupFailed: "That did not work. Please try again.",

  // The hidden staff corner
  staff: {
    title: "Staff",
    pinLabel: "Staff PIN",
    open: "Open",
    close: "Close",
    wrongPin: "That PIN is not right.",
    waitPin: "Too many tries. Please wait a minute.",
    statusTitle: "This tablet",
    version: "App version",
    online: "Relay",
    onlineYes: "Reachable",
    onlineNo: "Not reachable",
    lastSync: "Last sync",
    never: "Never",
    messages: "Messages",
    unread: "Unread",
    waiting: "Waiting to send",
    waitingValue: (replies: number, receipts: number) =>
      `${count("en-GB", replies, { one: "reply", other: "replies" })}, ${count("en-GB", receipts, { one: "receipt", other: "receipts" })}`,
    notSent: "Replies the relay refused",
    storage: "Storage used",
    storageValue: (used: string, quota: string) => `${used} of ${quota}`,
    photos: "Photos kept",
    photosValue: (count: number, size: string) => `${count} (${size})`,
    persisted: "Storage kept safe",
    yes: "Yes",
    no: "No",
    push: "Notifications",
    /** Each push state the tablet reports (tablet/push.ts). Without push the tablet asks the relay itself. */
    pushStates: {
      subscribed: "Subscribed",
      no_push_manager: "Not available in this browser (the tablet asks the relay every few seconds)",
      permission_denied: "Notifications not allowed (the tablet asks the relay every few seconds)",
      subscribe_failed: "Could not subscribe (the tablet asks the relay every few seconds)",
      unknown: "Not set up yet",
    } satisfies Record<TabletStatusRequest["pushState"], string>,
    battery: "Battery",
    batteryValue: (percent: number, charging: boolean) => `${percent}%, ${charging ? "charging" : "not charging"}`,
    wakeLock: "Screen kept awake",
    setUpAgain: "Set up again",
    confirmTitle: "Set this tablet up again?",
    confirmBody: (name: string) =>
      `This removes ${name}’s messages and photos from this tablet. You will need a new set-up code.`,
    confirmYes: "Yes, remove and set up again",
    confirmNo: "No, keep everything",
  },
};

export type TabletText = typeof tabletText;
export type DayPart = Part;
