import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { FlotillaProvider } from "./state/flotilla.js";
import { createLiveStore } from "./state/live-store.js";
import "./styles.css";

// Same origin as the API: the browser sends the HttpOnly cookie; no token in JS.
const store = createLiveStore({ baseUrl: window.location.origin });

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
createRoot(root).render(
  <StrictMode>
    <FlotillaProvider store={store}>
      <App />
    </FlotillaProvider>
  </StrictMode>,
);
