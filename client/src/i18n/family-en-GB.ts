import type { ErrorCode } from "@letterbox/shared";

/** Every word the family page shows, in one place so that Welsh can sit beside it. */
export const familyEnGB = {
  lang: "en-GB",
  appName: "Letterbox",
  title: (name: string) => `Messages to ${name}`,
  youAre: (label: string) => `You are ${label}`,
  nameSetting: (name: string) => `How your name shows to ${name}`,
  nameLabel: "Your name on the tablet",
  nameHint: (name: string) => `For example “Sal”, as ${name} calls you. ${name} sees it on your next message.`,
  nameSave: "Save name",
  nameSaved: "Saved. Your next message shows this name.",
  opening: "Opening your messages…",

  noToken: "This page needs the private link you were sent. Please open that link again.",
  newLinkHint: "If you have been sent a new link, open that one instead.",
  tryAgain: "Try again",

  paused: "Messages are paused for now.",
  notSetUp: (name: string) => `${name}’s tablet is not set up yet — ${name} will see your messages once it is.`,
  restingMorning: (name: string, until: string) =>
    `${name}’s tablet is resting until ${until} — ${name} will see this in the morning.`,
  resting: (name: string, until: string) => `${name}’s tablet is resting until ${until} — ${name} will see this then.`,
  offlineSince: (name: string, since: string) =>
    `${name}’s tablet has not been online since ${since} — ${name} will see this when it is back online.`,
  youAreOffline: "You are offline. Messages you write wait here and go when you are back online.",

  conversation: (name: string) => `Conversation with ${name}`,
  empty: (name: string) => `Nothing sent yet. Your first message will appear on ${name}’s tablet in large type.`,
  replied: (name: string) => `${name} replied`,
  repliedTo: (name: string, to: string) => `${name} replied to ${to}`,
  photoAlt: (n: number, of: number) => `Photo ${n} of ${of}`,

  sending: "Sending…",
  waitingForSignal: "Waiting for signal",
  sent: (time: string) => `Sent ${time}`,
  onTablet: (name: string, time: string) => `On ${name}’s tablet ${time}`,
  seen: (time: string) => `Seen ${time}`,
  photoProgress: (n: number, of: number) => `Photo ${n} of ${of} sent`,
  notSent: "Not sent.",
  sendAgain: "Send again",
  dontSend: "Don’t send",

  delete: "Delete",
  confirmDelete: (name: string) => `Delete this message? It will be taken off ${name}’s tablet too.`,
  yesDelete: "Yes, delete it",
  keep: "Keep it",
  deleted: "Message deleted.",

  messageLabel: (name: string) => `Your message to ${name}`,
  placeholder: (name: string) => `Write to ${name}`,
  addPhotosHidden: "Add ",
  photos: "Photos",
  photoCount: (n: number, max: number) => `${n} of ${max} photos`,
  tooManyPhotos: (max: number) => `You can send up to ${max} photos in one message.`,
  photoDraft: (n: number) => `Photo ${n}`,
  captionLabel: (n: number) => `Caption for photo ${n} (optional)`,
  captionPlaceholder: "Where was this?",
  removePhoto: (n: number) => `Remove photo ${n}`,
  remove: "Remove",
  send: "Send",
  gettingReady: "Getting photos ready…",
  nothingToSend: "Write something or add a photo first.",
  couldNotKeep: "This phone could not keep your message to send later. Please try again.",
  queued: "Your message will go when your phone has signal.",

  yesterday: (time: string) => `yesterday ${time}`,

  // Web push, only offered where the phone's browser can do it (family/push.ts)
  pushOptIn: (name: string) => `Tell me when ${name} replies or sees my messages`,
  pushOnHint: "This phone will show a notification, even when this page is closed.",
  pushBlocked: "Notifications are turned off for this page in your browser’s settings.",
  pushFailed: "This phone could not turn notifications on or off. Please try again later.",
  /** The notifications themselves ("Margaret replied" uses `replied`). */
  pushSeen: (name: string) => `${name} has seen your message`,
  pushRepliedNoName: "You have a reply in Letterbox",
  pushSeenNoName: "Your message has been seen",

  /** Only for codes the relay's own sentence cannot cover; English shows the relay's sentence as it is. */
  errors: {
    network: "Letterbox could not be reached. Check the internet connection and try again.",
    internal: "Something went wrong. Please try again in a minute.",
    link_revoked: "This link no longer works. Please ask the council for a new one.",
    unauthenticated: "This link does not work. Please check you copied all of it.",
  } as Partial<Record<ErrorCode | "network", string>>,
};

/** The shape every language's catalogue must have: same keys, same arguments. */
export type FamilyText = typeof familyEnGB;
