"""The store's SSH signing key: make it, sign commit payloads, check signatures against allowed signers.

The key lives in ``GITDIR/tracker-writer/signing_key`` (mode 0600, in the writer's
0755 folder), so only the writer account can sign; ``tracker init`` makes one, and
``tracker doctor --signing-key`` makes one for an existing store and prints the
public line to list in ``tasks/allowed_signers``. Signatures are git's own
(``gpg.format=ssh``): ``ssh-keygen -Y sign -n git`` over the commit without its
``gpgsig`` header, which ``git verify-commit`` accepts. Checking never looks at a
header's presence: :func:`signature_valid` runs ``ssh-keygen -Y verify`` against the
allowed signers of the trust root.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from tracker.git.runner import GitRunner
from tracker.published import ensure_writer_dir, writer_dir

KEY_NAME = "signing_key"
SIGNERS_FILE = "allowed_signers"  # in tasks/, beside operators.toml
PRINCIPAL = "tracker"
_SSH_KEYGEN = "ssh-keygen"


def key_path(git_dir: Path) -> Path:
    """Where the store's private signing key lives."""
    return git_dir / "tracker-writer" / KEY_NAME


def ensure_key(repo: GitRunner) -> Path | None:
    """Make the store's signing key if there is none; its path, or None when this account may not."""
    folder = ensure_writer_dir(repo)
    if folder is None:
        return None
    path = folder / KEY_NAME
    if not path.exists():
        proc = subprocess.run(
            [_SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "zwgk-tracker store", "-f", str(path)],
            capture_output=True, check=False, stdin=subprocess.DEVNULL,
        )
        if proc.returncode != 0:
            return None
    os.chmod(path, 0o600)
    return path


def public_line(repo: GitRunner) -> str | None:
    """The public key (``ssh-ed25519 AAAA... comment``), or None when the store has no key."""
    try:
        return (writer_dir(repo) / (KEY_NAME + ".pub")).read_text(encoding="ascii").strip()
    except OSError:
        return None


def usable_key(git_dir: Path) -> Path | None:
    """The signing key when this account can read it (the writer), else None."""
    path = key_path(git_dir)
    try:
        st = path.stat()
    except OSError:
        return None
    # ssh-keygen refuses a key others may read; such a key is no longer the writer's alone
    return path if st.st_uid == os.geteuid() and not st.st_mode & 0o077 else None


def split_signature(raw: bytes) -> tuple[bytes, bytes | None]:
    """(payload, signature) of a commit object's bytes: the payload is the commit without ``gpgsig``."""
    head, sep, body = raw.partition(b"\n\n")
    kept: list[bytes] = []
    sig: list[bytes] | None = None
    in_sig = False
    for line in head.split(b"\n"):
        if in_sig and line.startswith(b" "):
            assert sig is not None
            sig.append(line[1:])
            continue
        in_sig = False
        if line.startswith(b"gpgsig ") and sig is None:
            sig = [line[len(b"gpgsig "):]]
            in_sig = True
            continue
        kept.append(line)
    payload = b"\n".join(kept) + sep + body
    return payload, (b"\n".join(sig) + b"\n" if sig is not None else None)


def signature_valid(raw_commit: bytes, allowed_keys: list[str]) -> bool:
    """The commit carries a good ``git`` signature by one of ``allowed_keys`` (``ssh-ed25519 AAAA...`` lines)."""
    payload, sig = split_signature(raw_commit)
    if sig is None or not allowed_keys:
        return False
    with tempfile.TemporaryDirectory(prefix="tracker-verify-") as tmp:
        allowed = Path(tmp) / "allowed"
        allowed.write_text("".join(f'{PRINCIPAL} namespaces="git" {k}\n' for k in allowed_keys), encoding="ascii")
        sig_file = Path(tmp) / "sig"
        sig_file.write_bytes(sig)
        proc = subprocess.run(
            [_SSH_KEYGEN, "-Y", "verify", "-f", str(allowed), "-I", PRINCIPAL, "-n", "git", "-s", str(sig_file)],
            input=payload, capture_output=True, check=False,
        )
    return proc.returncode == 0


def parse_allowed(text: str) -> list[str]:
    """Key lines of an ``allowed_signers`` file of the trust root (``# comments`` and blanks skipped)."""
    keys = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.lstrip().startswith("#") and parts[0].startswith(("ssh-", "ecdsa-", "sk-")):
            keys.append(f"{parts[0]} {parts[1]}")
    return keys
