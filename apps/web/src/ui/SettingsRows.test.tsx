import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { InputField } from "../auth/FormField";
import { bindTextFields, SettingsCheck, SettingsChoice } from "./SettingsRows";

afterEach(cleanup);

interface Draft {
  mode: "off" | "all";
  lease: string;
  seed: string;
  queue: boolean;
}

/** A form as the settings pages write one: a draft, its errors, and an edit that clears them. */
function Form({ errors: initialErrors = {} }: { errors?: Partial<Record<keyof Draft, string>> }) {
  const [form, setForm] = useState<Draft>({ mode: "off", lease: "30", seed: "7", queue: false });
  const [errors, setErrors] = useState(initialErrors);
  const edit = (next: Partial<Draft>) => {
    setForm((f) => ({ ...f, ...next }));
    setErrors({});
  };
  const bind = bindTextFields(form, errors, edit);
  return (
    <form aria-label="Draft">
      <SettingsChoice
        legend="Review"
        name="mode"
        options={[
          { value: "off", title: "Off", text: "Nothing is reviewed." },
          { value: "all", title: "All", text: "Everything is reviewed." },
        ]}
        value={form.mode}
        onChange={(mode) => edit({ mode })}
        hint={`mode: ${form.mode}`}
      />
      <SettingsCheck title="Work queue" checked={form.queue} onChange={(queue) => edit({ queue })}>
        Hands out images under a lease.
      </SettingsCheck>
      <InputField label="Lease (minutes)" hint="Idle this long returns it." {...bind("lease")} />
      <InputField label="Seed" {...bind("seed")} />
      <output>{JSON.stringify(form)}</output>
    </form>
  );
}

const draft = () => JSON.parse(screen.getByRole("status").textContent ?? "{}") as Draft;

describe("settings rows", () => {
  it("names each card of a choice by its title and text, and reports the one picked", () => {
    render(<Form />);
    expect(screen.getByRole("group", { name: "Review" })).toBeTruthy();
    const all = screen.getByRole("radio", { name: /All/ });
    expect((screen.getByRole("radio", { name: /Off/ }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(all);
    expect(draft().mode).toBe("all");
    expect(screen.getByText("mode: all")).toBeTruthy();
  });

  it("names a checkbox by its title and explanation, and reports its state", () => {
    render(<Form />);
    const box = screen.getByRole("checkbox", { name: /Work queue.*under a lease/ });
    fireEvent.click(box);
    expect(draft().queue).toBe(true);
  });

  it("binds each text field to its own key, its error in place of its hint until the next edit", () => {
    render(<Form errors={{ lease: "must be a whole number" }} />);
    const lease = screen.getByLabelText("Lease (minutes)") as HTMLInputElement;
    expect(lease.value).toBe("30");
    expect(lease.getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByText("Idle this long returns it.")).toBeNull();
    fireEvent.change(screen.getByLabelText("Seed"), { target: { value: "9" } });
    expect(draft()).toMatchObject({ lease: "30", seed: "9" });
    expect(lease.getAttribute("aria-invalid")).toBeNull();
    expect(screen.getByText("Idle this long returns it.")).toBeTruthy();
  });
});
