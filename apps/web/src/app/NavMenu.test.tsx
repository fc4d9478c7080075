import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it } from "vitest";
import { type NavItem, NavMenu } from "./NavMenu";

const ITEMS: NavItem[] = [
  { to: "/projects/1/predictions", label: "Predictions", icon: "layers" },
  { to: "/projects/1/models", label: "Models", icon: "layers" },
  { to: "/projects/1/versions", label: "Versions", icon: "layers" },
];

const renderAt = (path: string) => {
  const router = createMemoryRouter(
    [
      {
        path: "*",
        element: (
          <>
            <NavMenu label="ML" icon="layers" items={ITEMS} />
            <button type="button">Elsewhere</button>
          </>
        ),
      },
    ],
    { initialEntries: [path] },
  );
  render(<RouterProvider router={router} />);
  return router;
};

const button = () => screen.getByRole("button", { name: "ML" });
const link = (name: string) => screen.getByRole("link", { name });
const key = (key: string) => fireEvent.keyDown(document.activeElement ?? document.body, { key });

afterEach(cleanup);

describe("NavMenu", () => {
  it("is closed at first: a disclosure button, its links not rendered", () => {
    renderAt("/projects/1");
    expect(button().getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByRole("link")).toBeNull();
  });

  it("ArrowDown on the button opens it on the first item; arrows move and wrap, Home and End jump", () => {
    renderAt("/projects/1");
    button().focus();
    key("ArrowDown");
    expect(button().getAttribute("aria-expanded")).toBe("true");
    expect(document.activeElement).toBe(link("Predictions"));
    key("ArrowDown");
    expect(document.activeElement).toBe(link("Models"));
    key("ArrowDown");
    key("ArrowDown");
    expect(document.activeElement).toBe(link("Predictions"));
    key("ArrowUp");
    expect(document.activeElement).toBe(link("Versions"));
    key("Home");
    expect(document.activeElement).toBe(link("Predictions"));
    key("End");
    expect(document.activeElement).toBe(link("Versions"));
  });

  it("ArrowUp on the button opens it on the last item", () => {
    renderAt("/projects/1");
    button().focus();
    key("ArrowUp");
    expect(document.activeElement).toBe(link("Versions"));
  });

  it("once opened by a click, ArrowDown on the button goes to the first item", () => {
    renderAt("/projects/1");
    button().focus();
    fireEvent.click(button());
    key("ArrowDown");
    expect(document.activeElement).toBe(link("Predictions"));
  });

  it("Escape closes it and gives the focus back to the button", () => {
    renderAt("/projects/1");
    button().focus();
    key("ArrowDown");
    key("ArrowDown");
    key("Escape");
    expect(button().getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByRole("link")).toBeNull();
    expect(document.activeElement).toBe(button());
  });

  it("a click toggles it; the focus leaving the group closes it", () => {
    renderAt("/projects/1");
    fireEvent.click(button());
    expect(button().getAttribute("aria-expanded")).toBe("true");
    const models = link("Models");
    models.focus();
    fireEvent.blur(models, { relatedTarget: screen.getByRole("button", { name: "Elsewhere" }) });
    expect(button().getAttribute("aria-expanded")).toBe("false");
  });

  it("marks the button and the item of the page shown, and closes when a link is followed", async () => {
    const router = renderAt("/projects/1/models");
    expect(button().getAttribute("aria-current")).toBe("page");
    fireEvent.click(button());
    expect(link("Models").getAttribute("aria-current")).toBe("page");
    expect(link("Versions").getAttribute("aria-current")).toBeNull();
    await act(() => router.navigate("/projects/1/images"));
    expect(button().getAttribute("aria-expanded")).toBe("false");
    expect(button().getAttribute("aria-current")).toBeNull();
  });
});
