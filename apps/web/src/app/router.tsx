import { lazy, type ReactNode, Suspense } from "react";
import { createBrowserRouter } from "react-router";
import { RequireSession } from "../auth/RequireSession";
import { AdminOnly, ProjectAllows } from "../auth/Restricted";
import { useSession } from "../auth/session-store";
import { EDITOR_PATH, startEditorPreload } from "../editor/session/preload";
import { KeymapPage } from "../keymap/KeymapPage";
import { startKeyboardLayout } from "../keymap/keyboard-layout";
import { startKeymapSync } from "../keymap/keymap-store";
import { UsersPage } from "../pages/admin/UsersPage";
import { LoginPage } from "../pages/auth/LoginPage";
import { SetupPage } from "../pages/auth/SetupPage";
import { HistoryPage } from "../pages/history/HistoryPage";
import { ImagesPage } from "../pages/images/ImagesPage";
import { IssuesPage } from "../pages/issues/IssuesPage";
import { LabelsPage } from "../pages/labels/LabelsPage";
import { MembersPage } from "../pages/members/MembersPage";
import { ModelServersPage } from "../pages/model-servers/ModelServersPage";
import { ModelsPage } from "../pages/models/ModelsPage";
import { NotFoundPage } from "../pages/NotFoundPage";
import { OverviewPage } from "../pages/overview/OverviewPage";
import { PeoplePage } from "../pages/people/PeoplePage";
import { ReviewSettingsPage } from "../pages/project-settings/ReviewSettingsPage";
import { ProjectsPage } from "../pages/projects/ProjectsPage";
import { AuditsPage } from "../pages/review/AuditsPage";
import { ReviewQueuePage } from "../pages/review/ReviewQueuePage";
import { PasswordPage } from "../pages/settings/PasswordPage";
import { TokensPage } from "../pages/settings/TokensPage";
import { MyWorkPage } from "../pages/work/MyWorkPage";
import { Loading } from "../ui/parts";
import { AppLayout, RootLayout } from "./AppLayout";
import { ProjectLayout } from "./ProjectLayout";
import { RouteError } from "./RouteError";

// The editor (Konva) and the export page load on first use: the library stays light to open.
const loadEditor = () => import("../editor/EditorPage");
const EditorPage = lazy(() => loadEditor().then((m) => ({ default: m.EditorPage })));
// Opened at an editor address: its chunk and the image's data load while the session is checked.
const sessionChecked = () =>
  new Promise<void>((resolve) => {
    const known = (s: ReturnType<typeof useSession.getState>) => s.session.status !== "loading";
    if (known(useSession.getState())) return resolve();
    const stop = useSession.subscribe((s) => {
      if (!known(s)) return;
      stop();
      resolve();
    });
  });
if (typeof window !== "undefined") {
  // The user's own keys load with the session; their caps read as the keyboard's layout labels them.
  startKeymapSync();
  startKeyboardLayout();
}
if (typeof window !== "undefined" && EDITOR_PATH.test(window.location.pathname)) {
  // The session check starts with the first script rather than after React's first render.
  useSession.getState().ensureLoaded();
  startEditorPreload(window.location.pathname, { loadChunk: loadEditor, sessionChecked });
}
const ExportPage = lazy(() => import("../pages/export/ExportPage").then((m) => ({ default: m.ExportPage })));
const PredictionsPage = lazy(() =>
  import("../pages/predictions/PredictionsPage").then((m) => ({ default: m.PredictionsPage })),
);
const VersionsPage = lazy(() =>
  import("../pages/versions/VersionsPage").then((m) => ({ default: m.VersionsPage })),
);
const QualityRoutes = lazy(() =>
  import("../pages/quality/QualityRoutes").then((m) => ({ default: m.QualityRoutes })),
);

const Deferred = ({ children, what }: { children: ReactNode; what: string }) => (
  <Suspense
    fallback={
      <main id="main" className="page">
        <Loading what={what} />
      </main>
    }
  >
    {children}
  </Suspense>
);

/**
 * Every page and every filter has its own URL, so any view can be bookmarked or sent to a colleague:
 * the library's filters live in the query string (`?status=done&q=cat`).
 */
export const routes = [
  {
    element: <RootLayout />,
    errorElement: <RouteError />,
    children: [
      // Before sign-in: the one-time setup of the first admin, and the login page.
      { path: "setup", element: <SetupPage /> },
      { path: "login", element: <LoginPage /> },
      {
        // Everything else needs a signed-in user; a 401 from any call comes back here as /login?next=.
        element: <RequireSession />,
        children: [
          {
            element: <AppLayout />,
            children: [
              { index: true, element: <ProjectsPage /> },
              {
                path: "projects/:projectId",
                element: <ProjectLayout />,
                children: [
                  { index: true, element: <OverviewPage /> },
                  {
                    path: "labels",
                    element: (
                      <ProjectAllows action="manageProject">
                        <LabelsPage />
                      </ProjectAllows>
                    ),
                  },
                  { path: "images", element: <ImagesPage /> },
                  // Quality workflow (issue 15): distribution, review, issues, history, people.
                  { path: "work", element: <MyWorkPage /> },
                  {
                    path: "review",
                    element: (
                      <ProjectAllows action="review">
                        <ReviewQueuePage />
                      </ProjectAllows>
                    ),
                  },
                  {
                    path: "review/audits",
                    element: (
                      <ProjectAllows action="review">
                        <AuditsPage />
                      </ProjectAllows>
                    ),
                  },
                  { path: "issues", element: <IssuesPage /> },
                  { path: "people", element: <PeoplePage /> },
                  // Quality control, part 2 (issue 16): the QC dashboard, drill-downs, comparisons.
                  {
                    path: "quality/*",
                    element: (
                      <Deferred what="quality">
                        <QualityRoutes />
                      </Deferred>
                    ),
                  },
                  // Model-assisted labeling (issue 17): prediction runs and their import.
                  {
                    path: "predictions",
                    element: (
                      <ProjectAllows action="manageProject">
                        <Deferred what="predictions">
                          <PredictionsPage />
                        </Deferred>
                      </ProjectAllows>
                    ),
                  },
                  // Issue 17: model versions' numbers and the learning curve.
                  {
                    path: "models",
                    element: (
                      <ProjectAllows action="review">
                        <ModelsPage />
                      </ProjectAllows>
                    ),
                  },
                  { path: "images/:imageId/history", element: <HistoryPage /> },
                  {
                    path: "settings",
                    element: (
                      <ProjectAllows action="manageProject">
                        <ReviewSettingsPage />
                      </ProjectAllows>
                    ),
                  },
                  {
                    path: "export",
                    element: (
                      <ProjectAllows action="export">
                        <Deferred what="export">
                          <ExportPage />
                        </Deferred>
                      </ProjectAllows>
                    ),
                  },
                  // Dataset versions (issue 17): freeze, download again, compare.
                  {
                    path: "versions",
                    element: (
                      <Deferred what="versions">
                        <VersionsPage />
                      </Deferred>
                    ),
                  },
                  {
                    path: "model-servers",
                    element: (
                      <ProjectAllows action="manageProject">
                        <ModelServersPage />
                      </ProjectAllows>
                    ),
                  },
                  {
                    path: "members",
                    element: (
                      <ProjectAllows action="manageProject">
                        <MembersPage />
                      </ProjectAllows>
                    ),
                  },
                ],
              },
              {
                path: "admin/users",
                element: (
                  <AdminOnly>
                    <UsersPage />
                  </AdminOnly>
                ),
              },
              { path: "settings/tokens", element: <TokensPage /> },
              { path: "settings/password", element: <PasswordPage /> },
              { path: "settings/keys", element: <KeymapPage /> },
              { path: "*", element: <NotFoundPage /> },
            ],
          },
          // The editor fills the viewport itself: no page chrome around it.
          {
            path: "projects/:projectId/images/:imageId",
            element: (
              <Deferred what="the editor">
                <EditorPage />
              </Deferred>
            ),
          },
        ],
      },
    ],
  },
];

export const router = createBrowserRouter(routes);
