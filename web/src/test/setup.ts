import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { setCsrfToken } from "../api/client";

afterEach(() => {
  cleanup();
  setCsrfToken(null);
  window.localStorage.clear();
  window.location.hash = "";
  document.documentElement.lang = "";
});
