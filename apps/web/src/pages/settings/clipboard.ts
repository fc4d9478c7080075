/**
 * Copies text. The async Clipboard API exists only in secure contexts (HTTPS or localhost), and a
 * self-hosted server is often reached over plain HTTP on a LAN, so the old selection-based copy
 * is the fallback. Resolves false when neither works (the user can still select the text).
 */
export const copyText = async (text: string, doc: Document = document): Promise<boolean> => {
  const nav = doc.defaultView?.navigator;
  if (nav?.clipboard && doc.defaultView?.isSecureContext) {
    try {
      await nav.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused: fall through to the selection copy.
    }
  }
  const area = doc.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  doc.body.appendChild(area);
  area.select();
  try {
    return typeof doc.execCommand === "function" && doc.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
  }
};
