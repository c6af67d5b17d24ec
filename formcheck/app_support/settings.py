"""App settings: where data lives, upload limits, STUN/TURN servers.

Everything comes from environment variables (and, for the ICE servers,
optionally from Streamlit secrets), so a deployer configures the app without
editing code:

=========================  ==================================================
``FORMCHECK_HOME``         data folder (default ``./formcheck_data``): saved
                           sessions in ``sessions/``, prescriptions in
                           ``patients/``, analysed videos in ``review/``
``FORMCHECK_SAMPLES``      folder of sample videos for the Review page
                           (default: the repository's ``sample_videos/``)
``FORMCHECK_ICE_SERVERS``  JSON list of WebRTC ICE servers, e.g.
                           ``[{"urls": ["stun:stun.example.org:3478"]}]``
                           (default: none, which is right for localhost)
=========================  ==================================================

The same ICE list can be given in ``.streamlit/secrets.toml`` as
``[formcheck] ice_servers = [...]``; the environment variable wins.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.errors import InputError

#: Default data folder, relative to the working directory.
DEFAULT_HOME = "formcheck_data"
#: Upload limit used when Streamlit's ``server.maxUploadSize`` is unknown (MB).
DEFAULT_MAX_UPLOAD_MB = 200
_ICE_SCHEMES = ("stun:", "stuns:", "turn:", "turns:")
_REPO_SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


@dataclass(frozen=True)
class AppSettings:
    """Resolved app settings.

    Attributes:
        home: The data folder.
        samples_dir: Folder with bundled sample videos (may not exist).
        max_upload_mb: Largest accepted upload, in megabytes.
        ice_servers: WebRTC ICE servers (``[]`` = host candidates only).
        problems: Configuration problems found (shown in the app, never fatal).
    """

    home: Path
    samples_dir: Path
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB
    ice_servers: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def sessions_dir(self) -> Path:
        """Saved session records (``*.session.json`` and CSV)."""
        return self.home / "sessions"

    @property
    def patients_dir(self) -> Path:
        """Per-patient prescriptions (kept by :class:`formcheck.store.FolderStore`)."""
        return self.home / "patients"

    @property
    def routines_dir(self) -> Path:
        """Your own routines (``*.yaml``, offered beside the bundled ones)."""
        return self.home / "routines"

    @property
    def review_dir(self) -> Path:
        """Uploaded and annotated videos of the Review page."""
        return self.home / "review"

    def rtc_configuration(self) -> dict[str, Any]:
        """The ``rtc_configuration`` for ``webrtc_streamer``.

        An explicit empty list keeps streamlit-webrtc from adding a public
        STUN server, which can hang ICE gathering on a closed network.
        """
        return {"iceServers": [dict(s) for s in self.ice_servers]}


def parse_ice_servers(value: Any, source: str) -> list[dict[str, Any]]:
    """Validate a list of ICE servers (JSON text or already-parsed data).

    Args:
        value: JSON text, or a list of mappings with ``urls`` (a string or a
            list of ``stun:``/``turn:`` URLs) and optional ``username`` and
            ``credential``.
        source: Where the value came from, for messages.

    Returns:
        The servers as plain dicts.

    Raises:
        InputError: Naming the source and what is wrong.
    """
    data = value
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{source}: not valid JSON ({exc.msg} at column {exc.colno}); "
                'expected e.g. [{"urls": ["stun:stun.example.org:3478"]}]'
            ) from None
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, list):
        raise InputError(
            f"{source}: expected a list of ICE servers, got {type(data).__name__}"
        )
    servers: list[dict[str, Any]] = []
    for i, item in enumerate(data):
        if not isinstance(item, Mapping) or "urls" not in item:
            raise InputError(f"{source}: entry {i} needs a 'urls' key")
        urls = item["urls"]
        url_list = [urls] if isinstance(urls, str) else urls
        if not isinstance(url_list, list) or not url_list:
            raise InputError(f"{source}: entry {i}: 'urls' must be a URL or a list")
        for url in url_list:
            if not isinstance(url, str) or not url.startswith(_ICE_SCHEMES):
                raise InputError(
                    f"{source}: entry {i}: {url!r} is not a stun:/stuns:/turn:/turns: URL"
                )
        server: dict[str, Any] = {"urls": list(url_list)}
        for key in ("username", "credential"):
            if key in item:
                if not isinstance(item[key], str):
                    raise InputError(f"{source}: entry {i}: '{key}' must be text")
                server[key] = item[key]
        unknown = set(item) - {"urls", "username", "credential"}
        if unknown:
            raise InputError(
                f"{source}: entry {i}: unknown key(s) {', '.join(sorted(unknown))}"
            )
        servers.append(server)
    return servers


def load_settings(
    env: Mapping[str, str] | None = None,
    secrets: Mapping[str, Any] | None = None,
    max_upload_mb: int | None = None,
) -> AppSettings:
    """Read the settings.

    Args:
        env: Environment variables (default: ``os.environ``).
        secrets: Streamlit secrets (``st.secrets``), if any.
        max_upload_mb: Streamlit's ``server.maxUploadSize``, if known.

    Returns:
        The settings. A malformed ICE server list is reported in
        ``problems`` and replaced by ``[]`` (the app keeps working locally).
    """
    env = os.environ if env is None else env
    home = Path(env.get("FORMCHECK_HOME") or DEFAULT_HOME).expanduser()
    samples = Path(env.get("FORMCHECK_SAMPLES") or _REPO_SAMPLES).expanduser()
    problems: list[str] = []
    ice: list[dict[str, Any]] = []
    raw_env = env.get("FORMCHECK_ICE_SERVERS")
    try:
        if raw_env:
            ice = parse_ice_servers(raw_env, "FORMCHECK_ICE_SERVERS")
        elif secrets is not None:
            section = secrets.get("formcheck")
            if isinstance(section, Mapping) and "ice_servers" in section:
                ice = parse_ice_servers(
                    _plain(section["ice_servers"]),
                    "secrets.toml [formcheck] ice_servers",
                )
    except InputError as exc:
        problems.append(f"{exc} — using no STUN/TURN server (works on localhost).")
        ice = []
    limit = max_upload_mb if max_upload_mb and max_upload_mb > 0 else None
    return AppSettings(
        home=home,
        samples_dir=samples,
        max_upload_mb=limit or DEFAULT_MAX_UPLOAD_MB,
        ice_servers=ice,
        problems=problems,
    )


def _plain(value: Any) -> Any:
    """Turn nested mappings (e.g. Streamlit's ``AttrDict``) into plain data."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
