/** What an unauthenticated browser sees: how to get the cookie, and no data. */
export function LoginPage({ onRetry }: { onRetry: () => void }) {
  return (
    <main className="login">
      <h1>Flotilla</h1>
      <p>This browser is not logged in to the Flotilla daemon.</p>
      <ol>
        <li>
          Open the one-time link printed by <code>flotilla serve</code>, or
        </li>
        <li>
          run <code>flotilla web</code> to open a logged-in browser window.
        </li>
      </ol>
      <p className="muted">The link sets a cookie for this origin only; the token never reaches the page.</p>
      <button type="button" onClick={onRetry}>
        I have logged in — try again
      </button>
    </main>
  );
}
