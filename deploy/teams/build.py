"""Builds the Teams app package (`make teams-app`): dist/teams-app.zip with manifest.json, color.png and outline.png.

    TEAMS_APP_ID=<the bot's app id> LTA_PUBLIC_URL=https://lta.example.gov.uk make teams-app

Optional: TEAMS_PRIVACY_URL and TEAMS_TERMS_URL (your privacy notice and terms; default: LTA_PUBLIC_URL).
The manifest is checked against the rules of schema 1.17 that a mistake here would break (ids, https URLs,
lengths, icon sizes) before anything is written; upload the zip in Teams (Apps > Manage your apps > Upload an app)
or give it to your Teams administrator.
"""
from __future__ import annotations

import json
import os
import re
import struct
import sys
import zipfile
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ICONS = {"color": 192, "outline": 32}


class PackageError(ValueError):
    pass


def _https(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise PackageError(f"{name} must be an https URL, not {url!r}")
    return url


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise PackageError(f"{path.name} is not a PNG")
    return struct.unpack(">II", head[16:24])


def manifest(env: Mapping[str, str]) -> dict:
    app_id = env.get("TEAMS_APP_ID", "").strip()
    if not GUID.match(app_id):
        raise PackageError("TEAMS_APP_ID must be the bot's Microsoft app id (a GUID such as "
                           "00000000-0000-0000-0000-000000000000)")
    public = _https(env.get("LTA_PUBLIC_URL", "").strip().rstrip("/"), "LTA_PUBLIC_URL")
    values = {
        "TEAMS_APP_ID": app_id, "LTA_PUBLIC_URL": public, "PUBLIC_HOST": urlsplit(public).hostname,
        "TEAMS_PRIVACY_URL": _https(env.get("TEAMS_PRIVACY_URL", "").strip() or public + "/", "TEAMS_PRIVACY_URL"),
        "TEAMS_TERMS_URL": _https(env.get("TEAMS_TERMS_URL", "").strip() or public + "/", "TEAMS_TERMS_URL"),
    }
    # Substituted as JSON strings, so no value can change the document's structure.
    quoted = {k: json.dumps(v)[1:-1] for k, v in values.items()}
    template = (HERE / "manifest.template.json").read_text(encoding="utf-8")
    data = json.loads(re.sub(r"\$\{([A-Z_]+)\}", lambda m: quoted[m.group(1)], template))
    check(data)
    return data


def check(m: dict) -> None:
    """The schema 1.17 rules a hand-edited manifest most often breaks."""
    if m.get("manifestVersion") != "1.17" or "v1.17" not in m.get("$schema", ""):
        raise PackageError("the manifest must use schema version 1.17")
    if not re.match(r"^\d+\.\d+\.\d+$", m.get("version", "")):
        raise PackageError("version must look like 1.0.0")
    if len(m["name"]["short"]) > 30 or len(m["name"].get("full", "")) > 100:
        raise PackageError("name.short is at most 30 characters, name.full at most 100")
    if len(m["description"]["short"]) > 80 or len(m["description"]["full"]) > 4000:
        raise PackageError("description.short is at most 80 characters, description.full at most 4000")
    if not re.match(r"^#[0-9A-Fa-f]{6}$", m.get("accentColor", "")):
        raise PackageError("accentColor must be a #RRGGBB colour")
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        _https(m["developer"][key], f"developer.{key}")
    for bot in m["bots"]:
        if bot["botId"] != m["id"] or not set(bot["scopes"]) <= {"personal", "team", "groupChat"}:
            raise PackageError("the bot must use the app id and the scopes personal, team, groupChat")
    for name, size in ICONS.items():
        if png_size(HERE / m["icons"][name]) != (size, size):
            raise PackageError(f"the {name} icon must be {size}x{size} pixels")


def build(env: Mapping[str, str], out: Path) -> Path:
    data = manifest(env)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:  # files at the root of the zip, as Teams wants
        z.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        for name in ICONS:
            z.write(HERE / data["icons"][name], data["icons"][name])
    return out


if __name__ == "__main__":
    try:
        path = build(os.environ, ROOT / "dist" / "teams-app.zip")
    except PackageError as e:
        sys.exit(f"Cannot build the Teams app: {e}")
    print(f"Built {path.relative_to(ROOT)}: upload it in Teams (Apps > Manage your apps > Upload an app).")
