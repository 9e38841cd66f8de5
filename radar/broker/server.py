"""Local broker: a single-node Apache Kafka (KRaft) on loopback, started and stopped cleanly.

With ``users`` it speaks SASL_PLAINTEXT with SCRAM (SHA-256 and SHA-512) on
its client port, and nothing without a password: the credentials go into the
KRaft metadata when the storage is formatted, and the broker talks to itself
as a user of its own whose password is kept in its folder (mode 0600).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.broker.jars import fetch_jars
from radar.errors import BrokerError
from radar.settings import BrokerSettings
from radar.topics import min_insync_replicas

_LOG4J2 = """Configuration:
  status: warn
  Appenders:
    File:
      name: file
      fileName: "{log}"
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: info
      AppenderRef:
        - ref: file
    Logger:
      - name: kafka.request.logger
        level: warn
      - name: org.apache.kafka.controller
        level: warn
      - name: state.change.logger
        level: warn
"""


@dataclass(frozen=True)
class BrokerStatus:
    """What ``radar kafka status`` reports."""

    running: bool
    pid: int | None
    bootstrap: str
    data_dir: Path
    log_file: Path


#: The broker's own SASL user (it connects to itself as any other broker would).
BROKER_USER = "radar-broker"
SCRAM_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")


class LocalBroker:
    """One Kafka process (broker and controller) whose files live in ``home``.

    ``users`` (name → password) switches the client listener to SASL_PLAINTEXT
    with SCRAM; without it the broker speaks PLAINTEXT, on loopback only.

    Alone it is node 1 of a cluster of one. As a node of a local cluster
    (radar/broker/cluster.py) it gets its ``node_id``, the controller ``voters`` of
    every node, the ``cluster_id`` they share, the ``replication`` of the topics Kafka
    creates itself (and its default for others), and the file holding the broker
    user's password (``broker_key``), which the nodes share too.
    """

    def __init__(
        self,
        settings: BrokerSettings,
        home: Path,
        *,
        partitions: int = 4,
        users: Mapping[str, str] | None = None,
        node_id: int = 1,
        voters: str | None = None,
        cluster_id: str | None = None,
        replication: int = 1,
        broker_key: Path | None = None,
    ) -> None:
        self.settings = settings
        self.home = home
        self.partitions = partitions
        self.users = dict(users or {})
        self.node_id = node_id
        self.voters = voters or f"{node_id}@{settings.host}:{settings.controller_port}"
        self.cluster_id = cluster_id
        self.replication = replication
        self.broker_key = broker_key or home / "broker-user.key"
        for name, password in self.users.items():
            if not name or name == BROKER_USER or any(c in name + password for c in '",=[]'):
                msg = f'SASL user {name!r}: choose another name, and a password without " , = [ ]'
                raise BrokerError(msg)

    @property
    def bootstrap(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def log_file(self) -> Path:
        return self.home / "broker.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"

    @property
    def config_file(self) -> Path:
        return self.home / "server.properties"

    @property
    def protocol(self) -> str:
        return "SASL_PLAINTEXT" if self.users else "PLAINTEXT"

    def client_security(self) -> dict[str, Any]:
        """kafka-python arguments of the broker's own user (for its readiness checks)."""
        if not self.users:
            return {}
        return {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": BROKER_USER,
            "sasl_plain_password": self._broker_password(),
        }

    def _broker_password(self) -> str:
        path = self.broker_key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(24))
            try:
                os.link(tmp, path)  # atomic, and never over another process's key
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text(encoding="ascii").strip()

    def _sasl_props(self) -> dict[str, str]:
        if not self.users:
            return {}
        login = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{BROKER_USER}" password="{self._broker_password()}";'
        )
        props = {
            "sasl.enabled.mechanisms": ",".join(SCRAM_MECHANISMS),
            "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
        }
        for mechanism in SCRAM_MECHANISMS:
            props[f"listener.name.sasl_plaintext.{mechanism.lower()}.sasl.jaas.config"] = login
        return props

    def write_config(self) -> None:
        s = self.settings
        client = self.protocol
        replication = str(self.replication)
        min_isr = str(min_insync_replicas(self.replication))
        props = {
            "process.roles": "broker,controller",
            "node.id": str(self.node_id),
            "controller.quorum.voters": self.voters,
            "listeners": f"{client}://{s.host}:{s.port},CONTROLLER://{s.host}:{s.controller_port}",
            "advertised.listeners": f"{client}://{s.host}:{s.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": f"{client}:{client},CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": client,
            **self._sasl_props(),
            "log.dirs": str(self.log_dir),
            "num.partitions": str(self.partitions),
            "offsets.topic.replication.factor": replication,
            "offsets.topic.num.partitions": "4",
            "transaction.state.log.replication.factor": replication,
            "transaction.state.log.min.isr": min_isr,
            "share.coordinator.state.topic.replication.factor": replication,
            "share.coordinator.state.topic.min.isr": min_isr,
            # topics a client creates without saying (Faust's own, say) are replicated too
            "default.replication.factor": replication,
            "min.insync.replicas": min_isr,
            "group.initial.rebalance.delay.ms": "0",
            "log.retention.hours": "168",
        }
        self.home.mkdir(parents=True, exist_ok=True)
        lines = [f"{k}={v}" for k, v in props.items()]
        self.config_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        (self.home / "log4j2.yaml").write_text(_LOG4J2.format(log=self.log_file), encoding="utf-8")

    def _java(self) -> str:
        java_home = os.environ.get("JAVA_HOME")
        java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
        if not java or not Path(java).exists():
            msg = "Java is not installed (need Java 17+); install a JDK or set JAVA_HOME"
            raise BrokerError(msg)
        return java

    def _java_command(self, main: str, *args: str, heap_mb: int = 256) -> list[str]:
        libs = fetch_jars(self.settings)
        return [
            self._java(),
            f"-Xmx{heap_mb}m",
            f"-Xms{min(heap_mb, 256)}m",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.home / 'log4j2.yaml'}",
            "-cp",
            f"{libs}/*",
            main,
            *args,
        ]

    @property
    def _users_file(self) -> Path:
        return self.home / "sasl-users.json"

    def _users_digest(self) -> str:
        """Which users the storage was formatted with (a digest: no password in the file)."""
        text = json.dumps(sorted(self.users.items())).encode("utf-8")
        return hashlib.sha256(text).hexdigest()

    def format_storage(self) -> None:
        """Format the KRaft log dir once (a formatted dir keeps its cluster id and users)."""
        if (self.log_dir / "meta.properties").exists():
            known = self._users_file.read_text("ascii") if self._users_file.exists() else ""
            if known.strip() != (self._users_digest() if self.users else ""):
                msg = (
                    f"the broker's data in {self.log_dir} was made for other SASL users; "
                    "stop it and remove that folder to start over with these"
                )
                raise BrokerError(msg)
            return
        scram: list[str] = []
        if self.users:
            everyone = {**self.users, BROKER_USER: self._broker_password()}
            for name, password in everyone.items():
                for mechanism in SCRAM_MECHANISMS:
                    scram += ["--add-scram", f'{mechanism}=[name={name},password="{password}"]']
        cluster_id = self.cluster_id or kafka_uuid()
        command = self._java_command(
            "kafka.tools.StorageTool",
            "format",
            "--ignore-formatted",
            f"--cluster-id={cluster_id}",  # one word: an id may begin with "-"
            "-c",
            str(self.config_file),
            *scram,
        )
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            msg = f"formatting Kafka storage in {self.log_dir} failed:\n{result.stderr[-2000:]}"
            raise BrokerError(msg)
        if self.users:
            self._users_file.write_text(self._users_digest(), encoding="ascii")

    def pid(self) -> int | None:
        """The broker's pid when it runs, else None (a stale pid file is ignored)."""
        try:
            pid = int(self.pid_file.read_text(encoding="ascii").strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _is_our_broker(pid, self.config_file) else None

    def start(self, *, wait: bool = True) -> int:
        """Start the broker (a no-op when it already runs); returns its pid."""
        running = self.pid()
        if running is not None:
            if wait:
                self.wait_ready()
            return running
        for port in (self.settings.port, self.settings.controller_port):
            if _port_in_use(self.settings.host, port):
                msg = (
                    f"port {port} on {self.settings.host} is already in use; stop what uses it "
                    "or choose other ports (RADAR_BROKER_PORT, RADAR_BROKER_CONTROLLER_PORT)"
                )
                raise BrokerError(msg)
        self.write_config()
        self.format_storage()
        command = self._java_command(
            "kafka.Kafka", str(self.config_file), heap_mb=self.settings.heap_mb
        )
        with (self.home / "broker.out").open("ab") as out:
            process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in a terminal is ours to handle, not the JVM's
            )
        self.pid_file.write_text(str(process.pid), encoding="ascii")
        if wait:
            try:
                self.wait_ready(process=process)
            except BrokerError:
                self.stop()
                raise
        return process.pid

    def wait_ready(self, process: subprocess.Popen[bytes] | None = None) -> None:
        """Return once the broker answers a metadata request; raise on timeout or exit."""
        deadline = time.monotonic() + self.settings.start_timeout_s
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                msg = f"Kafka exited with code {process.returncode}; see {self.log_file}"
                raise BrokerError(msg)
            if process is None and self.pid() is None:
                msg = f"Kafka is not running; see {self.log_file}"
                raise BrokerError(msg)
            if broker_answers(self.bootstrap, security=self.client_security()):
                return
            time.sleep(0.5)
        waited = self.settings.start_timeout_s
        msg = f"Kafka did not answer on {self.bootstrap} within {waited:.0f}s; see {self.log_file}"
        raise BrokerError(msg)

    def stop(self, timeout_s: float = 30.0) -> bool:
        """Stop the broker cleanly (SIGTERM, then SIGKILL after ``timeout_s``)."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True

    def status(self) -> BrokerStatus:
        pid = self.pid()
        return BrokerStatus(
            running=pid is not None,
            pid=pid,
            bootstrap=self.bootstrap,
            data_dir=self.log_dir,
            log_file=self.log_file,
        )


def broker_answers(
    bootstrap: str, timeout_s: float = 3.0, *, security: Mapping[str, Any] | None = None
) -> bool:
    """True when a Kafka broker at ``bootstrap`` answers a metadata request.

    ``security`` are kafka-python's arguments for a broker that wants a user.
    """
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    if not _port_in_use(host, int(port)):
        return False
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            request_timeout_ms=int(timeout_s * 1000),
            bootstrap_timeout_ms=int(timeout_s * 1000),
            **(security or {}),
        )
    except (KafkaError, OSError, ValueError):
        return False
    try:
        admin.list_topics()
        return True
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


def kafka_uuid() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding.

    Like Kafka's own ids it never begins with "-", which command lines would read
    as an option (one id in 64 would).
    """
    import base64

    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not text.startswith("-"):
            return text


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child (ours, not yet reaped) counts as gone
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (OSError, IndexError):
        return True
    if state == "Z":
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _is_our_broker(pid: int, config: Path) -> bool:
    """Guard against a reused pid: the process must be Kafka started with our config."""
    if not _alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc (macOS): trust the pid file
    return b"kafka.Kafka" in cmdline and str(config).encode() in cmdline
