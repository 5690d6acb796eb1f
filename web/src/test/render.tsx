import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement, ReactNode } from "react";
import { I18nProvider } from "../i18n/I18nProvider";
import type { Language } from "../i18n/messages";

export function testQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } },
  });
}

export interface ProvidersOptions {
  language?: Language;
  queryClient?: QueryClient;
}

/** Renders `ui` inside the providers the app gives every page (kept on rerender). */
export function renderWithProviders(
  ui: ReactElement,
  { language = "en", queryClient = testQueryClient() }: ProvidersOptions = {},
): RenderResult & { queryClient: QueryClient } {
  const wrapper = ({ children }: { children: ReactNode }) => (
    <I18nProvider language={language}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </I18nProvider>
  );
  const result: RenderResult = render(ui, { wrapper });
  return { ...result, queryClient };
}
