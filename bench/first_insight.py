"""How long a new user waits: from `make demo` in a fresh clone to the first incident and the crisis.

Clones this repository into a temporary folder (nothing beside it), then runs
``make demo`` there as a user would, twice: the first run creates the
virtualenv and fetches Kafka's jars (from the machine's warm pip and Maven
caches), the second finds them in place. Between runs the demo's data folder
is removed, so the second run tells the whole story again rather than
showing the first run's incidents. For each run it prints, side by side, the
seconds from the command to: the dashboard answering, the first open incident
(the demo prints its link), and the story's product-safety scare open (the
history's last scripted incident; the rest of the script unfolds live, over
hours of wall time).

    .venv/bin/python bench/first_insight.py
    .venv/bin/python bench/first_insight.py --runs 1 --screenshot docs/images

``--screenshot DIR`` signs in to the last run's dashboard in headless
Chromium and saves ``dashboard-crisis.png``: the incidents page with the
product-safety scare open (the README's first picture).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.browser, for the screenshot
PASSWORD = re.compile(r"sign in as admin / (\S+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Run:
    """One `make demo`: its output lines with the second each arrived."""

    started: float = field(default_factory=time.monotonic)
    lines: list[tuple[float, str]] = field(default_factory=list)

    def read(self, stream: object) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            self.lines.append((time.monotonic() - self.started, raw.decode(errors="replace")))

    def first(self, pattern: str | re.Pattern[str]) -> tuple[float, re.Match[str]] | None:
        for at, line in list(self.lines):
            found = re.search(pattern, line)
            if found:
                return at, found
        return None


def demo_env(port: int) -> dict[str, str]:
    broker, controller = free_port(), free_port()
    return {
        **os.environ,
        "RADAR_BROKER_PORT": str(broker),
        "RADAR_BROKER_CONTROLLER_PORT": str(controller),
        "RADAR_KAFKA_BOOTSTRAP": f"127.0.0.1:{broker}",
        "DEMO_ARGS": f"--port {port}",
        "PYTHONUNBUFFERED": "1",
    }


def crisis_link(checkout: Path, env: dict[str, str]) -> str | None:
    """The id of the open product-safety incident, if Radar has opened it."""
    command = ["alerts", "incident", "list", "--status", "all", "--json"]
    out = subprocess.run(
        [str(checkout / ".venv/bin/radar"), *command],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    for line in out.splitlines():
        if line.strip():
            item = json.loads(line)
            if item["type"] == "crisis":
                return str(item["id"])
    return None


def screenshot(url: str, password: str, incident: str, target: Path) -> None:
    from tests.browser import chromium_page

    with chromium_page(width=1400, height=1000) as page:
        # the incident's link, as on-call staff open it; a new page is a new session, so the
        # sign-in comes on the linked page itself
        page.goto(f"{url}/incidents?incident={incident}")  # type: ignore[attr-defined]
        page.get_by_label("用户名").fill("admin")  # type: ignore[attr-defined]
        page.get_by_label("密码").fill(password)  # type: ignore[attr-defined]
        page.get_by_role("button", name="登录").click()  # type: ignore[attr-defined]
        page.get_by_text("安全危机").first.wait_for(timeout=60_000)  # type: ignore[attr-defined]
        page.get_by_text("证据").first.wait_for(timeout=60_000)  # type: ignore[attr-defined]
        time.sleep(3)  # charts settle
        height = page.evaluate(  # type: ignore[attr-defined]
            "document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 2000"
        )
        page.set_viewport_size({"width": 1400, "height": min(int(height) + 80, 3000)})  # type: ignore[attr-defined]
        time.sleep(1)
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)  # type: ignore[attr-defined]


def one_run(checkout: Path, timeout_s: float, shots: Path | None) -> dict[str, float | None]:
    port = free_port()
    env = demo_env(port)
    shutil.rmtree(checkout / "data", ignore_errors=True)  # the story again, not the last one's
    run = Run()
    process = subprocess.Popen(
        ["make", "demo"],
        cwd=checkout,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    reader = threading.Thread(target=run.read, args=(process.stdout,), daemon=True)
    reader.start()
    figures: dict[str, float | None] = {"dashboard": None, "first incident": None, "crisis": None}
    shot_taken = shots is None
    try:
        while time.monotonic() - run.started < timeout_s:
            if process.poll() is not None:
                tail = "".join(line for _, line in run.lines[-30:])
                raise click.ClickException(f"make demo exited early:\n{tail}")
            running = run.first("Radar is running")
            figures["dashboard"] = running[0] if running else None
            first = run.first(r"first incident after \d+s")
            figures["first incident"] = first[0] if first else None
            incident = crisis_link(checkout, env) if first else None
            if incident and figures["crisis"] is None:
                figures["crisis"] = time.monotonic() - run.started
            if not shot_taken and incident:
                password = run.first(PASSWORD)
                if password and shots is not None:
                    try:
                        screenshot(
                            f"http://127.0.0.1:{port}",
                            password[1].group(1),
                            incident,
                            shots / "dashboard-crisis.png",
                        )
                    except Exception as exc:  # the figures still count; say what failed
                        click.echo(f"  screenshot failed: {exc!r}", err=True)
                    shot_taken = True
            if figures["crisis"] is not None and shot_taken:
                break
            time.sleep(1)
    finally:
        # as Ctrl-C would (SIGINT is ignored when this bench runs in the background)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    log = checkout / "data" / "logs"
    click.echo(f"  (logs of this run: {log})", err=True)
    return figures


@click.command()
@click.option("--runs", default=2, show_default=True, help="Runs of `make demo` in the clone")
@click.option("--timeout", "timeout_s", default=900.0, show_default=True, help="Seconds per run")
@click.option(
    "--checkout",
    type=click.Path(file_okay=False, path_type=Path),
    help="Run in this clone (default: a fresh clone of this repository in a temporary folder)",
)
@click.option(
    "--screenshot",
    "shots",
    type=click.Path(file_okay=False, path_type=Path),
    help="Save the last run's incidents page with the safety scare here",
)
def main(runs: int, timeout_s: float, checkout: Path | None, shots: Path | None) -> None:
    """Time `make demo` from a fresh clone to the first incident and to the safety scare."""
    if checkout is None:
        checkout = Path(tempfile.mkdtemp(prefix="radar-first-insight-")) / "radar"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(checkout)], check=True)
        click.echo(f"fresh clone in {checkout}", err=True)
    rows = []
    for n in range(1, runs + 1):
        click.echo(f"run {n} of {runs}: make demo ...", err=True)
        rows.append(one_run(checkout, timeout_s, shots if n == runs else None))

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f} s"

    click.echo("\nrun  dashboard answering  first incident  safety scare open")
    click.echo("---  -------------------  --------------  -----------------")
    for n, row in enumerate(rows, start=1):
        click.echo(
            f"{n:<3}  {cell(row['dashboard']):>19}  {cell(row['first incident']):>14}  "
            f"{cell(row['crisis']):>17}"
        )


if __name__ == "__main__":
    main()
