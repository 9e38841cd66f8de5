"""Local broker: find Apache Kafka's jars (KAFKA_HOME, or resolved once from Maven Central)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from radar.errors import BrokerError
from radar.settings import BrokerSettings

#: log4j2 behind Kafka's slf4j 1.x logging, so the broker writes a readable log file.
_LOG4J_VERSION = "2.24.3"

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>radar.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_{scala}</artifactId>
      <version>{kafka}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>{log4j}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>{log4j}</version>
    </dependency>
  </dependencies>
</project>
"""


def release_dir(settings: BrokerSettings) -> Path:
    """Cache folder of one Kafka release: ``<cache_dir>/<scala>-<version>``."""
    return settings.cache_dir / f"{settings.scala_version}-{settings.kafka_version}"


def libs_dir(settings: BrokerSettings) -> Path:
    """The folder whose jars form the broker's classpath."""
    if settings.kafka_home is not None:
        libs = settings.kafka_home / "libs"
        if not any(libs.glob("kafka_*.jar")):
            home = settings.kafka_home
            msg = f"KAFKA_HOME={home} has no libs/kafka_*.jar; point it at a Kafka install"
            raise BrokerError(msg)
        return libs
    return release_dir(settings) / "libs"


def jars_ready(settings: BrokerSettings) -> bool:
    if settings.kafka_home is not None:
        return True
    return (release_dir(settings) / ".complete").exists()


def fetch_jars(settings: BrokerSettings, *, quiet: bool = True) -> Path:
    """Resolve the Kafka jars with Maven into the cache (once); returns the libs folder.

    With ``KAFKA_HOME`` set nothing is fetched and its ``libs/`` is used.
    """
    if settings.kafka_home is not None or jars_ready(settings):
        return libs_dir(settings)
    mvn = shutil.which("mvn")
    if mvn is None:
        msg = (
            "Maven (mvn) is not installed, so Kafka's jars cannot be fetched. "
            "Install Maven, or set KAFKA_HOME to an installed Apache Kafka."
        )
        raise BrokerError(msg)
    target = release_dir(settings)
    target.mkdir(parents=True, exist_ok=True)
    pom = target / "pom.xml"
    pom.write_text(
        _POM.format(
            scala=settings.scala_version, kafka=settings.kafka_version, log4j=_LOG4J_VERSION
        ),
        encoding="utf-8",
    )
    libs = target / "libs"
    if libs.exists():
        shutil.rmtree(libs)  # a half-finished earlier attempt
    command = [
        mvn,
        "-B",
        *(["-q"] if quiet else []),
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={libs}",
        "-DincludeScope=runtime",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not any(libs.glob("kafka_*.jar")):
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        msg = (
            f"Maven could not fetch Kafka {settings.kafka_version} (exit {result.returncode}). "
            f"Check network access to Maven Central, or set KAFKA_HOME.\n{tail}"
        )
        raise BrokerError(msg)
    (target / ".complete").write_text(settings.kafka_version, encoding="utf-8")
    return libs
