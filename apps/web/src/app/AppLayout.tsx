import { Outlet, useMatch } from "react-router";
import { UploadDock } from "../pages/images/UploadDock";
import { Toaster } from "../ui/Toaster";
import { Header } from "./Header";

/** Wraps every route, the editor included: toasts must reach the user wherever they are. */
export function RootLayout() {
  return (
    <>
      <Outlet />
      <Toaster />
    </>
  );
}

/** Pages with the header. A project's pages put their own header (with the project nav) in ProjectLayout. */
export function AppLayout() {
  const inProject = useMatch("/projects/:projectId/*");
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {!inProject && <Header project={null} />}
      <Outlet />
      <UploadDock />
    </div>
  );
}
