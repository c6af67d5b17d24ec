"""Accounts (clinic mode, administrators): roles, therapist–patient links, invitations.

The same operations as ``formcheck admin …`` on the command line. Every call
goes through the store, which checks the administrator role in the database
on each one; administrators see e-mail addresses, names and roles, never
clinical data.
"""

from __future__ import annotations

import streamlit as st

from formcheck.app_support import ui
from formcheck.app_support.plain import markdown_text as plain
from formcheck.clinic import Role
from formcheck.errors import FormcheckError

settings = ui.page_setup("Accounts")
store = ui.store(settings)

st.title("Accounts")
st.caption(
    "Who may use this clinic's formcheck and which therapist sees which patient. "
    "People log in with the clinic's identity provider; formcheck keeps their "
    "roles, never a password. Patients usually join through a therapist's "
    "invitation."
)

ROLE_LABELS = {
    Role.THERAPIST: "therapist",
    Role.ADMIN: "administrator",
    Role.PATIENT: "patient",
}


def done(message: str) -> None:
    st.session_state["admin_done"] = message


tab_users, tab_links, tab_invitations = st.tabs(
    ["People and roles", "Links", "Invitations"]
)

# --------------------------------------------------------------------- users
with tab_users:
    message = st.session_state.pop("admin_done", None)
    if message:
        st.success(plain(message))
    try:
        users = store.users()
    except FormcheckError as exc:
        ui.error(exc)
        users = []
    st.dataframe(
        [
            {
                "e-mail": u.email or "",
                "name": u.name,
                "roles": ", ".join(ROLE_LABELS[r] for r in u.roles) or "no role",
                "since": u.created_utc.strftime("%Y-%m-%d"),
            }
            for u in users
        ],
        hide_index=True,
        width="stretch",
    )
    with st.form("admin_role_form", clear_on_submit=True):
        st.markdown("**Give or take a role**")
        email = st.text_input("E-mail address", key="admin_email")
        name = st.text_input("Name (for someone new)", key="admin_name")
        role = st.selectbox(
            "Role", list(ROLE_LABELS), format_func=ROLE_LABELS.get, key="admin_role"
        )
        give, take = st.columns(2)
        grant = give.form_submit_button("Give the role", type="primary")
        revoke = take.form_submit_button("Take the role away")
    if grant or revoke:
        try:
            if grant:
                info = store.grant_role(email, role, name)
            else:
                info = store.revoke_role(email, role)
        except FormcheckError as exc:
            ui.error(exc)
        else:
            roles = ", ".join(ROLE_LABELS[r] for r in info.roles) or "no role"
            done(f"{info.email}: {roles}")
            st.rerun()

# --------------------------------------------------------------------- links
with tab_links:
    st.caption(
        "A therapist sees the sessions and prescriptions of the patients linked to "
        "them. A patient who accepts an invitation is linked to that therapist."
    )
    therapists = sorted(u.email for u in users if u.email and Role.THERAPIST in u.roles)
    patients = sorted(u.email for u in users if u.email and Role.PATIENT in u.roles)
    with st.form("admin_link_form"):
        therapist = st.selectbox(
            "Therapist", therapists, index=None, key="admin_link_therapist"
        )
        patient = st.selectbox(
            "Patient", patients, index=None, key="admin_link_patient"
        )
        add, remove = st.columns(2)
        link = add.form_submit_button("Link", type="primary")
        unlink = remove.form_submit_button("Unlink")
    if link or unlink:
        if therapist is None or patient is None:
            ui.error("Choose a therapist and a patient first.")
        else:
            try:
                changed = (store.link if link else store.unlink)(therapist, patient)
            except FormcheckError as exc:
                ui.error(exc)
            else:
                verb = "linked" if link else "unlinked"
                st.success(
                    plain(
                        f"{therapist} → {patient}: "
                        + (verb if changed else f"already {verb}")
                    )
                )

# --------------------------------------------------------------- invitations
with tab_invitations:
    try:
        invitations = store.invitations()
    except FormcheckError as exc:
        ui.error(exc)
        invitations = []
    if not invitations:
        st.caption("No invitations yet: therapists invite patients by e-mail.")
    else:
        st.dataframe(
            [
                {
                    "e-mail": i.email,
                    "invited by": i.therapist_email,
                    "on": i.created_utc.strftime("%Y-%m-%d"),
                    "accepted": (
                        i.accepted_utc.strftime("%Y-%m-%d") if i.accepted_utc else ""
                    ),
                }
                for i in invitations
            ],
            hide_index=True,
            width="stretch",
        )
