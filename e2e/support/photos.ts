import type { Page } from "@playwright/test";

// Photos for tests: two small real JPEGs, and photos drawn in the browser as a camera would hand them over.

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

/** A test photo drawn in the page (a sky, a field, a sun, a label), as a phone camera would hand it over. */
export async function drawPhoto(
  page: Page,
  opts: { name: string; width: number; height: number; sky: string; type?: "image/jpeg" | "image/png" },
): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const type = opts.type ?? "image/jpeg";
  const base64 = await page.evaluate(
    async ({ width, height, sky, type, name }) => {
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext("2d");
      if (!ctx) throw new Error("no canvas");
      ctx.fillStyle = sky;
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = "#3d7a2a";
      ctx.fillRect(0, height * 0.55, width, height * 0.45);
      ctx.fillStyle = "#ffd84d";
      ctx.beginPath();
      ctx.arc(width * 0.78, height * 0.2, height * 0.1, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = "#000";
      ctx.font = `${Math.round(height / 10)}px sans-serif`;
      ctx.fillText(name, width * 0.05, height * 0.4);
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.92));
      if (!blob) throw new Error("no blob");
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = "";
      for (const b of bytes) binary += String.fromCharCode(b);
      return btoa(binary);
    },
    { ...opts, type },
  );
  return { name: opts.name, mimeType: type, buffer: Buffer.from(base64, "base64") };
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
