import { useRef, useState, type FormEvent } from "react";
import type { ProviderKey } from "@flotilla/client";
import { useClient } from "../../state/flotilla.js";
import { messageOf } from "../../state/live-store.js";
import { useRemote } from "../../state/use-remote.js";
import { Empty, ErrorState, Loading } from "../../ui/states.js";
import {
  formatWhen,
  isRotation,
  providerChoices,
  secretProblem,
  sortedKeys,
  usualEnvVar,
  validateKeyFields,
  type ProviderChoice,
} from "./keys-logic.js";
import "./keys.css";

/**
 * `#/keys`: provider API keys. The server keeps them envelope-encrypted and only ever answers
 * masked values. The secret is read from its password field at submit time, sent, and the field
 * is cleared at once: it is never React state, never in localStorage, never in a URL (the field
 * has no `name`, so even a form submitted without JavaScript would not carry it).
 */
export function KeysView() {
  const client = useClient();
  const keys = useRemote(() => client.listKeys(), "keys");
  // The configured providers, for the form's suggestions (best effort: the form works without).
  const config = useRemote(() => client.config(), "keys-config");
  const choices = providerChoices(config.data?.providers);
  const [confirming, setConfirming] = useState<string | undefined>();
  const [notice, setNotice] = useState<{ tone: "ok" | "error"; text: string } | undefined>();
  const [busy, setBusy] = useState<string | undefined>();

  const remove = async (provider: string) => {
    setBusy(provider);
    setNotice(undefined);
    try {
      await client.removeKey(provider);
      setNotice({ tone: "ok", text: `Removed the key for ${provider}.` });
      setConfirming(undefined);
      keys.reload();
    } catch (err) {
      setNotice({ tone: "error", text: `Could not remove the key for ${provider}: ${messageOf(err)}` });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="keys" aria-label="provider keys">
      <h1>Provider keys</h1>
      <p className="keys-intro">
        Keys are stored encrypted and given to the provider&apos;s agents as an environment variable. Only the last
        characters are ever shown.
      </p>
      {keys.error && !keys.data ? (
        <ErrorState error={keys.error} onRetry={keys.reload} />
      ) : !keys.data ? (
        <Loading what="loading keys" />
      ) : keys.data.length === 0 ? (
        <Empty>No provider keys yet.</Empty>
      ) : (
        <div className="keys-table-wrap">
          <table className="keys-table">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Variable</th>
                <th scope="col">Key</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="keys-visually-hidden">actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sortedKeys(keys.data).map((k) => (
                <KeyRow
                  key={k.provider}
                  k={k}
                  confirming={confirming === k.provider}
                  busy={busy === k.provider}
                  onAsk={() => setConfirming(k.provider)}
                  onCancel={() => setConfirming(undefined)}
                  onConfirm={() => void remove(k.provider)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {notice && (
        <p className={`keys-notice keys-${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"}>
          {notice.text}
        </p>
      )}
      <KeyForm
        existing={keys.data ?? []}
        choices={choices}
        onSaved={(k, rotated) => {
          setNotice({ tone: "ok", text: `${rotated ? "Rotated" : "Added"} the key for ${k.provider} (${k.masked}).` });
          keys.reload();
        }}
        onError={(text) => setNotice({ tone: "error", text })}
      />
    </section>
  );
}

function KeyRow({
  k,
  confirming,
  busy,
  onAsk,
  onCancel,
  onConfirm,
}: {
  k: ProviderKey;
  confirming: boolean;
  busy: boolean;
  onAsk: () => void;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <tr data-provider={k.provider}>
      <td>{k.provider}</td>
      <td>
        <code>{k.envVar}</code>
      </td>
      <td>
        <code className="keys-masked">{k.masked}</code>
      </td>
      <td title={k.updatedAt}>{formatWhen(k.updatedAt)}</td>
      <td className="keys-actions">
        {confirming ? (
          <span role="group" aria-label={`confirm removing ${k.provider}`}>
            Remove this key?{" "}
            <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
              {busy ? "Removing…" : "Yes, remove"}
            </button>{" "}
            <button type="button" disabled={busy} onClick={onCancel}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" aria-label={`remove the key for ${k.provider}`} onClick={onAsk}>
            Remove
          </button>
        )}
      </td>
    </tr>
  );
}

function KeyForm({
  existing,
  choices,
  onSaved,
  onError,
}: {
  existing: readonly ProviderKey[];
  choices: readonly ProviderChoice[];
  onSaved: (k: ProviderKey, rotated: boolean) => void;
  onError: (text: string) => void;
}) {
  const client = useClient();
  const [provider, setProvider] = useState("");
  const [envVar, setEnvVar] = useState("");
  const [problems, setProblems] = useState<{ provider?: string; envVar?: string; secret?: string }>({});
  const [saving, setSaving] = useState(false);
  // The secret lives only in this DOM field until submit; React never holds it.
  const secretRef = useRef<HTMLInputElement>(null);
  const rotating = isRotation(existing, provider);
  const hint = usualEnvVar(provider, choices);
  const known = choices.some((c) => c.name === provider.trim());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const field = secretRef.current;
    if (!field) return;
    const fieldProblems = validateKeyFields({ provider, envVar });
    const secretWhy = secretProblem(field.value.length);
    if (fieldProblems.provider || fieldProblems.envVar || secretWhy) {
      setProblems({ ...fieldProblems, ...(secretWhy ? { secret: secretWhy } : {}) });
      return;
    }
    setProblems({});
    const request = {
      provider: provider.trim(),
      ...(envVar.trim() !== "" ? { envVar: envVar.trim() } : {}),
      secret: field.value,
    };
    field.value = ""; // cleared the moment it is read
    setSaving(true);
    try {
      const saved = await client.setKey(request);
      setProvider("");
      setEnvVar("");
      onSaved(saved, rotating);
    } catch (err) {
      onError(`Could not save the key for ${request.provider}: ${messageOf(err)} (paste it again to retry)`);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="keys-form" onSubmit={(e) => void submit(e)} autoComplete="off" aria-label="add or rotate a key">
      <h2>{rotating ? `Rotate the key for ${provider.trim()}` : "Add a key"}</h2>
      <div className="keys-field">
        <label htmlFor="keys-provider">Provider</label>
        <input
          id="keys-provider"
          value={provider}
          list="keys-known-providers"
          placeholder="claude-code"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={problems.provider !== undefined}
          onChange={(e) => setProvider(e.target.value)}
        />
        <datalist id="keys-known-providers">
          {choices.map((c) => (
            <option key={c.name} value={c.name}>
              {c.adapter}
            </option>
          ))}
        </datalist>
        {problems.provider && <p className="keys-problem">{problems.provider}</p>}
      </div>
      <div className="keys-field">
        <label htmlFor="keys-env">
          Environment variable <span className="keys-optional">(optional)</span>
        </label>
        <input
          id="keys-env"
          value={envVar}
          placeholder={hint ?? (provider.trim() === "" ? "the adapter's usual one" : "required for this provider")}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={problems.envVar !== undefined}
          onChange={(e) => setEnvVar(e.target.value)}
        />
        {problems.envVar && <p className="keys-problem">{problems.envVar}</p>}
        {!problems.envVar && provider.trim() !== "" && envVar.trim() === "" && (
          <p className="keys-help">
            {hint !== undefined
              ? `Given to its agents as ${hint}.`
              : known
                ? "This provider's adapter has no usual variable: name one."
                : "Not a configured provider: name the variable."}
          </p>
        )}
      </div>
      <div className="keys-field">
        <label htmlFor="keys-secret">Secret</label>
        <input
          id="keys-secret"
          ref={secretRef}
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          aria-invalid={problems.secret !== undefined}
          placeholder={rotating ? "the new key" : "sk-…"}
        />
        {problems.secret && <p className="keys-problem">{problems.secret}</p>}
      </div>
      <div className="keys-form-actions">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? "Saving…" : rotating ? "Rotate key" : "Add key"}
        </button>
      </div>
    </form>
  );
}
