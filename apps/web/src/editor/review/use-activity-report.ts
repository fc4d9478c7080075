import { useEffect } from "react";
import { createActivityMeter, REPORT_EVERY_MS } from "./activity-meter";
import type { WorkflowApi } from "./workflow-api";

/**
 * Reports the seconds the editor is in front of the user on this image (tab visible, window
 * focused, and a key, pointer or wheel event within the last minute) every REPORT_EVERY_MS and when they leave the image, the tab or the page.
 */
export const useActivityReport = (imageId: number, api: Pick<WorkflowApi, "activity">): void => {
  useEffect(() => {
    if (!Number.isInteger(imageId) || imageId <= 0) return;
    const meter = createActivityMeter();
    const active = () => document.visibilityState === "visible" && document.hasFocus();
    const update = () => meter.setActive(active(), Date.now());
    const send = (leaving: boolean) => {
      for (const seconds of meter.take(Date.now())) api.activity(imageId, seconds, leaving).catch(() => {});
    };
    const onVisibility = () => {
      update();
      // A hidden tab may never come back (closed, discarded): what it counted goes now.
      if (document.visibilityState === "hidden") send(true);
    };
    const onPageHide = () => {
      meter.setActive(false, Date.now());
      send(true);
    };
    const onInput = () => meter.input(Date.now());
    const inputs = ["keydown", "pointerdown", "pointermove", "wheel"] as const;
    update();
    const timer = window.setInterval(() => send(false), REPORT_EVERY_MS);
    for (const type of inputs) window.addEventListener(type, onInput, { passive: true, capture: true });
    window.addEventListener("focus", update);
    window.addEventListener("blur", update);
    window.addEventListener("pagehide", onPageHide);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.clearInterval(timer);
      for (const type of inputs) window.removeEventListener(type, onInput, { capture: true });
      window.removeEventListener("focus", update);
      window.removeEventListener("blur", update);
      window.removeEventListener("pagehide", onPageHide);
      document.removeEventListener("visibilitychange", onVisibility);
      meter.setActive(false, Date.now());
      send(true);
    };
  }, [imageId, api]);
};
