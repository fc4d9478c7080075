/**
 * What the user's keyboard prints on each physical key, where the browser can tell
 * (`navigator.keyboard.getLayoutMap()`, Chromium): bindings are stored as codes, and an AZERTY user
 * must see the letter their key carries ("W" on KeyZ). Where the browser cannot tell, the US name
 * stands in.
 */
type LayoutMap = ReadonlyMap<string, string>;

interface KeyboardApi {
  getLayoutMap(): Promise<LayoutMap>;
  addEventListener?(type: "layoutchange", listener: () => void): void;
}

let layout: LayoutMap | null = null;
let version = 0;
const listeners = new Set<() => void>();
const changed = () => {
  version++;
  for (const l of listeners) l();
};

const keyboardApi = (): KeyboardApi | null => {
  if (typeof navigator === "undefined") return null;
  const k = (navigator as Navigator & { keyboard?: KeyboardApi }).keyboard;
  return k && typeof k.getLayoutMap === "function" ? k : null;
};

const refresh = async () => {
  const api = keyboardApi();
  if (!api) return;
  try {
    layout = await api.getLayoutMap();
  } catch {
    // Not allowed here (an iframe without permission): the US names stay.
    layout = null;
  }
  changed();
};

let started = false;
/** Reads the layout once and again when the user switches layouts. */
export const startKeyboardLayout = (): void => {
  if (started) return;
  started = true;
  void refresh();
  keyboardApi()?.addEventListener?.("layoutchange", () => void refresh());
};

/** The character the user's layout prints on this key (lower case), or null when unknown. */
export const layoutKey = (code: string): string | null => layout?.get(code) ?? null;

/** For tests and for the keymap page to re-render when the layout arrives. */
export const onLayoutChange = (l: () => void): (() => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** +1 each time the layout is read: a snapshot for useSyncExternalStore. */
export const layoutVersion = (): number => version;

export const setLayoutForTest = (map: LayoutMap | null): void => {
  layout = map;
  changed();
};
