import { keySteps } from "./keys-display";

/** One key as caps, a chord's two steps joined by "then": the overlay and the keymap page. */
export function Keys({ spec }: { spec: string }) {
  return (
    <span className="keys">
      {keySteps(spec).map((caps, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a chord's steps are positional
        <span key={i} className="keys__step">
          {i > 0 && <span className="keys__then">then</span>}
          {caps.map((cap) => (
            <kbd key={cap} className="ed-kbd">
              {cap}
            </kbd>
          ))}
        </span>
      ))}
    </span>
  );
}
