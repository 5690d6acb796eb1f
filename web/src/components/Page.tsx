import type { ReactNode } from "react";

export interface PageProps {
  /** Names the page's heading (`<id>-title`), which labels the whole page. */
  id: string;
  title: string;
  subtitle: string;
  /** What stands beside the heading: actions, a summary. */
  aside?: ReactNode;
  children: ReactNode;
}

/** A page of the dashboard: its heading and subtitle, what goes beside them, then its content. */
export function Page({ id, title, subtitle, aside, children }: PageProps) {
  const titleId = `${id}-title`;
  return (
    <section className="page" aria-labelledby={titleId}>
      <header className="page__header">
        <div>
          <h1 className="page__title" id={titleId}>
            {title}
          </h1>
          <p className="page__subtitle">{subtitle}</p>
        </div>
        {aside}
      </header>
      {children}
    </section>
  );
}
