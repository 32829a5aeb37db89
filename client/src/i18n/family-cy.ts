import type { FamilyText } from "./family-en-GB";

/** Cymraeg. Names are not mutated: they are the family's own spelling. */
export const familyCy: FamilyText = {
  lang: "cy",
  appName: "Letterbox",
  title: (name) => `Negeseuon i ${name}`,
  youAre: (label) => `Chi yw ${label}`,
  opening: "Yn agor eich negeseuon…",

  noToken: "Mae angen y ddolen breifat a anfonwyd atoch chi ar y dudalen hon. Agorwch y ddolen honno eto, os gwelwch yn dda.",
  newLinkHint: "Os cawsoch chi ddolen newydd, agorwch honno yn lle hon.",
  tryAgain: "Rhoi cynnig arall arni",

  paused: "Mae negeseuon wedi’u hoedi am y tro.",
  notSetUp: (name) => `Nid yw tabled ${name} wedi’i osod eto — bydd ${name} yn gweld eich negeseuon pan fydd wedi’i osod.`,
  restingMorning: (name, until) => `Mae tabled ${name} yn gorffwys tan ${until} — bydd ${name} yn gweld hyn yn y bore.`,
  resting: (name, until) => `Mae tabled ${name} yn gorffwys tan ${until} — bydd ${name} yn gweld hyn bryd hynny.`,
  offlineSince: (name, since) =>
    `Nid yw tabled ${name} wedi bod ar-lein ers ${since} — bydd ${name} yn gweld hyn pan fydd yn ôl ar-lein.`,
  youAreOffline:
    "Rydych chi all-lein. Mae negeseuon rydych chi’n eu hysgrifennu yn aros yma ac yn mynd pan fyddwch chi ar-lein eto.",

  conversation: (name) => `Sgwrs gyda ${name}`,
  empty: (name) => `Dim byd wedi’i anfon eto. Bydd eich neges gyntaf yn ymddangos ar dabled ${name} mewn print mawr.`,
  replied: (name) => `Atebodd ${name}`,
  repliedTo: (name, to) => `Ateb ${name} i ${to}`,
  photoAlt: (n, of) => `Llun ${n} o ${of}`,

  sending: "Yn anfon…",
  waitingForSignal: "Yn aros am signal",
  sent: (time) => `Anfonwyd ${time}`,
  onTablet: (name, time) => `Ar dabled ${name} ${time}`,
  seen: (time) => `Gwelwyd ${time}`,
  photoProgress: (n, of) => `Llun ${n} o ${of} wedi’i anfon`,
  notSent: "Heb ei hanfon.",
  sendAgain: "Anfon eto",
  dontSend: "Peidio ag anfon",

  delete: "Dileu",
  confirmDelete: (name) => `Dileu’r neges hon? Bydd yn cael ei thynnu oddi ar dabled ${name} hefyd.`,
  yesDelete: "Ie, dilëwch hi",
  keep: "Ei chadw",
  deleted: "Neges wedi’i dileu.",

  messageLabel: (name) => `Eich neges i ${name}`,
  placeholder: (name) => `Ysgrifennwch at ${name}`,
  addPhotosHidden: "Ychwanegu ",
  photos: "Lluniau",
  photoCount: (n, max) => `${n} o ${max} llun`,
  tooManyPhotos: (max) => `Gallwch chi anfon hyd at ${max} llun mewn un neges.`,
  photoDraft: (n) => `Llun ${n}`,
  captionLabel: (n) => `Capsiwn ar gyfer llun ${n} (dewisol)`,
  captionPlaceholder: "Ble oedd hyn?",
  removePhoto: (n) => `Dileu llun ${n}`,
  remove: "Dileu",
  send: "Anfon",
  gettingReady: "Yn paratoi’r lluniau…",
  nothingToSend: "Ysgrifennwch rywbeth neu ychwanegwch lun yn gyntaf.",
  couldNotKeep: "Nid oedd modd i’r ffôn hwn gadw’ch neges i’w hanfon yn nes ymlaen. Rhowch gynnig arall arni.",
  queued: "Bydd eich neges yn mynd pan fydd signal gan eich ffôn.",

  yesterday: (time) => `ddoe ${time}`,

  // The relay writes its sentences in English; these stand in for them on a Welsh phone.
  errors: {
    network: "Nid oedd modd cysylltu â Letterbox. Gwiriwch y cysylltiad â’r rhyngrwyd a rhowch gynnig arall arni.",
    internal: "Aeth rhywbeth o’i le. Rhowch gynnig arall arni ymhen munud.",
    link_revoked: "Nid yw’r ddolen hon yn gweithio mwyach. Gofynnwch i’r cyngor am un newydd, os gwelwch yn dda.",
    unauthenticated: "Nid yw’r ddolen hon yn gweithio. Gwiriwch eich bod wedi copïo’r cyfan ohoni.",
    invalid_request: "Nid oedd modd anfon hwn. Gwiriwch y neges a rhowch gynnig arall arni.",
    body_too_large: "Mae hwn yn rhy fawr i’w anfon.",
    too_many_attempts: "Gormod o geisiadau. Arhoswch funud a rhowch gynnig arall arni.",
    id_reused: "Cafodd neges gyda’r un rhif ei hanfon eisoes gyda chynnwys gwahanol.",
    not_found: "Nid oedd modd dod o hyd i’r neges hon.",
    photo_too_large: "Mae’r llun hwn yn rhy fawr. Dewiswch un llai.",
    photo_type_unsupported: "Nid yw’r math hwn o lun yn cael ei dderbyn. Dewiswch lun JPEG, PNG neu WebP.",
    photo_unreadable: "Nid oedd modd darllen y llun hwn. Dewiswch un arall.",
    photo_too_many_pixels: "Mae gan y llun hwn ormod o bicseli. Dewiswch un llai.",
    photo_not_found: "Nid oedd modd dod o hyd i un o’r lluniau. Anfonwch y neges eto.",
    quota_exceeded: "Rydych chi wedi anfon llawer o luniau heddiw. Rhowch gynnig arall arni yfory.",
    forbidden: "Ni chewch chi wneud hyn.",
  },
};
