import { useEffect, useRef, useState, type FormEvent } from 'react';
import { login, type Session } from './session';

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];

export const Login = ({ onLogin }: { onLogin: (session: Session) => void }) => {
  const [error, setError] = useState('');
  const user = useRef<HTMLSelectElement>(null);
  const password = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      onLogin(await login(user.current!.value, password.current!.value));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <>
      <header className="top">
        <h1>Messages</h1>
      </header>
      <main id="main" tabIndex={-1}>
        <form id="login" className="card" aria-labelledby="login-title" onSubmit={submit}>
          <h2 id="login-title" ref={heading} tabIndex={-1}>
            Log in as a demo user
          </h2>
          <label htmlFor="login-user">User</label>
          <select id="login-user" name="identifier" ref={user}>
            {USERS.map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
          <label htmlFor="login-password">Password</label>
          <input id="login-password" name="password" type="password" defaultValue="Password123!" autoComplete="current-password" ref={password} />
          <button type="submit">Log in</button>
          <p id="login-error" className="error" role="alert">
            {error}
          </p>
        </form>
      </main>
    </>
  );
};
