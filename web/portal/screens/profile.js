// My profile and notification preferences: the member's own record, which any role may edit.
import { html, useState } from "../vendor/htm-preact-standalone-3.1.1.module.js";
import { byField, gql } from "../graphql.js";
import { FieldError, Section, Unavailable, label } from "../ui.js";

export const title = "My profile";
const TYPES = ["INVOICE_GENERATED", "TICKET_STATUS_CHANGED", "RENEWAL_REMINDER", "USAGE_THRESHOLD", "DOCUMENT_ADDED"];
const CHANNELS = ["EMAIL", "SMS", "IN_APP"];
const CHANNEL_NAMES = { EMAIL: "Email", SMS: "SMS", IN_APP: "In the portal" };

export function load() {
  return {
    query: `query Me { viewer { member { id firstName lastName email phone jobTitle role
      notificationPreferences { type channels } } } }`,
    variables: {},
    account: (data) => data?.viewer?.member,
  };
}

const PROFILE = `mutation Profile($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) {
  member { id } userErrors { field message } } }`;
const PREFERENCES = `mutation Prefs($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { member { id } userErrors { field message } } }`;

function useSave(mutation, field, onSaved) {
  const [state, setState] = useState({ problems: {}, busy: false, saved: false });
  const save = async (input) => {
    setState({ problems: {}, busy: true, saved: false });
    const { data, errors } = await gql(mutation, { input });
    const payload = data?.[field];
    if (payload && payload.userErrors.length === 0) {
      setState({ problems: {}, busy: false, saved: true });
      return onSaved();
    }
    setState({ problems: payload ? byField(payload.userErrors) : { "": errors[0]?.message }, busy: false, saved: false });
  };
  return [state, save];
}

function Profile({ member, reload }) {
  const [state, save] = useSave(PROFILE, "updateMyProfile", reload);
  const submit = (event) => {
    event.preventDefault();
    save(Object.fromEntries(new FormData(event.target)));
  };
  const input = (name, text, auto, type = "text") => html`<div class="field">
    <label for=${"me-" + name}>${text}</label>
    <input id=${"me-" + name} name=${name} type=${type} autocomplete=${auto} value=${member[name] || ""}
      aria-invalid=${state.problems[name] ? "true" : undefined} aria-describedby=${state.problems[name] ? "me-" + name + "-error" : undefined} />
    <${FieldError} id=${"me-" + name + "-error"} message=${state.problems[name]} /></div>`;
  return html`<${Section} title="About you">
    <form class="stack" onSubmit=${submit}>
      <div class="row">${input("firstName", "First name", "given-name")}${input("lastName", "Last name", "family-name")}</div>
      ${input("jobTitle", "Job title", "organization-title")}
      ${input("phone", "Mobile phone (for SMS)", "tel", "tel")}
      <p class="muted">Signed in as ${member.email} (${label(member.role)}).</p>
      <${FieldError} id="me-error" message=${state.problems[""]} />
      <div class="actions"><button class="primary" type="submit" disabled=${state.busy}>Save profile</button></div>
    </form></${Section}>`;
}

function Preferences({ member, reload }) {
  const [state, save] = useSave(PREFERENCES, "updateNotificationPreferences", reload);
  const current = Object.fromEntries((member.notificationPreferences || []).map((p) => [p.type, p.channels]));
  const submit = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    save({ preferences: TYPES.map((type) => ({ type, channels: CHANNELS.filter((c) => form.get(`${type}.${c}`)) })) });
  };
  return html`<${Section} title="Notifications">
    <form onSubmit=${submit}>
      <div class="table-wrap"><table class="prefs">
        <caption class="muted">Choose how we tell you about each kind of event.</caption>
        <thead><tr><th scope="col">Event</th>${CHANNELS.map((c) => html`<th scope="col">${CHANNEL_NAMES[c]}</th>`)}</tr></thead>
        <tbody>${TYPES.map((type) => html`<tr><th scope="row">${label(type)}</th>
          ${CHANNELS.map((c) => html`<td><input type="checkbox" name=${`${type}.${c}`} id=${`${type}.${c}`}
            checked=${(current[type] || []).includes(c)} aria-label=${`${label(type)} by ${CHANNEL_NAMES[c]}`} /></td>`)}</tr>`)}
        </tbody></table></div>
      <${FieldError} id="prefs-error" message=${state.problems.preferences || state.problems[""]} />
      ${state.saved && html`<p role="status" class="saved">Saved.</p>`}
      <div class="actions"><button class="primary" type="submit" disabled=${state.busy}>Save notifications</button></div>
    </form></${Section}>`;
}

export function Screen({ account: member, reload }) {
  if (!member) return html`<h1>My profile</h1><${Unavailable} what="Your profile" />`;
  return html`<h1>My profile</h1><${Profile} member=${member} reload=${reload} /><${Preferences} member=${member} reload=${reload} />`;
}
