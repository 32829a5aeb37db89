import type { DayPart, TabletText } from "./tablet-en-GB";

/**
 * Every word the tablet shows, in Welsh (Cymraeg). After a number, Welsh keeps the noun singular
 * ("2 neges newydd"), so there is no plural to choose.
 */

const WEEKDAYS = ["Dydd Sul", "Dydd Llun", "Dydd Mawrth", "Dydd Mercher", "Dydd Iau", "Dydd Gwener", "Dydd Sadwrn"];
// After "nos" the weekday takes a soft mutation (nos Lun, nos Fawrth); after "bore" and "prynhawn" it does not.
const BARE = ["Sul", "Llun", "Mawrth", "Mercher", "Iau", "Gwener", "Sadwrn"];
const MUTATED = ["Sul", "Lun", "Fawrth", "Fercher", "Iau", "Wener", "Sadwrn"];

export const tabletText: TabletText = {
  lang: "cy",

  weekdays: WEEKDAYS,
  months: [
    "Ionawr",
    "Chwefror",
    "Mawrth",
    "Ebrill",
    "Mai",
    "Mehefin",
    "Gorffennaf",
    "Awst",
    "Medi",
    "Hydref",
    "Tachwedd",
    "Rhagfyr",
  ],
  /** "Dydd Sadwrn, 28 Tachwedd", as CLDR writes it. */
  dayDate: (weekday: string, day: number, month: string) => `${weekday}, ${day} ${month}`,
  today: { morning: "Y bore ’ma", afternoon: "Y prynhawn ’ma", evening: "Heno" },
  yesterday: { morning: "Bore ddoe", afternoon: "Prynhawn ddoe", evening: "Neithiwr" },
  weekdayPart: (weekday: number, part: DayPart) =>
    part === "morning" ? `Bore ${BARE[weekday]}` : part === "afternoon" ? `Prynhawn ${BARE[weekday]}` : `Nos ${MUTATED[weekday]}`,

  newMessages: (n: number) => `${n} neges newydd`,

  // "eich" (your) leaves the word after it as it is: "eich merch", "eich mab", "eich cymydog".
  from: (name: string, relationship?: string) => (relationship ? `Oddi wrth ${name}, eich ${relationship}` : `Oddi wrth ${name}`),
  messageCount: (n: number, of: number) => `Neges ${n} o ${of}`,
  earlier: "Cynharach",
  later: "Hwyrach",
  readToMe: "Darllen i mi",
  stopReading: "Stopio darllen",
  more: "Mwy",
  fromTheStart: "Yn ôl i’r dechrau",
  pageOf: (n: number, of: number) => `Tudalen ${n} o ${of}`,
  replyTo: (name: string) => `Ateb ${name}`,
  savedFor: (name: string) => `Wedi’i gadw — bydd yn mynd at ${name} cyn bo hir`,
  sentTo: (name: string) => `Wedi’i anfon at ${name}`,
  youReplied: (text: string) => `Eich ateb: ${text}`,
  photoAlt: (n: number, of: number, name: string) => (of === 1 ? `Llun gan ${name}` : `Llun ${n} o ${of} gan ${name}`),
  showLarge: "Dangos yn fawr",
  morePhotos: (n: number) => `${n} llun arall`,
  photoComing: "Bydd y llun yma cyn bo hir",
  backToMessage: "Yn ôl i’r neges",
  nextPhoto: "Llun nesaf",
  previousPhoto: "Llun blaenorol",

  emptyTitle: "Dim negeseuon eto",
  emptyBody: "Gall eich teulu anfon negeseuon a lluniau atoch chi yma.",
  savedOnly: "Yn dangos negeseuon wedi’u cadw",
  lastUpdated: (when: string) => `diweddarwyd ddiwethaf ${when}`,
  resting: "Mae Letterbox yn gorffwys am y tro.",
  restingHint: "Bydd negeseuon yn dangos yma eto cyn bo hir.",
  notSetUp: "Mae’r llechen hon yn gorffwys. Bydd tîm Letterbox yn ei gosod eto.",
  nightWaiting: (n: number) => `${n} neges newydd yn aros tan y bore`,
  showMessages: "Dangos negeseuon",

  notifyFrom: (name: string) => `Neges newydd oddi wrth ${name}`,
  notifyNew: "Neges newydd",
  notifyBody: "Tapiwch i’w darllen",

  setupTitle: "Gosod y llechen hon",
  setupHint: "Teipiwch y cod gosod o gonsol staff Letterbox, a dewiswch PIN staff ar gyfer y llechen hon.",
  setupCodeLabel: "Cod gosod",
  setupPinLabel: "PIN staff (4 digid neu fwy)",
  setupPinProblem: "Rhaid i’r PIN staff fod yn 4 digid neu fwy.",
  setupButton: "Gosod",
  settingUp: "Wrthi’n gosod…",
  setupFailed: "Wnaeth hynny ddim gweithio. Rhowch gynnig arall arni.",

  staff: {
    title: "Staff",
    pinLabel: "PIN staff",
    open: "Agor",
    close: "Cau",
    wrongPin: "Nid yw’r PIN yna’n gywir.",
    waitPin: "Gormod o gynigion. Arhoswch funud.",
    statusTitle: "Y llechen hon",
    version: "Fersiwn yr ap",
    online: "Y gweinydd",
    onlineYes: "Ar gael",
    onlineNo: "Ddim ar gael",
    lastSync: "Cysoni diwethaf",
    never: "Byth",
    messages: "Negeseuon",
    unread: "Heb eu darllen",
    waiting: "Yn aros i’w hanfon",
    waitingValue: (replies: number, receipts: number) => `${replies} ateb, ${receipts} derbynneb`,
    notSent: "Atebion a wrthodwyd",
    storage: "Storfa wedi’i defnyddio",
    storageValue: (used: string, quota: string) => `${used} o ${quota}`,
    photos: "Lluniau wedi’u cadw",
    photosValue: (count: number, size: string) => `${count} (${size})`,
    persisted: "Storfa wedi’i diogelu",
    yes: "Ydy",
    no: "Nac ydy",
    push: "Hysbysiadau",
    pushStates: {
      subscribed: "Wedi tanysgrifio",
      no_push_manager: "Ddim ar gael yn y porwr hwn (mae’r llechen yn holi’r gweinydd bob ychydig eiliadau)",
      permission_denied: "Hysbysiadau heb eu caniatáu (mae’r llechen yn holi’r gweinydd bob ychydig eiliadau)",
      subscribe_failed: "Methu tanysgrifio (mae’r llechen yn holi’r gweinydd bob ychydig eiliadau)",
      unknown: "Heb ei osod eto",
    },
    battery: "Batri",
    batteryValue: (percent: number, charging: boolean) => `${percent}%, ${charging ? "yn gwefru" : "ddim yn gwefru"}`,
    wakeLock: "Sgrin yn aros yn effro",
    setUpAgain: "Gosod eto",
    confirmTitle: "Gosod y llechen hon eto?",
    confirmBody: (name: string) =>
      `Bydd hyn yn dileu negeseuon a lluniau ${name} o’r llechen hon. Bydd angen cod gosod newydd arnoch chi.`,
    confirmYes: "Ie, dileu a gosod eto",
    confirmNo: "Na, cadw popeth",
  },
};
