/** "Sarah (daughter)" → "Sarah": how the resident would say it. Staff write the label; the part in brackets is for them. */
export const shortName = (label: string) => label.replace(/\s*\([^)]*\)\s*$/, "").trim() || label;
