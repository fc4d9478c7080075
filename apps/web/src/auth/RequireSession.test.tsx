import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useEffect } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { call } from "../api/client";
import { LoginPage } from "../pages/auth/LoginPage";
import { SetupPage } from "../pages/auth/SetupPage";
import { RequireSession } from "./RequireSession";
import { useSession } from "./session-store";

const ME = {
  user: {
    id: 1,
    email: "ada@example.com",
    name: "Ada",
    role: "admin",
    active: true,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  },
  via: "session",
  scope: "write",
};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const unauthenticated = () => json(401, { error: { code: "UNAUTHENTICATED", message: "sign in first" } });

/** A fake server: path -> reply, everything else a 404 envelope. */
const serve = (routes: Record<string, (init?: RequestInit) => Response>) =>
  vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input), "http://localhost").pathname.replace("/api/v1", "");
    const handler = routes[path];
    return handler ? handler(init) : json(404, { error: { code: "NOT_FOUND", message: `no ${path}` } });
  });

/** A page that loads data the way every real page does, through the API client. */
function ProjectsProbe() {
  useEffect(() => {
    call("listProjects").catch(() => undefined);
  }, []);
  return <h1>Projects page</h1>;
}

const renderAt = (path: string) => {
  const router = createMemoryRouter(
    [
      { path: "/login", element: <LoginPage /> },
      { path: "/setup", element: <SetupPage /> },
      {
        element: <RequireSession />,
        children: [
          { path: "/", element: <ProjectsProbe /> },
          { path: "/projects/:id/images", element: <ProjectsProbe /> },
        ],
      },
    ],
    { initialEntries: [path] },
  );
  render(<RouterProvider router={router} />);
  return router;
};

beforeEach(() => {
  useSession.setState({ session: { status: "loading" } });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("route guard", () => {
  it("sends a visitor without a session to /login?next=<the page they opened>", async () => {
    vi.stubGlobal(
      "fetch",
      serve({
        "/setup": () => json(200, { required: false, codeRequired: false }),
        "/auth/me": unauthenticated,
      }),
    );
    const router = renderAt("/projects/3/images?status=done");
    // The file's first render loads the router and the pages: seconds on a loaded machine.
    expect(await screen.findByRole("heading", { name: "Sign in" }, { timeout: 10_000 })).toBeTruthy();
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toBe(
      `?next=${encodeURIComponent("/projects/3/images?status=done")}`,
    );
  });

  it("sends everyone to the setup page while the server has no admin", async () => {
    vi.stubGlobal("fetch", serve({ "/setup": () => json(200, { required: true, codeRequired: false }) }));
    const router = renderAt("/projects/3/images");
    expect(await screen.findByRole("heading", { name: "Welcome to Labelbench" })).toBeTruthy();
    expect(router.state.location.pathname).toBe("/setup");
  });

  it("asks for the setup code when this browser is not on the server's machine, and says where it is", async () => {
    const fetchMock = serve({
      "/setup": (init) =>
        init?.method === "POST" ? json(201, ME) : json(200, { required: true, codeRequired: true }),
      "/projects": () => json(200, { items: [] }),
    });
    vi.stubGlobal("fetch", fetchMock);
    renderAt("/setup");
    await screen.findByRole("heading", { name: "Welcome to Labelbench" });
    const code = screen.getByLabelText("Setup code");
    expect(screen.getByText(/prints it in its log .* “setup code”/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "correct horse" } });
    fireEvent.change(screen.getByLabelText("Confirm password"), { target: { value: "correct horse" } });
    fireEvent.click(screen.getByRole("button", { name: "Create admin and sign in" }));
    expect(await screen.findByText("Enter the setup code from the server log.")).toBeTruthy();
    const posts = () => fetchMock.mock.calls.filter(([, init]) => init?.method === "POST");
    expect(posts()).toHaveLength(0);
    fireEvent.change(code, { target: { value: "abcd-efgh-jkmn-pqrs" } });
    fireEvent.click(screen.getByRole("button", { name: "Create admin and sign in" }));
    expect(await screen.findByRole("heading", { name: "Projects page" })).toBeTruthy();
    expect(JSON.parse(String(posts()[0]?.[1]?.body))).toMatchObject({
      email: "ada@example.com",
      code: "abcd-efgh-jkmn-pqrs",
    });
  });

  it("on the server's own machine, setup asks for no code", async () => {
    vi.stubGlobal("fetch", serve({ "/setup": () => json(200, { required: true, codeRequired: false }) }));
    renderAt("/setup");
    await screen.findByRole("heading", { name: "Welcome to Labelbench" });
    expect(screen.queryByLabelText("Setup code")).toBeNull();
  });

  it("lets a signed-in user through", async () => {
    vi.stubGlobal(
      "fetch",
      serve({
        "/setup": () => json(200, { required: false, codeRequired: false }),
        "/auth/me": () => json(200, ME),
        "/projects": () => json(200, { items: [] }),
      }),
    );
    const router = renderAt("/");
    expect(await screen.findByRole("heading", { name: "Projects page" })).toBeTruthy();
    expect(router.state.location.pathname).toBe("/");
  });

  it("turns a 401 from any API call into /login?next=, and says the session ended", async () => {
    vi.stubGlobal(
      "fetch",
      serve({
        "/setup": () => json(200, { required: false, codeRequired: false }),
        "/auth/me": () => json(200, ME),
        "/projects": unauthenticated,
      }),
    );
    const router = renderAt("/projects/9/images");
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent("/projects/9/images")}`);
    expect(screen.getByText(/Your session has ended/)).toBeTruthy();
  });

  it("after signing in, goes back to where the user was", async () => {
    const fetchMock = serve({
      "/setup": () => json(200, { required: false, codeRequired: false }),
      "/auth/me": unauthenticated,
      "/auth/login": () => json(200, ME),
      "/projects": () => json(200, { items: [] }),
    });
    vi.stubGlobal("fetch", fetchMock);
    const router = renderAt("/projects/3/images");
    await screen.findByRole("heading", { name: "Sign in" });
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "correct horse" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("heading", { name: "Projects page" })).toBeTruthy();
    expect(router.state.location.pathname).toBe("/projects/3/images");
    const login = fetchMock.mock.calls.find(([u]) => String(u).endsWith("/auth/login"));
    expect(login).toBeDefined();
    expect(JSON.parse(String(login?.[1]?.body))).toEqual({
      email: "ada@example.com",
      password: "correct horse",
    });
  });

  it("shows the server's words when signing in fails, rate limiting included", async () => {
    vi.stubGlobal(
      "fetch",
      serve({
        "/setup": () => json(200, { required: false, codeRequired: false }),
        "/auth/me": unauthenticated,
        "/auth/login": () =>
          json(429, {
            error: { code: "RATE_LIMITED", message: "too many failed sign-in attempts; try again in 42 s" },
          }),
      }),
    );
    renderAt("/login");
    await screen.findByRole("heading", { name: "Sign in" });
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "wrong" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Too many failed sign-in attempts; try again in 42 s.")).toBeTruthy();
  });
});
