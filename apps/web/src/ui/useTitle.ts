import { useEffect } from "react";

/** Tab titles name the page and project, so many open tabs stay tellable apart. */
export const useTitle = (...parts: (string | undefined)[]) => {
  const title = [...parts.filter(Boolean), "Labelbench"].join(" · ");
  useEffect(() => {
    document.title = title;
  }, [title]);
};
