"""A real Dovecot IMAP server on loopback for the email tests (plain/STARTTLS and SSL)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.integration.conftest import free_port
from tests.needs import require

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

_CONFIG = """
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%u
first_valid_uid = {uid}
first_valid_gid = {gid}
default_login_user = {login_user}
default_internal_user = {internal_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
service imap-login {{
  {chroot}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
    ssl = yes
  }}
}}
"""


@dataclass(frozen=True)
class Dovecot:
    """Where the test IMAP server listens and how to log in."""

    host: str
    port: int
    ssl_port: int
    user: str
    password: str
    cafile: Path
    folder: Path


def _wait_port(port: int, log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    raise RuntimeError(f"dovecot did not listen on {port}:\n{text[-3000:]}")


@contextlib.contextmanager
def dovecot() -> Iterator[Dovecot]:
    """Start ``dovecot -F`` with a config of its own in a temporary folder; stop it after."""
    hint = "install Debian's dovecot-imapd and openssl: apt-get install dovecot-imapd openssl"
    dovecot_bin, openssl = require(DOVECOT, hint), require("openssl", hint)
    folder = Path(tempfile.mkdtemp(prefix="radar-dovecot-"))
    folder.chmod(0o755)  # the mail user must reach its maildir
    if os.geteuid() == 0:
        mail = pwd.getpwnam("nobody")
        login_user, internal_user = "dovenull", "dovecot"
        chroot = ""
    else:
        mail = pwd.getpwuid(os.geteuid())
        login_user = internal_user = mail.pw_name
        chroot = "chroot ="
    for sub in ("run", "state", "mail"):
        (folder / sub).mkdir()
    os.chown(folder / "mail", mail.pw_uid, mail.pw_gid)
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    password = "radar-test-pw"
    (folder / "passwd").write_text(f"support:{{PLAIN}}{password}\n", encoding="utf-8")
    port, ssl_port = free_port(), free_port()
    config = folder / "dovecot.conf"
    config.write_text(
        _CONFIG.format(
            d=folder,
            uid=mail.pw_uid,
            gid=mail.pw_gid,
            login_user=login_user,
            internal_user=internal_user,
            chroot=chroot,
            port=port,
            ssl_port=ssl_port,
        ),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [dovecot_bin, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait_port(port, folder / "dovecot.log")
        _wait_port(ssl_port, folder / "dovecot.log")
        yield Dovecot("127.0.0.1", port, ssl_port, "support", password, folder / "cert.pem", folder)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
