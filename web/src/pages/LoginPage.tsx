import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { useLogin } from "../api/session";
import { BrandMark } from "../components/BrandMark";
import { BusyButton } from "../components/BusyButton";
import { ErrorBanner } from "../components/ErrorBanner";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { useI18n } from "../i18n/context";

/** Sign-in: the only page shown without a session. */
export function LoginPage() {
  const { t } = useI18n();
  const login = useLogin();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!username.trim() || !password) {
      return;
    }
    login.mutate({ username: username.trim(), password });
  };

  let error: unknown = null;
  if (login.error instanceof ApiError && login.error.status === 401) {
    error = new ApiError(401, t("login.invalid"));
  } else if (login.error instanceof ApiError && login.error.status === 429) {
    error = new ApiError(429, t("login.tooMany"));
  } else if (login.error) {
    error = login.error;
  }

  return (
    <div className="login">
      {/* A banner landmark, so that nothing on the page lies outside one. */}
      <header className="login__lang">
        <LanguageSwitch />
      </header>
      <main className="login__card">
        <div className="login__brand">
          <BrandMark size={48} />
          <h1 className="login__title">{t("app.name")}</h1>
          <p className="login__subtitle">{t("login.subtitle")}</p>
        </div>
        <form className="login__form" onSubmit={onSubmit}>
          <h2 className="visually-hidden">{t("login.title")}</h2>
          {error ? <ErrorBanner error={error} compact /> : null}
          <div className="field">
            <label className="field__label" htmlFor="login-username">
              {t("login.username")}
            </label>
            <input
              id="login-username"
              className="input"
              name="username"
              type="text"
              autoComplete="username"
              autoCapitalize="off"
              spellCheck={false}
              required
              maxLength={64}
              autoFocus
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          </div>
          <div className="field">
            <label className="field__label" htmlFor="login-password">
              {t("login.password")}
            </label>
            <input
              id="login-password"
              className="input"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              maxLength={1024}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
          <BusyButton
            type="submit"
            className="btn btn--primary btn--block"
            busy={login.isPending}
            label={t("login.submit")}
            busyLabel={t("login.submitting")}
          />
        </form>
      </main>
    </div>
  );
}
