import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { type APIRequestContext, type Browser, type BrowserContext, expect, type Page, request, test } from "@playwright/test";
import type { Household, StaffApi } from "./fixtures";

/** A UUIDv7, as the family page would make one: 48 bits of milliseconds, then randomness. */
export function uuidv7(at = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(at, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Two small real JPEGs (a house, some flowers), different so that their content-addressed ids differ. */
export const PHOTOS = {
  house: Buffer.from(
    "/9j/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCADwAUADASIAAhEBAxEB/8QAGwABAQEAAwEBAAAAAAAAAAAAAAIBBAUGAwf/xAA2EAEBAAIBAAYFCwQDAQAAAAAAEQECAwQFFmSj4hIVMXGiISIjMjVBY4Gx0eEGUWHBE1KRsv/EABoBAQACAwEAAAAAAAAAAAAAAAACBQEDBAb/xAAvEQEAAQMCBAQFBAMBAAAAAAAAEQECAyFRBAUSExQiMcEzQUJxgSNDYZEyofFS/9oADAMBAAIRAxEAPwDu4RUIvJVSYRUISJhFQhImEVCEiYRUISJhFQhImEVCEiYRUISJhFQhImEVCEiYRUISJhFQhImEVCEiYRUISJhFQhImEVCEiYRUISJhFQhImEVCEiYRUISKhGwiEsshGwhIyEbCEjIRsISMhGwhIyEbCEjIRsISMhGwhIyEbCEjIRsISMhGwhIyEbCEjIRsISMhGwhIyEbCEjIRsISMhGwhIyEbCEjIRsISMhGwhIqEVCIyymEVCEiYRUISJhFQhImEVCEiYRUISJhFQhImEVCEiYRUISJhFQhImEVCEiYRUISJhFQhImEVHI6J0XPSOT5bjTX25a8uW3FZW++ulErLK33dNHx4uj8vPmceuc/3z92HL16p3zj5/Lrj3YrstNNePXGumMYxj7sKeYz84z3V/T8tP7qtsfBY6U82tXV7dU74x8zl1z78RxOXo/LwZnJrnH+fuy79O+mvJrnXfGM4z92TBzjPbX9TzU/qpk4LHWnl0q89COV0vouej8nyXOm3sy48enxZbctlL7K6VVN9lbLumqYRUI2SimEVCEiYRUISKhGwiLLIRsIDIRsIDIRsIDIRsIDIRsIDIRsIDIRwes+uOidV6fS7ely5x83i19uf2wdWdcdE600+i29Dlxj53Ftn5ce7++EO5b1dM6tvav6euNHOhGwibUyEbCAyEbCAyEbCAyEbCAyO56JxY4uj6a/fnFz73Tx3uPZiKHnV9aWWW/Ks/wCv+rHgLadV1WgPNLQAB8el8WOXo++v34xce900d9n2Zroo9LyW+tbL7flSP9/8VfH206rashGwi+VzIRsIDIRsICoRQjKSYRQSJhFBImEUEiYRQSJhFOv60656J1Vp9Lt6fLnHzeLX25/bCN11LaTVK2yt9Ytpq5u+2nFpnfk2xprri522zMYeX62/qv63B1d7s82cfpj/AG6XrPrrpfWm/wBLt6HFjPzeLX2Y/fLr1dl4qt2li3wcDS3zZNa7K3335N878m2dtts3O22bnJpvvx74302zrtrm42xmZwkcaxh6nqn+q/q8HWPuxzYx+uP9vUce+nLpjk49td9NsXG2ubjL8udh1Z1z0vqvf6Lb0uLOfncW31c/tl2YuKrbpers/A23ebHpV+hwjg9V9ddE610+i29Dlxj53Ftn5ce7++HYLG26l1JoqLrLrKxdTVMIoSlFMIoJEwigkTHb9G5P+Tg1z9+MTLqn26Nz54N/l+XXPtwruY8NXiMXl9aOnhstMd+vpV2gzXbXfXG2ubjP3teQrStKxVdeoDNttdNc7bZmMfeUpWtYoej59J5P+Pg2z9+cTDqI5HSefPPv8nya49mHxev5dw1eHxeb1qpeJy0yX6elEwihYy5kwigkTCKCRUIqEQllMIqEJEwioQkTCKhCRMTvvpxaZ35N8aaa4udtszGHC61666H1Tp9Lv6fLnHzeLX62f2w8R1p130vrXf6Xb0OLGfm8Wv1cfvloy57bNPm68HC35dfSjuuuP6t+twdW+7PNnH/zj/eXlt+Tfl3zvybZ322zc7bZucpFbkyXZKzcucWGzFSLaADW2gAAAK033498b8e2ddtc3G2uZnD1PU/9W/V4Osvdjmxj/wCsf7w8oNmPJdjrNrVlw2ZaRdR+q8e+nLx68nHvrvpti421zcZVH5x1X110vqrk+h39Lizn53Ft9XP7Ze46q676H1tp9Ft6HLjHzuLb249398LLFxFt+npVTZ+Fvxa+tHPhFQjfLkTCKhCRMIqEJG8fJvxZum0/w5GvTtsfW0xn3ZjjQjmy8LgzVm+2attmXJZpbVydunbZ+rpjHvzXH5OTflzd9s5/wyEMXC4MNZstipflyX/5VTCKhHTLUmEVCEiYRUISJhFQhIqEbCIyzDIRsISQyEbCEkMjj9M4ek8/Bnj6N0nHR98+3fPH6ece75cOTCMV1ZppWXk+T+iN+Xfbk5OtNt99s3O23Dc5+J0Hqr8f4f5fpceEVfGW0x9PT85eg5ZdXN1dzWI93X+qvx/h/k9Vfj/D/LsBw9dy37Nmzr/VX4/w/wAnqr8f4f5dgHXcdmzZ1/qr8f4f5PVX4/w/y7AOu47Nmzr/AFV+P8P8nqr8f4f5dgHXcdmzZ1/qr8f4f5PVX4/w/wAuwDruOzZs6/1V+P8AD/LvtP6I34t8b8fWm2m+ubjbXhmcfE4L3cd3B20ydXV8oVHM7q4ejt6TPs43QuHpPBwY4+ldJx0jbHs3xx+hnPv+XLkRsItKaaPP11rLIRsIzLEMhGwhJDIRsISQyEbCEkMhGwhJDIRsISQyEbCEkMhGwhJCoRUIikmEVCAmEVCAmEVCAmPBPfx4BW8f9P59l7yb6/x7gCtXwD58/Nr0fh25d8Zzrr7Z7RitaUpNX0HA9c9G/wCnL/5j9z1z0b/py/8AmP3S6Ltmrv4v/Tnj58HNr0jh15dMZxrt7L7X0RbaVpWk0ABke9jwT38WXAfV+PdQ85+j8+yYRUIslEmEVCAmEVCAmEVCAmEVCAmEVCAmEVCAmEVCAmEVCA2Eec7X9w8byna/uHjeVy+Jxbody3d6OEec7X9w8byna/uHjeU8Ti3O5bu9HCPOdr+4eN5Ttf3DxvKeJxbnct3ejhHnO1/cPG8p2v7h43lPE4tzuW7vRx+fu97X9w8byuicXF5Lb46ar/k11K9yP49wBxL8cXrP7P5fy/XDlOL1n9n8v5frhm31o15fh3faroAHWonf9WfZ/F+f65cpxerPs/i/P9cuU5LvWq9xfDt+1ABhsH6BH5+73tf3DxvK7eEyW2T1VUHObqU7c/z7PRwjzna/uHjeU7X9w8byu3xOLdQdy3d6OEec7X9w8byna/uHjeU8Ti3O5bu9HCPOdr+4eN5Ttf3DxvKeJxbnct3ejhHnO1/cPG8p2v7h43lPE4tzuW7vRwjzna/uHjeU7X9w8bynicW53Ld3o4R5ztf3DxvKdr+4eN5TxOLc7lu70cI852v7h43lO1/cPG8p4nFudy3d6OEec7X9w8byna/uHjeU8Ti3O5bu9HCPOdr+4eN5Ttf3DxvKeJxbnct3eaAVLlAAAAAAHIcdyEbnpOQ/ufj3AEXpBxes/s/l/L9cOU4vWf2fy/l+uGbfWjXl+Hd9qugAdaid/wBWfZ/F+f65cpxerPs/i/P9cuU5LvWq9xfDt+1ABhsHHchx0rXm+fft/n2AEnmwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAH/9k=",
    "base64",
  ),
  flowers: Buffer.from(
    "/9j/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCAFAAPADASIAAhEBAxEB/8QAGwABAAMBAQEBAAAAAAAAAAAAAAUGBwQDAQL/xAA+EAEAAQIDAQ0FBQgDAQAAAAAAAQIDBAUREgYHExchMTZBZXSksuIUUVJxwUdhgYXDFRYiYpGSobEjJkJE/8QAGgEBAAIDAQAAAAAAAAAAAAAAAAMEAgUGAf/EACoRAQACAQMDAwQCAwEAAAAAAAABAgMEERMSMVEFIUEUMkJDI5FSYYFx/9oADAMBAAIRAxEAPwDWAELIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQucbpsJldU2aI4fERz0UzpFPzn6G6bOKsrwEUWatMRf1iifhjrln0zNUzMzMzPLMyNpotFGWOu/ZOX92GbXapm3Xbsx1RRRE/wC9Sxuwza1VE3K7d6OuK6Ij/WiDBt/pcO23TDQco3TYTNKos1xwGInmoqnWKvlP0TTJImaZiYmYmOWJhoO5nOKs0wE0XqtcRY0iufijqkajW6KMUddOyaAGrAAAAAAAAAAAAAAAAAAAAAAUDdhfqu57XbmeSzRTTEfONfqg05uwsVWs9ruTHJeopqiflGn0QY6vS7cNdvAALAnNx9+q1ntNuJ5L1FVMx8o1+iDTm4+xVdz2m5EclmiqqZ+cafUV9VtwW38L+D5VVFNM1TOkRGsy8cq8sVi7WDtcJdq090RzygcTnmKuzMWpizT93LP9XNjsXVjMTVcmZ2eaiPdDmaDU6697TFJ2huMGlrWN7RvLo9vxmuvtV3++XVhs8xVqYi7MXqfv5J/qjRUrny0neLSsWxY7RtMLhhcXaxlrhLVWvvieeHsqWBxdWDxNNyJnZnkrj3wtlMxVTFUTrExrEt/pNTz09+8NPqMHFb27S+gLisAAAAAAAAAAAAAAhd02UVZpgIrs064ixrVRHxR1wz6YmmZiYmJjkmJa2hc43M4TNKpvUTwGInnrpjWKvnH1G00WtjFHRfsz4SGdZLicis038XXbmzVXFFNdEzPLpM83P1SZLkuJz2zVfwlduLNNc0VV1zMcukTzc/XBvDbfV4P84/tHxE1TEREzM8kRDQdzOUVZXgJrvU6Yi/pNcfDHVBlG5nCZXVF6ueHxEc1dUaRT8o+qaGp1utjLHRTsOTNa5t5ZfmPh0/rOjrc2YWpvYC9bjlmadYj5cqLNEzjtEeJa/HtF438qkA5N0IAAteVVzcy2xM/Dp/SdFUW3L7U2cBZtzyTFOsx8+VtPTInktP8ApQ123RH/AK6XyqqKaZqqmIiI1mZ6n1WN2eZ1WMPbwFqrSq9G1cmPh6o/Gf8ATosOKct4pDWUpN7dMObOd2Fc11WMsmKaY5JvTGsz8o+qtX8XicTVNV/EXLsz8dUy8R0uLBjxRtWG1pjrSPaHtYxeJw1UVWMRctTHwVTCy5NuwuRXTYzPSqmeSL0RpMfOPqqgZcGPLG1oL463j3hrUTFVMVUzExMaxMdb6rG4zM6r+HrwF2rWqzG1bmfh934T/tZ3NZsU4rzSWqvSaW6ZAfJqimNapiPmhmYjuxfR+Yu25nSK6Z/F+nkWi3aQAZPAAAAFQ3y+juH73T5Kze06O4jvdXkoN8vo7h+90+Ss3tOjuI73V5KEf5q/7lvASLAACtZtl9WFvTdt0/8ADXOvJ/5n3I5daqaa6ZpqpiqmeSYnrRWJyC1cmarFybf8sxrDS6n0+3VNsX9Npg1kbdOT+1fHB+2MP+2/2TsXeG9p9n2tI2dra2defXRb8NkFq3MVX7k3P5YjSFOmizXnbZP9Zh23i27gynL6sVei7cp/4aJ15f8A1PuWV8pppopimmmKaY5IiI5n1vdNp64KdMd2rzZpy23kZ7utrmvdDfpnmopoiP7Yn6tCUbdphKrWa0YnT+C/RHL98ck/40bn06YjN7+GelmORXQHQNkAAmdyVc0bobFMc1dNcT/bM/RoSjbi8JVdzWvEzH8FiieX755I/wAarnirk27MzHPPJDnPVctaZJtPxDW6n3ybQ8sRi9mZot8/XU45qmqdapmZ+98HAajU5M9t7T/wisQPW1iLlqeSdY90vIQ0yWx26qztL2Y3Stq7Tdo2qfxj3P2jcLcm3eiOqrklJOr0Wp+oxbz3jur2rtIAusAAFQ3y+juH73T5Kze06O4jvdXkoN8vo7h+90+Ss3tOjuI73V5KEf5q/wC5bwEiwAAAAyH7RPzb9VrzIftE/Nv1WvI6fKvg+QBIsDhzjK7ebYCrD1zs1x/Fbr+Gp3D2tppaLR3h7EzE7wyrGYO/gMRVh8Tbmiunqnr++PfDxaljcvwmY2uDxVmm5Ec0zzx8p6lI3W5Lh8gwFvGYeu5ciu9Fvg65jk1iqddfwbzF6ljmv8ntK/XV023v7IR7YTB38diKcPhrc111dUdX3z7oSu5LJcPn+AuYzEV3LcUXpt8HRMcukUzrr+K74LL8Jl1rg8LZptxPPMc8/Oesy+pY4j+P3ktq6bb093lk+V28pwFOHonarn+K5X8VT9Y/moj5uxz42jas7Uc9M6uY9Q6suC8/PdTi0zbeUeA45YAAfY5JiYS6LsUcJepp6tdZSjoPSKzFb2+J2QZABu0QACob5fR3D97p8lZvadHcR3uryUG+X0dw/e6fJWb2nR3Ed7q8lCP81f8Act4CRYAAAAZD9on5t+q15kP2ifm36rXkdPlXwfIAkWAABUN8vo7h+90+Stb1Q3y+juH73T5K2NuyPL9km9p0dxHe6vJQt6ob2nR3Ed7q8lC3lexi+yAmNY0kHqRHYjDVWpmqmNaP9PBMI/N4pwuVYzF2qIi5ZsV3KfdrFMzGsfg0ep9K3mbYp/4ljJtHu532mmqurZpiZmVc3H7oMXn2bXMLi7dmm3RYm5HB0zEzMVUx1zPvleKLdFuNKKYhBh9KyWne87QVz1tG9XnhrHA06zy1TzvYHQY8dcVIpXtCOZ3ncASPAAFQ3y+juH73T5Kze06O4jvdXkoN8vo7h+90+Ss3tOjuI73V5KEf5q/7lvASLAAAADIftE/Nv1WvMh+0T82/Va8jp8q+D5AEiwAAKhvl9HcP3unyVreqG+X0dw/e6fJWxt2R5fsk3tOjuI73V5KFvVDe06O4jvdXkoW8r2MX2QAMkgj8/wCjuZd0u+SUgj8/6O5l3S75JeT2eW7SoO9p0ixHdKvPQ05mO9p0ixHdKvPQ05jTsh0/2ADNOCl8YfZXiPScYfZXiPSj5aeWHJVdBS+MPsrxHpOMPsrxHpOWnk5KvXfL6O4fvdPkrN7To7iO91eShB7pd0v7xZdbwfsns+xei5tcJt66RMaaaR7zc1ul/d3LrmD9k9o2703NrhNjTWIjTTSfcw5K9W+6HeOXq+Glil8YfZXiPScYfZXiPSz5aeU3JVdBS+MPsrxHpOMPsrxHpOWnk5KroKXxh9leI9Jxh9leI9Jy08nJVVftE/Nv1WvMc4f/ALF+19n/AOv2ngtf59rZ1/xrot/GH2V4j0sK5Kx8ocUxXfddBS+MPsrxHpOMPsrxHpZ8tPKbkqugpfGH2V4j0nGH2V4j0nLTyclV0VDfL6O4fvdPkreXGH2V4j0ojdLul/eLLreD9k9n2L0XNrhNvXSJjTTSPextkrMd2GS0TWYhOb2nR3Ed7q8lC3s03Nbpf3dy65g/ZPaNu9Nza4TY01iI000n3JfjD7K8R6SuSsR3MdoisRK6Cl8YfZXiPScYfZXiPSy5aeWfJVdEfn/R3Mu6XfJKt8YfZXiPS58fu59uy7E4P9m7HtFmu3tcPrs7UTGumzy87yclPLyb12Ru9p0ixHdKvPQ05km5rMf3dzG5jOC9o27M29na2NNZidddJ9yz8YfZXiPSxrkrEe8o8MxWu0roKXxh9leI9Jxh9leI9LPlp5S8lVLAU1YAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB//Z",
    "base64",
  ),
};

export const LANDSCAPE = { width: 1280, height: 800 };
export const PORTRAIT = { width: 800, height: 1280 };

type SentMessage = { id: string; text: string; seq: number };
type Conversation = {
  items: (
    | { kind: "message"; message: { id: string; text: string }; deliveredAt: string | null; seenAt: string | null }
    | { kind: "reply"; reply: { id: string; inReplyTo: string; text: string } }
  )[];
};

/** The family member's side, through the API with their link's token (the family page is not the subject here). */
export class FamilyApi {
  private constructor(
    readonly api: APIRequestContext,
    readonly token: string,
  ) {}

  static async open(baseURL: string, token: string) {
    return new FamilyApi(await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } }), token);
  }

  async uploadPhoto(bytes: Buffer): Promise<string> {
    const res = await this.api.post("/api/family/photos", { data: bytes, headers: { "Content-Type": "image/jpeg" } });
    expect(res.status(), await res.text()).toBe(201);
    return ((await res.json()) as { photo: { id: string } }).photo.id;
  }

  async send(text: string, photos: { id: string; caption: string }[] = []): Promise<SentMessage> {
    const res = await this.api.post("/api/family/messages", { data: { id: uuidv7(), text, photos } });
    expect(res.status(), await res.text()).toBe(201);
    return ((await res.json()) as { message: SentMessage }).message;
  }

  async deleteMessage(id: string) {
    const res = await this.api.delete(`/api/family/messages/${id}`);
    expect(res.status(), await res.text()).toBe(200);
  }

  async conversation(): Promise<Conversation> {
    const res = await this.api.get("/api/family/conversation");
    expect(res.status(), await res.text()).toBe(200);
    return (await res.json()) as Conversation;
  }

  async replies() {
    return (await this.conversation()).items.flatMap((i) => (i.kind === "reply" ? [i.reply] : []));
  }

  async dispose() {
    await this.api.dispose();
  }
}

/**
 * The resident's tablet in its own browser context (1280×800, a fixed clock), with a family
 * member of the same household on the API. Counts the chimes it plays.
 */
export class TabletPage {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly household: Household,
    readonly family: FamilyApi,
    readonly staff: StaffApi,
  ) {}

  static async start(browser: Browser, staff: StaffApi, options: { at: Date; household?: Household; baseURL: string }) {
    const household = options.household ?? (await staff.household());
    const context = await browser.newContext({ viewport: LANDSCAPE, baseURL: options.baseURL });
    const page = await context.newPage();
    await page.clock.setFixedTime(options.at);
    // Each chime is two oscillators; count them without changing what the page does.
    await page.addInitScript(() => {
      const w = window as unknown as { __oscillators: number };
      w.__oscillators = 0;
      const original = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        w.__oscillators++;
        return original.call(this);
      };
    });
    const family = await FamilyApi.open(options.baseURL, household.familyToken);
    return new TabletPage(context, page, household, family, staff);
  }

  async pair(staffPin = "2468") {
    await this.page.goto("/tablet");
    await expect(this.page.getByRole("heading", { name: "Set up this tablet" })).toBeVisible();
    await this.page.getByLabel("Set-up code").fill(this.household.setupCode);
    await this.page.getByLabel(/Staff PIN/).fill(staffPin);
    await this.page.getByRole("button", { name: "Set up" }).click();
    await expect(this.page.getByRole("heading", { name: "Set up this tablet" })).toBeHidden();
  }

  /**
   * Staff change the resident's settings; the tablet picks them up with its next sync. The relay
   * sends no live hint for a settings change, so rather than wait for the timer the test does what
   * coming online does: sync now.
   */
  async settings(changes: Record<string, unknown>) {
    await this.staff.patch(`/residents/${this.household.residentId}`, changes);
    await this.page.evaluate(() => window.dispatchEvent(new Event("online")));
  }

  article() {
    return this.page.getByRole("article");
  }

  messageText(text: string | RegExp) {
    return this.article().getByText(text);
  }

  sender(name = "Sarah (daughter)") {
    return this.page.getByRole("heading", { name: `From ${name}` });
  }

  button(name: string | RegExp) {
    return this.page.getByRole("button", { name, exact: typeof name === "string" });
  }

  clock() {
    return this.page.getByRole("banner");
  }

  /**
   * The time and the date are always on the screen: shown, and not under anything else (a full-screen
   * photo, a dialog). Checked at the middle of the time and of the date, where a finger would look.
   */
  async expectClockInView(time: string | RegExp = /\d{1,2}:\d{2}/, date: string | RegExp = /\w+day \d{1,2} \w+/) {
    const clock = this.clock();
    await expect(clock).toBeVisible();
    await expect(clock).toContainText(time);
    await expect(clock).toContainText(date);
    for (const part of [clock.locator("time"), clock.getByText(date)]) {
      await expect
        .poll(() =>
          part.evaluate((el) => {
            const r = el.getBoundingClientRect();
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return Boolean(top && (el === top || el.contains(top)));
          }),
        )
        .toBe(true);
    }
  }

  /** How many records one of the tablet's IndexedDB stores holds. */
  async stored(store: string): Promise<number> {
    return this.page.evaluate(
      (name) =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open("letterbox-tablet");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const count = db.transaction(name).objectStore(name).count();
            count.onsuccess = () => {
              resolve(count.result);
              db.close();
            };
            count.onerror = () => reject(count.error);
          };
        }),
      store,
    );
  }

  async chimes(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { __oscillators: number }).__oscillators / 2);
  }

  async waitForOfflineReady() {
    await this.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
      }
    });
  }

  /** Long press on the hidden corner, as staff would. */
  async openStaffCorner() {
    const box = await this.page.getByTestId("staff-corner").boundingBox();
    if (!box) throw new Error("no staff corner");
    await this.page.mouse.move(box.x + 20, box.y + 20);
    await this.page.mouse.down();
    await expect(this.page.getByRole("dialog", { name: "Staff" })).toBeVisible({ timeout: 6_000 });
    await this.page.mouse.up();
  }

  /**
   * Every state of the tablet is checked, not hoped: axe (including the 7:1 contrast rule),
   * text of at least 28 px and targets of at least 72×72, at both orientations, with a
   * screenshot of each saved as a test artefact.
   */
  async check(state: string) {
    for (const [name, size] of [
      ["landscape", LANDSCAPE],
      ["portrait", PORTRAIT],
    ] as const) {
      await this.page.setViewportSize(size);
      await expectResidentFriendly(this.page);
      await this.page.screenshot({ path: test.info().outputPath(`tablet-${state}-${name}.png`) });
    }
    await this.page.setViewportSize(LANDSCAPE);
  }

  async close() {
    await this.family.dispose();
    await this.context.close();
  }
}

export async function expectResidentFriendly(page: Page) {
  const axe = await new AxeBuilder({ page }).options({ rules: { "color-contrast-enhanced": { enabled: true } } }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.display !== "none";
    };
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      if (!visible(el) || el.closest("[aria-hidden=true]")) continue;
      const ownText = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      const size = Number.parseFloat(getComputedStyle(el).fontSize);
      if (ownText && size < 28) found.push(`text ${size}px: "${el.textContent?.trim().slice(0, 40)}"`);
      if (el.matches("button, a[href], input, [role=button]")) {
        const r = el.getBoundingClientRect();
        if (r.width < 72 || r.height < 72)
          found.push(`target ${Math.round(r.width)}×${Math.round(r.height)}: ${el.textContent?.trim().slice(0, 40)}`);
      }
    }
    if (document.documentElement.scrollHeight > window.innerHeight + 1 && !document.querySelector(".is-setup")) {
      found.push(`the page scrolls: ${document.documentElement.scrollHeight} > ${window.innerHeight}`);
    }
    return found;
  });
  expect(problems).toEqual([]);
}

/**
 * A photo drawn in the browser (a sky over a field, with a sun placed by `seed`), so that a test can
 * send as many different photos as it needs: photos are stored by content, the same bytes twice are
 * one photo.
 */
export async function drawnPhoto(page: Page, { width, height, seed }: { width: number; height: number; seed: number }) {
  const base64 = await page.evaluate(
    ({ width, height, seed }) => {
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext("2d");
      if (!g) throw new Error("no canvas");
      g.fillStyle = "#8fc1e3";
      g.fillRect(0, 0, width, height);
      g.fillStyle = "#5a8f3c";
      g.fillRect(0, height * 0.6, width, height * 0.4);
      g.fillStyle = "#f6d55c";
      g.beginPath();
      g.arc(((seed * 97) % 80) * 0.01 * width + width * 0.1, height * 0.25, height * 0.12, 0, Math.PI * 2);
      g.fill();
      return canvas.toDataURL("image/jpeg", 0.85).split(",")[1] ?? "";
    },
    { width, height, seed },
  );
  return Buffer.from(base64, "base64");
}

/** What the message screen gives the text, and what, if anything, sits on top of something else. */
export type MessageLayout = {
  /** Line height of the message text, in CSS px. */
  lineHeight: number;
  /** Lines the text box has room for. */
  roomLines: number;
  /** Lines of text shown in the box (what is on screen, not what is clipped). */
  shownLines: number;
  /** Lines the text on this page takes: fewer than shown means some of it is hidden. */
  textLines: number;
  pages: number;
  /** The text has been fitted to the box as it is now (after a turn or a new text size it is, a moment later). */
  settled: boolean;
  /** Pairs of things on the screen whose boxes overlap, and things outside the screen. */
  problems: string[];
};

/**
 * Measures the message screen as it is drawn: the text box's room in lines of the text's own
 * line height, and whether any two of the clock bar, the buttons, the text box, the photos and the
 * other words on the screen overlap, or leave the screen.
 */
export async function messageLayout(page: Page): Promise<MessageLayout> {
  return page.evaluate(() => {
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.display !== "none";
    };
    const area = document.querySelector(".message-text-area");
    const text = area?.querySelector(".message-text:not(.message-text-probe)");
    const whole = area?.closest<HTMLElement>(".message-text-box");
    if (!area || !text || !whole) {
      return {
        lineHeight: 0,
        roomLines: 0,
        shownLines: 0,
        textLines: 0,
        pages: 0,
        settled: false,
        problems: ["no message text"],
      };
    }
    const lineHeight = Number.parseFloat(getComputedStyle(text).lineHeight);
    const box = area.getBoundingClientRect();
    const words = text.getBoundingClientRect();
    const visible = Math.max(0, Math.min(box.bottom, words.bottom) - Math.max(box.top, words.top));
    const pager = document.querySelector(".pager-position")?.textContent?.match(/of (\d+)/);

    const named: { name: string; el: Element }[] = [];
    const add = (name: string, el: Element | null) => {
      if (el && shown(el)) named.push({ name, el });
    };
    add("clock bar", document.querySelector("header.clock-bar"));
    add("text box", area);
    add("sender", document.querySelector(".message-from"));
    add("when", document.querySelector(".message-when"));
    add("replied", document.querySelector(".message-replied"));
    add("page number", document.querySelector(".pager-position"));
    add("offline note", document.querySelector(".offline-note"));
    for (const [i, el] of Array.from(document.querySelectorAll(".photo-caption")).entries()) add(`caption ${i + 1}`, el);
    for (const el of Array.from(document.querySelectorAll("main button"))) {
      add(`button "${el.getAttribute("aria-label") ?? el.textContent?.trim()}"`, el);
    }

    const problems: string[] = [];
    const rects = named.map(({ name, el }) => ({ name, r: el.getBoundingClientRect() }));
    const slack = 0.5;
    for (const { name, r } of rects) {
      if (r.left < -slack || r.top < -slack || r.right > innerWidth + slack || r.bottom > innerHeight + slack) {
        problems.push(`${name} leaves the screen`);
      }
    }
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i]?.r;
        const b = rects[j]?.r;
        if (!a || !b) continue;
        const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (across > slack && down > slack) problems.push(`${rects[i]?.name} overlaps ${rects[j]?.name}`);
      }
    }
    return {
      lineHeight,
      roomLines: Math.round((box.height / lineHeight) * 100) / 100,
      shownLines: Math.round((visible / lineHeight) * 100) / 100,
      textLines: Math.round((words.height / lineHeight) * 100) / 100,
      pages: pager ? Number(pager[1]) : 1,
      settled: whole.dataset.fittedTo === `${area.clientWidth}x${whole.clientHeight}`,
      problems,
    };
  });
}
