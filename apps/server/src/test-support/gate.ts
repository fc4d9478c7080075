/**
 * A pause point for a hook: `pass()` (called by the code under test) resolves `arrived` and waits
 * until the test calls `open()`. One gate stops one step, once.
 */
export interface Gate {
  /** Resolves when the code reaches the gate. */
  arrived: Promise<void>;
  /** Lets the code go on. */
  open: () => void;
  /** What the hook awaits: marks the arrival, then waits for `open()`. */
  pass: () => Promise<void>;
}

export const gate = (): Gate => {
  let open = () => {};
  let reach = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  const arrived = new Promise<void>((r) => {
    reach = r;
  });
  return {
    open,
    arrived,
    pass: () => {
      reach();
      return opened;
    },
  };
};
